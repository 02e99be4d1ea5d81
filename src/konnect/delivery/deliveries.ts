/**
 * Batching and delivery to the org webhook and each Dev Portal webhook. Events wait in a queue
 * per webhook; every flush interval, or as soon as `maxBatch` are waiting, one batch goes out.
 * Each webhook has one lane: its batches (live or replayed) go out one after the other.
 * After every attempt the webhook's status (§1.6) is updated and saved.
 */
import type { RetryPolicy } from '../../config/konnect-config';
import type { Logger } from '../../observability/logger';
import { lineOf, type StoredEvent } from '../event-store';
import { resolveTarget, timestamp, webhookRecord, type TargetKey } from '../model';
import type { StateStore } from '../store';
import type { AttemptResult, GzipContentEncoding } from './attempt';
import { sendBatch, type SendOutcome } from './sender';

export interface DeliveriesOptions {
  store: StateStore;
  logger: Logger;
  retry: RetryPolicy;
  timeoutMs: number;
  flushIntervalMs: number;
  maxBatch: number;
  /** Per webhook; beyond it the oldest waiting events are dropped (the store keeps them for replay). */
  maxQueued: number;
  /** --allow-http: deliver to plain http:// endpoints too. */
  allowHttp: boolean;
  /** --content-encoding: how the gzip body is labelled. */
  contentEncoding: GzipContentEncoding;
}

/**
 * An http:// endpoint saved by a run with --allow-http stays in the data directory: a run
 * without it must not send there either. Shown in the webhook's status, as a failed attempt is.
 */
const PLAIN_HTTP_REFUSED: AttemptResult = {
  kind: 'error',
  code: 'ERR_INVALID_PROTOCOL',
  message: 'the endpoint is plain http://, which this stand-in was not started to allow (--allow-http); nothing was sent',
};

export type DeliveryResult = SendOutcome | { ok: false; skipped: string };

export class Deliveries {
  private readonly queues = new Map<TargetKey, StoredEvent[]>();
  private readonly lanes = new Map<TargetKey, Promise<unknown>>();
  private readonly busy = new Set<TargetKey>();
  private readonly work = new Set<Promise<unknown>>();
  private readonly abort = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Live events whose batch shutdown cut short. */
  private abandoned = 0;

  constructor(private readonly options: DeliveriesOptions) {}

  start(): void {
    this.timer = setInterval(() => this.flushAll(), this.options.flushIntervalMs);
  }

  /** Queues events for the webhooks they belong to, if those webhooks are enabled. */
  enqueue(events: readonly StoredEvent[]): void {
    if (this.closed) return;
    const touched = new Set<TargetKey>();
    for (const event of events) {
      if (!resolveTarget(this.options.store.state, event.target).deliverable) continue;
      let queue = this.queues.get(event.target);
      if (!queue) this.queues.set(event.target, (queue = []));
      queue.push(event);
      touched.add(event.target);
    }
    for (const target of touched) {
      const queue = this.queues.get(target)!;
      if (queue.length > this.options.maxQueued) {
        const dropped = queue.splice(0, queue.length - this.options.maxQueued);
        this.options.logger.warn('delivery queue full; oldest events dropped (they can be replayed)', {
          webhook: target,
          dropped: dropped.length,
        });
      }
      if (queue.length >= this.options.maxBatch) this.flush(target);
    }
  }

  /** Sends what is waiting, one batch per webhook. */
  flushAll(): void {
    for (const [target, queue] of this.queues) if (queue.length > 0) this.flush(target);
  }

  /** Resolves when no live batch is in flight or waiting in a lane. */
  async idle(): Promise<void> {
    while (this.work.size > 0) await Promise.allSettled([...this.work]);
  }

  /**
   * Sends `events` to a webhook, in the format its destination has now, with retries and
   * status updates, after whatever that webhook's lane is already sending. Replay uses this too.
   */
  deliver(target: TargetKey, events: readonly StoredEvent[], purpose: 'live' | 'replay'): Promise<DeliveryResult> {
    const previous = this.lanes.get(target) ?? Promise.resolve();
    const run = previous.then(() => this.send(target, events, purpose));
    const tail = run.catch(() => undefined);
    this.lanes.set(target, tail);
    void tail.then(() => {
      if (this.lanes.get(target) === tail) this.lanes.delete(target);
    });
    return run;
  }

