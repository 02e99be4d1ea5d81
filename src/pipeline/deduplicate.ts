/**
 * Remembers the events written lately, so that a resent one (Konnect's retry after an answer it
 * never got, a replay job over a window partly delivered) is acknowledged without being written
 * again. An event counts as written only once its write completed; while another request is
 * writing it, a request that carries it too waits for that write and fails if it fails, so a
 * 2xx still means every event of the request is in the sinks.
 */

export interface Claim {
  /** Indexes of the events this request writes: new ones, every copy of those it repeats included. */
  fresh: number[];
  /** Indexes of the events already written, or being written by another request. */
  duplicates: number[];
  /** Call once this request's write completed: its fresh events count as written. */
  written(): void;
  /** Call when this request's write failed: its fresh events are not written. */
  failed(): void;
  /** Resolves when the other requests this one shares events with have written them; rejects if one failed. */
  othersWritten(): Promise<void>;
}

export class Deduplicator {
  /** Written identities. */
  private readonly remembered = new Set<string>();
  /**
   * The same identities in the order they were written, as a ring once full: `oldest` is the
   * next to forget. Taking the oldest from the Set itself (`values().next()`) walks past every
   * slot deleted before it, which stalled the event loop for seconds once the window was full.
   */
  private readonly order: string[] = [];
  private oldest = 0;
  /** Identities being written, and the write that will settle them. */
  private readonly writing = new Map<string, Promise<void>>();

  /** `capacity`: how many written events are remembered; the oldest are forgotten first. */
  constructor(readonly capacity: number) {}

  claim(identities: readonly string[]): Claim {
    const fresh: number[] = [];
    const duplicates: number[] = [];
    const mine = new Set<string>();
    const others = new Set<Promise<void>>();
    identities.forEach((identity, index) => {
      // Copies within one request are all written: a sender resends whole requests, and two
      // identical lines in one (a sender with second-resolution times) are two events.
      if (mine.has(identity)) {
        fresh.push(index);
        return;
      }
      const other = this.writing.get(identity);
      if (this.remembered.has(identity) || other !== undefined) {
        if (other !== undefined) others.add(other);
        duplicates.push(index);
        return;
      }
      mine.add(identity);
      fresh.push(index);
    });
    let settle!: (ok: boolean) => void;
    const outcome = new Promise<void>((resolve, reject) => {
      settle = (ok) => (ok ? resolve() : reject(new Error('another request carrying the same events failed to write them')));
    });
    outcome.catch(() => undefined); // only requests that share events observe it
    for (const identity of mine) this.writing.set(identity, outcome);
    let settled = false;
    const finish = (ok: boolean) => {
      if (settled) return;
      settled = true;
      for (const identity of mine) {
        this.writing.delete(identity);
        if (ok) this.remember(identity);
      }
      settle(ok);
    };
    return {
      fresh,
      duplicates,
      written: () => finish(true),
      failed: () => finish(false),
      othersWritten: async () => {
        await Promise.all(others);
      },
    };
  }

  /** How many written events are remembered now. */
  get size(): number {
    return this.remembered.size;
  }

  /** Count `identity` as written (the newest). */
  remember(identity: string): void {
    if (this.capacity === 0 || this.remembered.has(identity)) return;
    if (this.order.length < this.capacity) {
      this.order.push(identity);
    } else {
      this.remembered.delete(this.order[this.oldest]!);
      this.order[this.oldest] = identity;
      this.oldest = (this.oldest + 1) % this.capacity;
    }
    this.remembered.add(identity);
  }
}

/** The records at `keep` (indexes, ascending) of newline-terminated records ending at `ends`. */
export function keepRecords(records: Buffer, ends: readonly number[], keep: readonly number[]): Buffer {
  if (keep.length === ends.length) return records;
  return Buffer.concat(keep.map((index) => records.subarray(index === 0 ? 0 : ends[index - 1], ends[index])));
}
