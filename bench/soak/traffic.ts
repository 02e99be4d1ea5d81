/**
 * The soak's requests: Konnect batches in which every event is new (its `trace_id` is the base
 * plus a sequence number), so that each one can be looked for on disk afterwards, with a share of
 * lines that are no event at all (for the dead letter). JSON and CEF batches alternate.
 *
 * Events are not signed: signing costs about 75 µs an event, which would make the load generator
 * the busiest process on the machine. The receiver runs with signatures off, as it does by default.
 */
import { gzipSync } from 'node:zlib';
import { formatKonnectCef } from '../../src/formats/cef';
import { stringifySorted } from '../../src/formats/json/stringify';
import { makeKonnectEvents, prng, type LineFormat } from '../events';

/** Every soak event's trace_id is this plus its sequence number (19 digits, as Konnect's are). */
export const TRACE_ID_BASE = 1_000_000_000_000_000_000n;

export interface SoakBatch {
  format: LineFormat;
  /** The gzip'd body. */
  body: Buffer;
  /** Sequence number of the batch's first event; its events are numbered on from there. */
  firstSequence: number;
  /** Events in the batch (lines that are events). */
  events: number;
  /** Lines that are no event, which the receiver dead-letters; each one's text is unique. */
  badLines: string[];
  /** Answers to this batch (resends included), for what the dead letter must hold of its bad lines. */
  answers: DeadLetterTally;
}

/** How often a batch's bad lines must be in the dead letter: once per 200, and perhaps once per attempt whose answer was lost. */
export interface DeadLetterTally {
  answered: number;
  unanswered: number;
}

export class SoakTraffic {
  private readonly templates = makeKonnectEvents(2_000);
  private readonly random: () => number;
  private nextSequence = 0;
  private batches = 0;

  constructor(
    private readonly eventsPerRequest: number,
    /** Share of lines that are no event, from 0 to 1. */
    private readonly badLineShare: number,
    seed = 20261206,
  ) {
    this.random = prng(seed);
  }

  /** Events numbered so far: every sequence number below this was put in a batch. */
  get sequencesUsed(): number {
    return this.nextSequence;
  }

  next(): SoakBatch {
    const format: LineFormat = this.batches++ % 2 === 0 ? 'json' : 'cef';
    const firstSequence = this.nextSequence;
    const lines: string[] = [];
    const badLines: string[] = [];
    for (let line = 0; line < this.eventsPerRequest; line++) {
      if (this.random() < this.badLineShare) {
        const bad = `this line is no audit event (soak batch ${this.batches}, line ${line + 1})`;
        lines.push(bad);
        badLines.push(bad);
        continue;
      }
      const sequence = this.nextSequence++;
      const event = { ...this.templates[sequence % this.templates.length]!, trace_id: TRACE_ID_BASE + BigInt(sequence) };
      lines.push(format === 'json' ? stringifySorted(event) : formatKonnectCef(event));
    }
    return { format, body: gzipSync(`${lines.join('\n')}\n`), firstSequence, events: this.nextSequence - firstSequence, badLines, answers: { answered: 0, unanswered: 0 } };
  }
}
