/**
 * After a soak: is every acknowledged event on disk exactly once? Reads the events file and every
 * file it was rotated into (gzip'd or not), and counts each record's `event.trace_id` against the
 * sequence numbers the load generator saw acknowledged; then counts the dead letter's lines.
 */
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import readline from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { listRotated } from '../../src/sinks/rotation';
import { TRACE_ID_BASE } from './traffic';

export interface Verification {
  /** Files read: the live file and the rotated ones, per output. */
  eventFiles: number;
  deadLetterFiles: number;
  records: number;
  deadLetterLines: number;
  /** How often each `raw` is in the dead letter. */
  deadLetterRaw: Map<string, number>;
  /** Acknowledged events found nowhere: the one thing that must never happen. */
  lost: number[];
  /** Events written more than once. */
  duplicated: number[];
  /** Events on disk whose request was never acknowledged (answered with an error, then sent again). */
  writtenUnacknowledged: number;
  /** Lines that are no record of a soak event: not JSON, or no trace_id the load generator made. */
  foreignLines: number;
}

/** A file's lines, gunzipped when its name ends in .gz. */
async function* linesOf(file: string): AsyncGenerator<string> {
  const bytes: Readable = createReadStream(file);
  const text = file.endsWith('.gz') ? bytes.pipe(createGunzip()) : bytes;
  for await (const line of readline.createInterface({ input: text, crlfDelay: Infinity })) if (line !== '') yield line;
}

/** The file and what it was rotated into, oldest last; a file not there is left out. */
async function withRotated(file: string): Promise<string[]> {
  const live = await fs.access(file).then(() => [file], () => []);
  return [...live, ...(await listRotated(file))];
}

/** The soak sequence number of a record's event, or undefined when the line is not one of ours. */
function sequenceOf(line: string, sequencesUsed: number): number | undefined {
  try {
    const traceId = (JSON.parse(line) as { event?: { trace_id?: unknown } }).event?.trace_id;
    if (typeof traceId !== 'string' || !/^\d+$/.test(traceId)) return undefined;
    const sequence = BigInt(traceId) - TRACE_ID_BASE;
    return sequence >= 0n && sequence < BigInt(sequencesUsed) ? Number(sequence) : undefined;
  } catch {
    return undefined;
  }
}

/** A dead-letter record's `raw`; the line itself when it is no record. */
function rawOf(line: string): string {
  try {
    const raw = (JSON.parse(line) as { raw?: unknown }).raw;
    return typeof raw === 'string' ? raw : line;
  } catch {
    return line;
  }
}

/** `acknowledged[n]` is 1 when the event with sequence number n was acknowledged (a 2xx). */
export async function verifySoak(eventsFile: string, deadLetterFile: string, acknowledged: Uint8Array): Promise<Verification> {
  const copies = new Uint8Array(acknowledged.length);
  const eventFiles = await withRotated(eventsFile);
  let records = 0;
  let foreignLines = 0;
  for (const file of eventFiles) {
    for await (const line of linesOf(file)) {
      records++;
      const sequence = sequenceOf(line, acknowledged.length);
      if (sequence === undefined) foreignLines++;
      else if (copies[sequence]! < 255) copies[sequence]!++;
    }
  }
  const deadLetterFiles = await withRotated(deadLetterFile);
  let deadLetterLines = 0;
  const deadLetterRaw = new Map<string, number>();
  for (const file of deadLetterFiles) {
    for await (const line of linesOf(file)) {
      deadLetterLines++;
      const raw = rawOf(line);
      deadLetterRaw.set(raw, (deadLetterRaw.get(raw) ?? 0) + 1);
    }
  }

  const lost: number[] = [];
  const duplicated: number[] = [];
  let writtenUnacknowledged = 0;
  for (let sequence = 0; sequence < acknowledged.length; sequence++) {
    const found = copies[sequence]!;
    if (acknowledged[sequence] === 1 && found === 0) lost.push(sequence);
    if (found > 1) duplicated.push(sequence);
    if (acknowledged[sequence] !== 1 && found > 0) writtenUnacknowledged++;
  }
  return { eventFiles: eventFiles.length, deadLetterFiles: deadLetterFiles.length, records, deadLetterLines, deadLetterRaw, lost, duplicated, writtenUnacknowledged, foreignLines };
}
