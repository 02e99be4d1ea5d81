/**
 * Keeps the verification keys current from a JWKS URL (Konnect's
 * `https://<region>.api.konghq.com/v2/audit-log-webhook/jwks.json`) or file.
 *
 * - start(): first load, then a refresh every `refreshIntervalMs` (10 min).
 *   While no key has ever loaded, it retries every `minRefreshIntervalMs` instead.
 * - refreshAfterFailure(): for a line that did not verify; refetches at most
 *   once per `minRefreshIntervalMs` (10 s) to pick up a rotated key.
 * - A failed load keeps the last good keys and is reported through `onError`.
 */

import type { KeyObject } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

import { readJwks } from './jwks';
import type { JwksKey } from './jwks';
import { messageOf } from './keys';
import type { RefreshableKeySource } from './verify';

export const DEFAULT_JWKS_REFRESH_INTERVAL_MS = 10 * 60 * 1000;
export const DEFAULT_JWKS_MIN_REFRESH_INTERVAL_MS = 10 * 1000;
export const DEFAULT_JWKS_FETCH_TIMEOUT_MS = 10 * 1000;
/** A JWKS is a few hundred bytes; anything this large is not one. */
const MAX_JWKS_BYTES = 1024 * 1024;

export interface JwksSourceOptions {
  /** `http(s)://…` URL, `file:` URL, or a file path. */
  location: string;
  refreshIntervalMs?: number;
  /** Least time between two fetches started by refreshAfterFailure() (or retries while keyless). */
  minRefreshIntervalMs?: number;
  fetchTimeoutMs?: number;
  /** Extra request headers, e.g. `Authorization` should the JWKS endpoint require a token. */
  headers?: Record<string, string>;
  /** Called with each failed load; the last good keys stay in use. */
  onError?: (error: Error) => void;
  /** Called after a load that changed the key set (first load included). */
  /** `skipped`: why each key that is not an Ed25519 signing key was left out. */
  onKeysChanged?: (keys: readonly JwksKey[], skipped: readonly string[]) => void;
}

export interface JwksSourceStatus {
  keyCount: number;
  kids: (string | undefined)[];
  lastSuccessAt: Date | undefined;
  lastFailureAt: Date | undefined;
  lastError: string | undefined;
}

export class JwksSource implements RefreshableKeySource {
  /** Resolves once keys have loaded for the first time. Never rejects. */
  readonly ready: Promise<void>;

  private readonly location: JwksLocation;
  private readonly refreshIntervalMs: number;
  private readonly minRefreshIntervalMs: number;
  private readonly fetchTimeoutMs: number;
  private currentEntries: readonly JwksKey[] = [];
  private currentKeys: readonly KeyObject[] = [];
  private markReady!: () => void;
  private started: Promise<void> | undefined;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<boolean> | undefined;
  private abortInFlight: AbortController | undefined;
  private lastAttemptAt = Number.NEGATIVE_INFINITY;
  private lastSuccessAt: Date | undefined;
  private lastFailureAt: Date | undefined;
  private lastError: string | undefined;
  private lastLoadFailed = false;

  constructor(private readonly options: JwksSourceOptions) {
    this.location = parseJwksLocation(options.location);
    this.refreshIntervalMs = positive(options.refreshIntervalMs, DEFAULT_JWKS_REFRESH_INTERVAL_MS, 'refreshIntervalMs');
    this.minRefreshIntervalMs = positive(
      options.minRefreshIntervalMs,
      DEFAULT_JWKS_MIN_REFRESH_INTERVAL_MS,
      'minRefreshIntervalMs',
    );
    this.fetchTimeoutMs = positive(options.fetchTimeoutMs, DEFAULT_JWKS_FETCH_TIMEOUT_MS, 'fetchTimeoutMs');
    this.ready = new Promise((resolve) => {
      this.markReady = resolve;
    });
  }

  /**
   * Loads the keys and starts the refresh timer. Resolves after the first
   * attempt whether or not it succeeded (check hasKeys(); failures go to
   * onError). Calling it again returns the same promise.
   */
  start(): Promise<void> {
    this.started ??= this.refresh().then(() => undefined);
    return this.started;
  }

