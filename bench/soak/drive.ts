/**
 * The soak's load: `connections` loops that share one schedule of `rate` requests a second. Each
 * request is a new batch, or (at `resendShare`) one acknowledged a moment before, sent again as
 * a retry would be. Each attempt is the Konnect stand-in's own (attemptDelivery: a connection of
 * its own, a deadline for the whole answer), retried by Konnect's policy (retry-policy.ts: 4
 * retries of connection errors, 429 and 5xx, waits from 1 s doubling, Retry-After honoured).
 * Every answer is checked against what the batch holds.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { attemptDelivery, type AttemptResult } from '../../src/konnect/delivery/attempt';
import { isRetryable, isSuccess, retryWaitMs } from '../../src/konnect/delivery/retry-policy';
import type { DeadLetterTally, SoakBatch, SoakTraffic } from './traffic';

export interface IntervalStats {
  requests: number;
  /** Answers other than 200, retries included. */
  errors: number;
  /** Events acknowledged as new. */
  events: number;
  latenciesMs: number[];
}

export interface LoadTotals {
  requests: number;
  newBatches: number;
  resends: number;
  errorAnswers: Record<string, number>;
  /** Batches given up on (an answer not to retry, or every retry failed): never acknowledged. */
  abandonedBatches: number;
  acknowledgedEvents: number;
  /** Lines the answers said were rejected (sent to the dead letter), resends included. */
  rejectedLines: number;
  duplicatesAnswered: number;
  /** The first few batches given up, with their last answer. */
  abandonedExamples: string[];
  /** Answers whose counts did not match the batch; the first few, described. */
  mismatches: number;
  mismatchExamples: string[];
}

/** Konnect's (go-retryablehttp's defaults): 4 retries, 1 s doubling to 30 s. Enough to ride out a restart. */
const RETRY_POLICY = { maxRetries: 4, waitMinMs: 1_000, waitMaxMs: 30_000 };
/** Konnect's attempts have a deadline too; a receiver that never answers must not hold the soak. */
const ATTEMPT_TIMEOUT_MS = 30_000;
/** Resends pick from the batches acknowledged last, well inside the receiver's default --dedup-window (100,000 events). */
const RECENT_EVENTS = 50_000;

export class SoakLoad {
  readonly totals: LoadTotals = {
    requests: 0,
    newBatches: 0,
    resends: 0,
    errorAnswers: {},
    abandonedBatches: 0,
    abandonedExamples: [],
    acknowledgedEvents: 0,
    rejectedLines: 0,
    duplicatesAnswered: 0,
    mismatches: 0,
    mismatchExamples: [],
  };
  /** [first sequence, count] of every batch acknowledged as new. */
  readonly acknowledged: Array<[number, number]> = [];
  /** Every batch's bad lines, with how often the dead letter must hold them (not the body: memory). */
  readonly badLines: Array<{ lines: string[]; answers: DeadLetterTally }> = [];
  private interval: IntervalStats = { requests: 0, errors: 0, events: 0, latenciesMs: [] };
  private readonly recent: SoakBatch[] = [];
  private recentEvents = 0;
  private nextSlot = 0;
  private readonly stopping = new AbortController();

  constructor(
    private readonly url: string,
    private readonly authorization: string,
    private readonly traffic: SoakTraffic,
    private readonly options: { rate: number; connections: number; resendShare: number; random: () => number },
  ) {}

  /** Runs until stop() is called; resolves when every loop has had its last answer. */
  async run(): Promise<void> {
    this.nextSlot = Date.now();
    await Promise.all(Array.from({ length: this.options.connections }, () => this.loop()));
  }

  /** Ends the loops: no new request starts, and a wait for a retry ends at once. */
  stop(): void {
    this.stopping.abort();
  }

  private get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  /** Resolves after `ms`, or at once when the load is stopped. */
  private pause(ms: number): Promise<void> {
    return sleep(ms, undefined, { signal: this.stopping.signal }).catch(() => undefined);
  }

