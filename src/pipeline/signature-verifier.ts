import type { KeyObject } from 'node:crypto';
import { JwksSource } from '../signature';
import type { Logger } from '../observability/logger';
import type { SignatureMode } from '../config/serve-config';
import { ConfigError } from '../config/config-error';

/** Checks each event against the JWKS keys; refetches them when a signature fails. */
export class SignatureVerifier {
  private constructor(
    readonly mode: Exclude<SignatureMode, 'off'>,
    readonly source: JwksSource,
  ) {}

  /** Load the keys once before serving; a URL that fails keeps being retried in the background. */
  static async start(mode: Exclude<SignatureMode, 'off'>, location: string, logger: Logger): Promise<SignatureVerifier> {
    const isUrl = /^https?:\/\//i.test(location);
    let started = false;
    const source: JwksSource = new JwksSource({
      location,
      onError: (error) => {
        // A file that fails the first load stops the start, and that error says it all.
        if (!started && !isUrl) return;
        const outcome = source.hasKeys() ? 'keeping the last good keys' : 'no keys yet, retrying every minute';
        logger.warn(`JWKS could not be loaded; ${outcome}`, { jwks: location, error: error.message });
      },
      onKeysChanged: (keys) => logger.info('JWKS keys loaded', { jwks: location, keys: keys.map((key) => key.kid) }),
    });
    await source.start();
    started = true;
    // A local file will not get better by waiting: refuse to start. A URL may be down for a while.
    if (!source.hasKeys() && !isUrl) {
      source.stop();
      throw new ConfigError('--jwks', source.status().lastError ?? `no keys could be loaded from ${location}`);
    }
    return new SignatureVerifier(mode, source);
  }

  /** The keys as they are now; a new array whenever they change. */
  keys(): readonly KeyObject[] {
    return this.source.keys();
  }

  /**
   * After a batch with invalid signatures: refetch the keys (at most once a minute) in case
   * Konnect rotated them. True when the keys now differ from those the batch was checked with
   * (another request may have fetched them meanwhile), so the batch is worth checking again.
   */
  async refreshAfterFailure(checkedWith: readonly KeyObject[]): Promise<boolean> {
    await this.source.refreshAfterFailure();
    return this.source.keys() !== checkedWith;
  }

  async unreadyReason(): Promise<string | undefined> {
    if (this.mode !== 'require' || this.source.hasKeys()) return undefined;
    return `no public keys loaded yet${this.source.status().lastError ? `: ${this.source.status().lastError}` : ''}`;
  }

  stop(): void {
    this.source.stop();
  }
}