  /** Fetches now (joining a fetch already under way). Resolves true when the key set changed. */
  refresh(): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    this.inFlight ??= this.load().finally(() => {
      this.inFlight = undefined;
      this.scheduleNextRefresh();
    });
    return this.inFlight;
  }

  /**
   * For a line that did not verify: refetch, unless a fetch started less than
   * `minRefreshIntervalMs` ago (then join it if it is still running, or do
   * nothing). Resolves true when the key set changed.
   */
  refreshAfterFailure(): Promise<boolean> {
    if (this.inFlight !== undefined) return this.inFlight;
    if (performance.now() - this.lastAttemptAt < this.minRefreshIntervalMs) return Promise.resolve(false);
    return this.refresh();
  }

  /** Whether the latest load failed (the keys in use may be out of date). */
  latestLoadFailed(): boolean {
    return this.lastLoadFailed;
  }

  /** Milliseconds until refreshAfterFailure() would fetch; 0 when it would fetch or join a fetch now. */
  msUntilRefreshAllowed(): number {
    if (this.stopped || this.inFlight !== undefined) return 0;
    return Math.max(0, this.lastAttemptAt + this.minRefreshIntervalMs - performance.now());
  }

  /** The current keys, built once; the array is replaced (never mutated) when the set changes. */
  keys(): readonly KeyObject[] {
    return this.currentKeys;
  }

  /** The current keys with their kid and x. */
  entries(): readonly JwksKey[] {
    return this.currentEntries;
  }

  /** For readiness: false until a load has succeeded. */
  hasKeys(): boolean {
    return this.currentKeys.length > 0;
  }

  status(): JwksSourceStatus {
    return {
      keyCount: this.currentEntries.length,
      kids: this.currentEntries.map((entry) => entry.kid),
      lastSuccessAt: this.lastSuccessAt,
      lastFailureAt: this.lastFailureAt,
      lastError: this.lastError,
    };
  }

  /** Stops the timer and aborts a fetch under way. The current keys stay readable. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.abortInFlight?.abort();
  }

  private async load(): Promise<boolean> {
    // Monotonic, so a wall-clock jump cannot lift or extend the throttle.
    this.lastAttemptAt = performance.now();
    const abort = new AbortController();
    this.abortInFlight = abort;
    // A plain timer, held until the load ends: on Node 20, AbortSignal.timeout() combined with
    // AbortSignal.any() can be collected and never fire, leaving a hung fetch that every later
    // refresh would join (nodejs/node#55428).
    const timeout = setTimeout(() => abort.abort(new Error(`timeout: no answer within ${this.fetchTimeoutMs} ms`)), this.fetchTimeoutMs);
    try {
      const text = await this.readText(abort.signal);
      const { keys: entries, skipped } = readJwks(text);
      if (this.stopped) return false;
      this.lastSuccessAt = new Date();
      this.lastLoadFailed = false;
      const changed = !sameKeySet(entries, this.currentEntries);
      if (changed) {
        this.currentEntries = entries;
        this.currentKeys = entries.map((entry) => entry.publicKey);
        notify(() => this.options.onKeysChanged?.(entries, skipped));
      }
      this.markReady();
      return changed;
    } catch (cause) {
      if (this.stopped) return false;
      const error = new Error(`could not load JWKS from ${this.location.display}: ${messageOf(cause)}`, { cause });
      this.lastFailureAt = new Date();
      this.lastError = error.message;
      this.lastLoadFailed = true;
      notify(() => this.options.onError?.(error));
      return false;
    } finally {
      clearTimeout(timeout);
      if (this.abortInFlight === abort) this.abortInFlight = undefined;
    }
  }

  private async readText(signal: AbortSignal): Promise<string> {
    if (this.location.kind === 'file') {
      // Its size first: a JWKS is small, and a huge file is not one (nor worth reading to find out).
      const file = await stat(this.location.path);
      // A FIFO would block the read (and a thread-pool thread) until a writer came, if ever.
      if (!file.isFile()) throw new Error('not a regular file');
      if (file.size > MAX_JWKS_BYTES) throw new Error(`file is larger than ${MAX_JWKS_BYTES} bytes`);
      return readFile(this.location.path, { encoding: 'utf8', signal });
    }
    const response = await fetch(this.location.url, {
      headers: { accept: 'application/json', ...this.options.headers },
      signal,
    });
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`HTTP ${response.status}`);
    }
    const declaredLength = Number(response.headers.get('content-length'));
    if (declaredLength > MAX_JWKS_BYTES) {
      await response.body?.cancel();
      throw new Error(`response is larger than ${MAX_JWKS_BYTES} bytes`);
    }
    return readCapped(response, MAX_JWKS_BYTES);
  }

  private scheduleNextRefresh(): void {
    if (this.stopped || this.started === undefined) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    // Without any key every signed line fails, so retry sooner until one loads.
    const delay = this.hasKeys() ? this.refreshIntervalMs : this.minRefreshIntervalMs;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh();
    }, delay);
    this.timer.unref();
  }
}

type JwksLocation =
  | { kind: 'url'; url: URL; display: string }
  | { kind: 'file'; path: string; display: string };

/** Where the keys come from; throws, with a message that repeats no secret, when it cannot be used. */
export function parseJwksLocation(location: string): JwksLocation {
  if (location.trim() === '') throw new Error('the JWKS location is empty');
  if (/^https?:\/\//i.test(location)) {
    let url: URL;
    try {
      url = new URL(location);
    } catch {
      throw new Error('the JWKS URL is not a valid URL');
    }
    // fetch refuses them, and they would end up in every error message.
    if (url.username !== '' || url.password !== '') {
      throw new Error('the JWKS URL must not contain credentials (user:password@)');
    }
    return { kind: 'url', url, display: displayedUrl(url) };
  }
  if (/^file:/i.test(location)) {
    const path = fileURLToPath(location);
    return { kind: 'file', path, display: path };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(location);
  if (scheme) throw new Error(`the JWKS location's scheme ${scheme[1]}: is not supported; give an http(s) URL or a file`);
  return { kind: 'file', path: location, display: location };
}

/** The location as logs and the banner show it: a query string may carry a token (as a value or alone), so it is masked whole. */
export function describeJwksLocation(location: string): string {
  try {
    return parseJwksLocation(location).display;
  } catch {
    return '(not a usable JWKS location)';
  }
}

function displayedUrl(url: URL): string {
  return `${url.origin}${url.pathname}${url.search !== '' ? '?***' : ''}`;
}

/**
 * Runs a caller's callback. Its exception is dropped: it would otherwise
 * surface as an unhandled rejection from a timer and stop the process.
 */
function notify(callback: () => void): void {
  try {
    callback();
  } catch {
    // The callback's own problem; key loading goes on.
  }
}

function sameKeySet(a: readonly JwksKey[], b: readonly JwksKey[]): boolean {
  if (a.length !== b.length) return false;
  const xs = new Set(b.map((entry) => entry.x));
  return a.every((entry) => xs.has(entry.x));
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`JwksSource ${name} must be a positive number of ms`);
  return value;
}

/** The body as UTF-8, read no further than `limit` bytes: one sent without a Content-Length is cut off there. */
async function readCapped(response: Response, limit: number): Promise<string> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    // Leaving the loop cancels the stream: the rest is never read.
    if (size > limit) throw new Error(`response is larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
