const WINDOW_MS = 60_000;
/** Forget clients beyond this many, so a flood of addresses cannot grow memory without bound. */
const MAX_TRACKED_CLIENTS = 100_000;

interface Window {
  startedAt: number;
  failures: number;
}

/**
 * Counts failed authorizations per client address in one-minute windows. Past the limit, a
 * client's failures are answered 429 for the rest of its window (and no longer logged one by
 * one). The right value still passes: an address is often shared (a proxy, a tunnel), and a
 * block on it would let anyone hold up the real sender's deliveries, which Konnect retries for
 * only about 15 s. Guessing is stopped by the value itself: the generated one has 192 bits.
 */
export class AuthFailureLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly limit: number, private readonly now: () => number = Date.now) {}

  /** Seconds until the client may try again, or undefined when it is not blocked. */
  retryAfterSeconds(client: string): number | undefined {
    const window = this.current(client);
    if (!window || window.failures < this.limit) return undefined;
    return Math.max(1, Math.ceil((window.startedAt + WINDOW_MS - this.now()) / 1000));
  }

  recordFailure(client: string): void {
    const window = this.current(client);
    if (window) {
      window.failures++;
      return;
    }
    if (this.windows.size >= MAX_TRACKED_CLIENTS) this.dropExpired();
    if (this.windows.size >= MAX_TRACKED_CLIENTS) this.windows.clear();
    this.windows.set(client, { startedAt: this.now(), failures: 1 });
  }

  private current(client: string): Window | undefined {
    const window = this.windows.get(client);
    if (window && this.now() - window.startedAt >= WINDOW_MS) {
      this.windows.delete(client);
      return undefined;
    }
    return window;
  }

  private dropExpired(): void {
    for (const [client, window] of this.windows) if (this.now() - window.startedAt >= WINDOW_MS) this.windows.delete(client);
  }
}