  /** What happened since the last call. */
  takeInterval(): IntervalStats {
    const interval = this.interval;
    this.interval = { requests: 0, errors: 0, events: 0, latenciesMs: [] };
    return interval;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const now = Date.now();
      // After a stall, carry on at the rate instead of sending the missed requests in a burst.
      if (this.nextSlot < now - 1000) this.nextSlot = now;
      const wait = this.nextSlot - now;
      this.nextSlot += 1000 / this.options.rate;
      if (wait > 0) await this.pause(wait);
      if (this.stopped) break;
      const resend = this.recent.length > 0 && this.options.random() < this.options.resendShare;
      const batch = resend ? this.recent[Math.floor(this.options.random() * this.recent.length)]! : this.traffic.next();
      await this.deliver(batch, resend);
    }
  }

  private async deliver(batch: SoakBatch, resend: boolean): Promise<void> {
    if (resend) this.totals.resends++;
    else {
      this.totals.newBatches++;
      if (batch.badLines.length > 0) this.badLines.push({ lines: batch.badLines, answers: batch.answers });
    }
    for (let retries = 0; ; retries++) {
      const started = process.hrtime.bigint();
      const result = await attemptDelivery({ endpoint: this.url, authorization: this.authorization, body: batch.body, skipSslVerification: false, timeoutMs: ATTEMPT_TIMEOUT_MS });
      this.totals.requests++;
      this.interval.requests++;
      this.interval.latenciesMs.push(Number(process.hrtime.bigint() - started) / 1e6);
      if (isSuccess(result) && result.kind === 'response') {
        batch.answers.answered++;
        this.check(batch, resend, retries > 0, result.body.toString('utf8'));
        return;
      }
      this.interval.errors++;
      // The receiver may have dead-lettered its bad lines before the answer was lost.
      batch.answers.unanswered++;
      const key = result.kind === 'error' ? result.code : String(result.status);
      this.totals.errorAnswers[key] = (this.totals.errorAnswers[key] ?? 0) + 1;
      if (!isRetryable(result) || retries === RETRY_POLICY.maxRetries || this.stopped) {
        this.totals.abandonedBatches++;
        if (this.totals.abandonedExamples.length < 5) this.totals.abandonedExamples.push(`batch from sequence ${batch.firstSequence}: ${describe(result)}`);
        return;
      }
      await this.pause(retryWaitMs(result, retries, RETRY_POLICY));
    }
  }

  /** `retried`: an earlier attempt got no answer, so the receiver may have written the batch already. */
  private check(batch: SoakBatch, resend: boolean, retried: boolean, body: string): void {
    let counts: { accepted?: number; rejected?: number; duplicates?: number } = {};
    try {
      counts = JSON.parse(body) as typeof counts;
    } catch {
      // counted as a mismatch below
    }
    const accepted = counts.accepted ?? 0;
    const duplicates = counts.duplicates ?? 0;
    const rejected = counts.rejected ?? 0;
    this.totals.rejectedLines += rejected;
    this.totals.duplicatesAnswered += duplicates;
    const expected = resend
      ? { accepted: 0, duplicates: batch.events, rejected: batch.badLines.length }
      : { accepted: batch.events, duplicates: 0, rejected: batch.badLines.length };
    const matches = retried && !resend
      ? accepted + duplicates === batch.events && rejected === batch.badLines.length
      : accepted === expected.accepted && duplicates === expected.duplicates && rejected === expected.rejected;
    if (!matches) {
      this.totals.mismatches++;
      if (this.totals.mismatchExamples.length < 5) {
        this.totals.mismatchExamples.push(`${resend ? 'resent' : 'new'} batch from sequence ${batch.firstSequence}: expected ${JSON.stringify(expected)}, answered ${body.slice(0, 300)}`);
      }
    }
    if (resend) return;
    this.acknowledged.push([batch.firstSequence, batch.events]);
    this.totals.acknowledgedEvents += batch.events;
    this.interval.events += batch.events;
    this.recent.push(batch);
    this.recentEvents += batch.events;
    while (this.recentEvents > RECENT_EVENTS) this.recentEvents -= this.recent.shift()!.events;
  }
}

function describe(result: AttemptResult): string {
  return result.kind === 'error' ? result.message : `${result.status} ${result.message}`;
}
