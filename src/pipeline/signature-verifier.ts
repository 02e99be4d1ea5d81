import type { KeyObject } from 'node:crypto';
import { DEFAULT_JWKS_MIN_REFRESH_INTERVAL_MS, JwksSource } from '../signature';
import { describeJwksLocation } from '../signature/jwks-source';
import type { Logger } from '../observability/logger';
import type { SignatureMode } from '../config/serve-config';
import { ConfigError } from '../config/config-error';

/** How long a request waits for a JWKS refetch its failed signatures started. */
const REFETCH_WAIT_MS = 2000;

/** Checks each event against the JWKS keys; refetches them when a signature fails. */
export class SignatureVerifier {
  /** The key set a refetch after a failed signature found unchanged, less than an interval ago. */
  private confirmed: readonly KeyObject[] | undefined;

  private constructor(
    readonly mode: Exclude<SignatureMode, 'off'>,
    readonly source: JwksSource,
  ) {}

  /** Load the keys once before serving; a URL that fails keeps being retried in the background. */
  static async start(
    mode: Exclude<SignatureMode, 'off'>,
    location: string,
    logger: Logger,
    refetchIntervalMs = DEFAULT_JWKS_MIN_REFRESH_INTERVAL_MS,
  ): Promise<SignatureVerifier> {
    const isUrl = /^https?:\/\//i.test(location);
    let started = false;
    const source: JwksSource = new JwksSource({
      location,
      minRefreshIntervalMs: refetchIntervalMs,
      onError: (error) => {
        // A file that fails the first load stops the start, and that error says it all.
        if (!started && !isUrl) return;
        const outcome = source.hasKeys() ? 'keeping the last good keys' : `no keys yet, retrying every ${refetchIntervalMs / 1000} s`;
        logger.warn(`JWKS could not be loaded; ${outcome}`, { jwks: describeJwksLocation(location), error: error.message });
      },
      onKeysChanged: (keys, skipped) =>
        logger.info('JWKS keys loaded', {
          jwks: describeJwksLocation(location),
          keys: keys.map((key) => key.kid),
          ...(skipped.length > 0 ? { skipped } : {}),
        }),
    });
    await source.start();
    started = true;
    // A local file will not get better by waiting: refuse to start. A URL may be down for a while.
    if (!source.hasKeys() && !isUrl) {
      source.stop();
      throw new ConfigError('--jwks', source.status().lastError ?? `no keys could be loaded from ${describeJwksLocation(location)}`);
    }
    return new SignatureVerifier(mode, source);
  }

  /** The keys as they are now; a new array whenever they change. */
  keys(): readonly KeyObject[] {
    return this.source.keys();
  }

  /**
   * After a batch with invalid signatures, in case Konnect rotated its keys: `recheck` when the
   * keys now differ from those the batch was checked with (a refetch found new ones, or another
   * request's did meanwhile); `final` when a refetch found the same keys, this time or for an
   * earlier batch within the interval (a stream of bad signatures is refused once, not for the
   * whole interval: a rotation shows as new keys); otherwise (the keys were not confirmed yet,
   * or the refetch failed) the seconds until they may be fetched again.
   */
  async afterInvalidSignatures(checkedWith: readonly KeyObject[]): Promise<'recheck' | 'final' | number> {
    if (this.source.keys() !== checkedWith) return 'recheck';
    if (this.confirmed === checkedWith && this.source.msUntilRefreshAllowed() > 0) return 'final';
    if (this.source.msUntilRefreshAllowed() === 0) {
      // A JWKS host that hangs must not hold the request for the whole fetch timeout: the fetch
      // goes on, and the sender's retry finds its outcome.
      let timer: NodeJS.Timeout | undefined;
      const finished = await Promise.race([
        this.source.refreshAfterFailure().then(() => true),
        new Promise<false>((resolve) => (timer = setTimeout(resolve, REFETCH_WAIT_MS, false))),
      ]);
      clearTimeout(timer);
      if (!finished) return Math.max(1, Math.ceil(REFETCH_WAIT_MS / 1000));
      if (this.source.keys() !== checkedWith) return 'recheck';
      if (!this.source.latestLoadFailed()) {
        this.confirmed = checkedWith;
        return 'final';
      }
    }
    return Math.max(1, Math.ceil(this.source.msUntilRefreshAllowed() / 1000));
  }

  /** In `require` mode with no key loaded yet, the seconds until the next attempt to load them; else undefined. */
  keylessRetryAfterSeconds(): number | undefined {
    if (this.mode !== 'require' || this.source.hasKeys()) return undefined;
    void this.source.refreshAfterFailure();
    return Math.max(1, Math.ceil(this.source.msUntilRefreshAllowed() / 1000));
  }

  async unreadyReason(): Promise<string | undefined> {
    if (this.mode !== 'require' || this.source.hasKeys()) return undefined;
    return `no public keys loaded yet${this.source.status().lastError ? `: ${this.source.status().lastError}` : ''}`;
  }

  stop(): void {
    this.source.stop();
  }
}
