/**
 * The soak's load: `connections` loops that share one schedule of `rate` requests a second. Each
 * request is a new batch, or (at `resendShare`) one acknowledged a moment before, sent again as
 * a retry would be. Every answer is checked against what the batch holds; an error answer is
 * retried as Konnect retries (after Retry-After, at most five times).
 */
import http from 'node:http';
import type { SoakBatch, SoakTraffic } from './traffic';

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
  /** Batches given up on after every retry failed: their events were never acknowledged. */
  abandonedBatches: number;
  acknowledgedEvents: number;
  /** Lines the answers said were rejected (sent to the dead letter), resends included. */
  rejectedLines: number;
  /**
   * Bad lines of attempts that got no 200 (a connection cut by a restart, a 503): the receiver
   * may have dead-lettered them before the answer was lost, and the retry does so again.
   */
  badLinesInFailedAttempts: number;
  duplicatesAnswered: number;
  /** Answers whose counts did not match the batch; the first few, described. */
  mismatches: number;
  mismatchExamples: string[];
}

interface Answer {
  status: number;
  body: string;
  retryAfterSeconds: number | undefined;
  ms: number;
}

/** Enough to ride out a receiver's restart (`--restart-every`): about ten seconds of retries. */
export const MAX_ATTEMPTS = 10;
/** Resends pick from the batches acknowledged last, well inside the receiver's default --dedup-window (100,000 events). */
const RECENT_EVENTS = 50_000;

export class SoakLoad {
  readonly totals: LoadTotals = {
    requests: 0,
    newBatches: 0,
    resends: 0,
    errorAnswers: {},
    abandonedBatches: 0,
    acknowledgedEvents: 0,
    rejectedLines: 0,
    badLinesInFailedAttempts: 0,
    duplicatesAnswered: 0,
    mismatches: 0,
    mismatchExamples: [],
  };
  /** [first sequence, count] of every batch acknowledged as new. */
  readonly acknowledged: Array<[number, number]> = [];
  private interval: IntervalStats = { requests: 0, errors: 0, events: 0, latenciesMs: [] };
  private readonly recent: SoakBatch[] = [];
  private readonly agent: http.Agent;
  private nextSlot = 0;
  private stopping = false;

  constructor(
    private readonly url: string,
    private readonly authorization: string,
    private readonly traffic: SoakTraffic,
    private readonly options: { rate: number; connections: number; resendShare: number; random: () => number },
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  }

  /** Runs until stop() is called; resolves when every loop has had its last answer. */
  async run(): Promise<void> {
    this.nextSlot = Date.now();
    await Promise.all(Array.from({ length: this.options.connections }, () => this.loop()));
    this.agent.destroy();
  }

  stop(): void {
    this.stopping = true;
  }

  /** What happened since the last call. */
  takeInterval(): IntervalStats {
    const interval = this.interval;
    this.interval = { requests: 0, errors: 0, events: 0, latenciesMs: [] };
    return interval;
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      const now = Date.now();
      // After a stall, carry on at the rate instead of sending the missed requests in a burst.
      if (this.nextSlot < now - 1000) this.nextSlot = now;
      const wait = this.nextSlot - now;
      this.nextSlot += 1000 / this.options.rate;
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (this.stopping) break;
      const resend = this.recent.length > 0 && this.options.random() < this.options.resendShare;
      const batch = resend ? this.recent[Math.floor(this.options.random() * this.recent.length)]! : this.traffic.next();
      await this.deliver(batch, resend);
    }
  }

  private async deliver(batch: SoakBatch, resend: boolean): Promise<void> {
    if (resend) this.totals.resends++;
    else this.totals.newBatches++;
    for (let attempt = 1; ; attempt++) {
      const answer = await this.post(batch.body);
      this.totals.requests++;
      this.interval.requests++;
      this.interval.latenciesMs.push(answer.ms);
      if (answer.status === 200) {
        this.check(batch, resend, attempt > 1, answer.body);
        return;
      }
      this.interval.errors++;
      this.totals.badLinesInFailedAttempts += batch.badLines;
      const key = answer.status === 0 ? 'no answer' : String(answer.status);
      this.totals.errorAnswers[key] = (this.totals.errorAnswers[key] ?? 0) + 1;
      if (attempt === MAX_ATTEMPTS || this.stopping) {
        this.totals.abandonedBatches++;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, (answer.retryAfterSeconds ?? 1) * 1000));
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
      ? { accepted: 0, duplicates: batch.events, rejected: batch.badLines }
      : { accepted: batch.events, duplicates: 0, rejected: batch.badLines };
    const matches = retried && !resend
      ? accepted + duplicates === batch.events && rejected === batch.badLines
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
    let recentEvents = this.recent.reduce((sum, recent) => sum + recent.events, 0);
    while (recentEvents > RECENT_EVENTS) recentEvents -= this.recent.shift()!.events;
  }

  private post(body: Buffer): Promise<Answer> {
    return new Promise((resolve) => {
      const started = process.hrtime.bigint();
      const elapsedMs = () => Number(process.hrtime.bigint() - started) / 1e6;
      const request = http.request(
        this.url,
        {
          method: 'POST',
          agent: this.agent,
          headers: { authorization: this.authorization, 'content-type': 'text/plain', 'content-encoding': 'gzip', 'content-length': body.length },
        },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => {
            const retryAfter = Number(response.headers['retry-after']);
            resolve({ status: response.statusCode ?? 0, body: text, retryAfterSeconds: Number.isFinite(retryAfter) ? retryAfter : undefined, ms: elapsedMs() });
          });
        },
      );
      request.on('error', (error) => resolve({ status: 0, body: error.message, retryAfterSeconds: undefined, ms: elapsedMs() }));
      request.end(body);
    });
  }
}
