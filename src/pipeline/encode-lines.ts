/**
 * Records to bytes. The space they are encoded into is reused once the sinks are done with it:
 * fresh memory costs a page fault per 4 kB when first touched (dearly in a VM), and a batch of
 * Konnect events encodes to about 130 kB.
 */

/** Encoded records, and the way to give their memory back once nothing reads them any more. */
export interface EncodedLines {
  bytes: Buffer;
  /** Where each record ends in `bytes`, its newline included. */
  ends: number[];
  /** Call once every write of `bytes` has completed (or failed); `bytes` must not be read after. */
  release(): void;
}

const NEWLINE = 0x0a;
/** The most UTF-8 bytes one UTF-16 code unit can take (a surrogate pair takes 4 for its 2). */
const MAX_UTF8_PER_UNIT = 3;
/** Room for a typical batch; a larger one gets memory of its own, which is not kept. */
const SPACE_BYTES = 256 * 1024;
/** About the batches in flight at once; more are allocated, and dropped when released. */
const SPACES_KEPT = 16;

const spare: Buffer[] = [];

const NOTHING: EncodedLines = { bytes: Buffer.alloc(0), ends: [], release: () => undefined };

/**
 * UTF-8 of the records, each followed by a newline, in one buffer. Each record is written once,
 * with no Buffer.byteLength pass (it costs as much as the write): room is checked against the
 * most bytes the record could take.
 */
export function encodeLines(records: readonly string[]): EncodedLines {
  if (records.length === 0) return NOTHING;
  let space = spare.pop() ?? Buffer.allocUnsafeSlow(SPACE_BYTES);
  let offset = 0;
  const ends: number[] = [];
  for (const record of records) {
    const worstCase = offset + record.length * MAX_UTF8_PER_UNIT + 1;
    if (worstCase > space.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(space.length * 2, worstCase));
      space.copy(grown, 0, 0, offset);
      giveBack(space);
      space = grown;
    }
    offset += space.write(record, offset);
    space[offset++] = NEWLINE;
    ends.push(offset);
  }
  let released = false;
  return {
    bytes: space.subarray(0, offset),
    ends,
    release: () => {
      if (released) return;
      released = true;
      giveBack(space);
    },
  };
}

function giveBack(space: Buffer): void {
  if (space.length === SPACE_BYTES && spare.length < SPACES_KEPT) spare.push(space);
}

/**
 * Take back encoding space whose bytes were handed to another thread (a worker's output,
 * transferred to the main thread and sent back once written). Other sizes are left to the GC.
 */
export function adoptSpace(space: ArrayBuffer): void {
  giveBack(Buffer.from(space));
}
