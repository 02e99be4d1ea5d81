/**
 * Replay jobs (§5): one per webhook (org, or each Dev Portal). A PUT is `accepted`, then
 * `pending` (scheduled), then `running` while the stored events of the window are re-sent,
 * exactly as they were signed, to the webhook configured at that moment; then `completed`, or
 * `failed` when the webhook is not enabled or a batch fails after its retries.
 */
import type { Logger } from '../observability/logger';
import { conflict } from './api/problems';
import type { Deliveries } from './delivery/deliveries';
import type { EventStore, StoredEvent } from './event-store';
import { ensureWebhookRecord, resolveTarget, timestamp, type ReplayJob, type ReplayStatus, type TargetKey } from './model';
import type { StateStore } from './store';

export interface ReplayOptions {
  store: StateStore;
  events: EventStore;
  deliveries: Deliveries;
  logger: Logger;
  maxBatch: number;
  /** Time spent in `accepted` and again in `pending`, so that each state can be seen. */
  stepMs: number;
  /** Called on each status change (tests observe transitions with it). */
  onStatus?: (target: TargetKey, status: ReplayStatus) => void;
}

const ACTIVE: ReadonlySet<ReplayStatus> = new Set(['accepted', 'pending', 'running']);

export class ReplayJobs {
  private readonly running = new Map<TargetKey, Promise<void>>();
  private readonly waits = new Map<NodeJS.Timeout, (proceed: boolean) => void>();
  private closed = false;

  constructor(private readonly options: ReplayOptions) {}

  /** A job left active by a previous run cannot resume; it is marked failed. */
  async recover(): Promise<void> {
    const { state } = this.options.store;
    const records = [state.org_webhook, ...Object.values(state.portal_webhooks)];
    let changed = false;
    for (const record of records) {
      if (ACTIVE.has(record.replay.status)) {
        record.replay.status = 'failed';
        record.replay.updated_at = timestamp();
        changed = true;
      }
    }
    if (changed) {
      this.options.logger.warn('a replay job was interrupted by a restart; it is marked failed');
      await this.options.store.save();
    }
  }

  get(target: TargetKey): ReplayJob {
    return ensureWebhookRecord(this.options.store.state, target).replay;
  }

  /** Starts a job for an already validated window. 409 while another one is under way. */
  async submit(target: TargetKey, startAt: string, endAt: string): Promise<ReplayJob> {
    const record = ensureWebhookRecord(this.options.store.state, target);
    if (ACTIVE.has(record.replay.status)) {
      // Konnect's documented text, whichever state the job is in (its own status says which).
      throw conflict('A replay job is currently running');
    }
    record.replay = { start_at: startAt, end_at: endAt, status: 'accepted', updated_at: timestamp() };
    this.options.onStatus?.(target, 'accepted');
    await this.options.store.save();
    const job: Promise<void> = this.run(target, Date.parse(startAt), lastMillisecondOf(endAt)).finally(() => {
      if (this.running.get(target) === job) this.running.delete(target);
    });
    this.running.set(target, job);
    return { ...record.replay };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const [timer, resolve] of this.waits) {
      clearTimeout(timer);
      resolve(false);
    }
    this.waits.clear();
    await Promise.allSettled([...this.running.values()]);
  }

  private async run(target: TargetKey, startMs: number, endMs: number): Promise<void> {
    const log = { webhook: target, start_at: new Date(startMs).toISOString(), end_at: new Date(endMs).toISOString() };
    try {
      if (!(await this.wait())) return;
      await this.setStatus(target, 'pending');
      if (!(await this.wait())) return;
      await this.setStatus(target, 'running');
      const resolved = resolveTarget(this.options.store.state, target);
      if (!resolved.deliverable) {
        this.options.logger.warn('replay failed: the webhook must be enabled and have a destination', { ...log, reason: resolved.reason });
        await this.setStatus(target, 'failed');
        return;
      }
      let sent = 0;
      let batch: StoredEvent[] = [];
      const flush = async (): Promise<boolean> => {
        const result = await this.options.deliveries.deliver(target, batch, 'replay');
        if (!result.ok) return false;
        sent += batch.length;
        batch = [];
        return true;
      };
      for await (const event of this.options.events.read(target, startMs, endMs)) {
        if (this.closed) return;
        batch.push(event);
        if (batch.length >= this.options.maxBatch && !(await flush())) {
          this.options.logger.warn('replay failed: a batch could not be delivered', { ...log, events_sent: sent });
          await this.setStatus(target, 'failed');
          return;
        }
      }
      if (batch.length > 0 && !(await flush())) {
        this.options.logger.warn('replay failed: a batch could not be delivered', { ...log, events_sent: sent });
        await this.setStatus(target, 'failed');
        return;
      }
      this.options.logger.info('replay completed', { ...log, events_sent: sent });
      await this.setStatus(target, 'completed');
    } catch (error) {
      this.options.logger.error('replay failed unexpectedly', { ...log, error: String(error) });
      await this.setStatus(target, 'failed').catch(() => undefined);
    }
  }

  private async setStatus(target: TargetKey, status: ReplayStatus): Promise<void> {
    if (this.closed && status !== 'failed') return;
    const record = ensureWebhookRecord(this.options.store.state, target);
    record.replay = { ...record.replay, status, updated_at: timestamp() };
    this.options.onStatus?.(target, status); // as the API shows it: from now on
    await this.options.store.save();
  }

  /** Waits one step; false when the stand-in is closing. */
  private wait(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waits.delete(timer);
        resolve(!this.closed);
      }, this.options.stepMs);
      this.waits.set(timer, resolve);
    });
  }
}

/**
 * The window's end: an `end_at` in whole seconds names that whole second (events carry
 * milliseconds, their `event_ts` only seconds), so `start_at` = `end_at` replays one second.
 */
export function lastMillisecondOf(endAt: string): number {
  const end = Date.parse(endAt);
  return /[.,]\d/.test(endAt) ? end : end + 999;
}