  /**
   * Stops the timer, abandons retries and requests in flight, and waits for them to end. Events
   * still waiting are not sent (a retry could hold shutdown for minutes); a warning counts them,
   * as they are in the event store and only a replay job sends them now.
   */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    let waiting = 0;
    for (const queue of this.queues.values()) waiting += queue.length;
    this.abort.abort();
    await this.idle();
    await Promise.allSettled([...this.lanes.values()]);
    const undelivered = waiting + this.abandoned;
    if (undelivered > 0) {
      this.options.logger.warn('shutting down with events not delivered; they are stored, and a replay job (PUT /v3/audit-log-replay-job) sends them', {
        events: undelivered,
      });
    }
  }

  private flush(target: TargetKey): void {
    if (this.busy.has(target) || this.closed) return;
    const queue = this.queues.get(target);
    if (!queue || queue.length === 0) return;
    if (!resolveTarget(this.options.store.state, target).deliverable) {
      queue.length = 0; // disabled or unbound since: nothing goes out (replay can still send them)
      return;
    }
    const batch = queue.splice(0, this.options.maxBatch);
    this.busy.add(target);
    const job = this.deliver(target, batch, 'live')
      .catch((error: unknown) => {
        this.options.logger.error('delivery failed unexpectedly', { webhook: target, error: String(error) });
      })
      .finally(() => {
        this.busy.delete(target);
        this.work.delete(job);
        if ((this.queues.get(target)?.length ?? 0) >= this.options.maxBatch) this.flush(target);
      });
    this.work.add(job);
  }

  private async send(target: TargetKey, events: readonly StoredEvent[], purpose: 'live' | 'replay'): Promise<DeliveryResult> {
    const resolved = resolveTarget(this.options.store.state, target);
    if (!resolved.deliverable) return { ok: false, skipped: resolved.reason };
    if (this.abort.signal.aborted) {
      if (purpose === 'live') this.abandoned += events.length;
      return { ok: false, skipped: 'the stand-in is shutting down' };
    }
    const { settings } = resolved;
    const lines = events.map((event) => lineOf(event, settings.log_format));
    if (!this.options.allowHttp && isPlainHttp(settings.endpoint)) {
      const refused: SendOutcome = { ok: false, attempts: 0, last: PLAIN_HTTP_REFUSED };
      await this.recordAttempt(target, refused.last);
      await this.recordOutcome(target, refused, lines.length, purpose, redactEndpoint(settings.endpoint));
      return refused;
    }
    const outcome = await sendBatch(lines, settings, {
      retry: this.options.retry,
      timeoutMs: this.options.timeoutMs,
      contentEncoding: this.options.contentEncoding,
      signal: this.abort.signal,
      // An attempt cut short by shutdown says nothing about the receiver: the status keeps the last real one.
      onAttempt: (result) => (this.abort.signal.aborted ? undefined : this.recordAttempt(target, result)),
    });
    if (this.abort.signal.aborted && !outcome.ok) {
      if (purpose === 'live') this.abandoned += events.length;
      return outcome;
    }
    await this.recordOutcome(target, outcome, lines.length, purpose, redactEndpoint(settings.endpoint));
    return outcome;
  }

  private async recordAttempt(target: TargetKey, result: AttemptResult): Promise<void> {
    const record = webhookRecord(this.options.store.state, target);
    if (!record) return;
    record.status.last_attempt_at = timestamp();
    record.status.last_response_code = result.kind === 'response' ? result.status : 0;
    record.status.last_response_message = result.message;
    await this.save();
  }

  private async recordOutcome(target: TargetKey, outcome: SendOutcome, events: number, purpose: string, endpoint: string): Promise<void> {
    const record = webhookRecord(this.options.store.state, target);
    if (!record) return;
    const before = record.status.webhook_status;
    record.status.webhook_status = outcome.ok ? 'active' : 'inactive';
    const last = outcome.last;
    const details = {
      webhook: target,
      purpose,
      endpoint,
      events,
      attempts: outcome.attempts,
      response_code: last.kind === 'response' ? last.status : 0,
      response_message: last.message,
    };
    if (outcome.ok) this.options.logger.debug('batch delivered', details);
    else this.options.logger.warn('batch failed; the webhook is inactive', details);
    if (outcome.ok && before !== 'active') this.options.logger.info('webhook active again', { webhook: target });
    await this.save();
  }

  private async save(): Promise<void> {
    try {
      await this.options.store.save();
    } catch (error) {
      this.options.logger.error('could not save the webhook status', { error: (error as Error).message });
    }
  }
}

function isPlainHttp(endpoint: string): boolean {
  try {
    return new URL(endpoint).protocol === 'http:';
  } catch {
    return false; // not a URL at all: the attempt reports that
  }
}

/** The endpoint without credentials or query string, for logs. */
export function redactEndpoint(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    return `${url.protocol}//${url.host}${url.pathname}${url.search === '' ? '' : '?…'}`;
  } catch {
    return '(invalid URL)';
  }
}
