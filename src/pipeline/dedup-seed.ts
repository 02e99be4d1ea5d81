/**
 * After a restart the deduplicator's memory is empty, yet that is when a replay comes (the
 * receiver was down, the admin replays the outage): it would write again every event from
 * before the outage. So the memory is filled at start from the newest records of the events
 * file, and of the files it was rotated into when it holds too few, whose `raw` gives each
 * event's identity again.
 */
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { listRotated } from '../sinks/rotation';
import type { Deduplicator } from './deduplicate';
import { eventIdentity } from './event-identity';

const CHUNK_BYTES = 1 << 20;
const NEWLINE = 0x0a;

/** The identity of a written record, as eventIdentity gave it; undefined for a line that is not one. */
function recordIdentity(line: string): string | undefined {
  let record: { raw?: unknown };
  try {
    record = JSON.parse(line) as typeof record;
  } catch {
    return undefined;
  }
  return typeof record.raw === 'string' ? eventIdentity(record.raw) : undefined;
}

/**
 * The identities of the last `count` records of `file`, oldest first. Reads the file backwards,
 * a chunk at a time, so a large file costs only its tail. A missing file has none.
 */
async function newestIdentities(file: string, count: number): Promise<string[]> {
  const handle = await fs.open(file, 'r').catch(() => undefined);
  if (!handle) return [];
  const newestFirst: string[] = [];
  try {
    let position = (await handle.stat()).size;
    let carry = Buffer.alloc(0); // the start of a line whose beginning is in an earlier chunk
    while (position > 0 && newestFirst.length < count) {
      const length = Math.min(CHUNK_BYTES, position);
      position -= length;
      const chunk = Buffer.alloc(length + carry.length);
      await handle.read(chunk, 0, length, position);
      carry.copy(chunk, length);
      let end = chunk.length;
      for (let index = chunk.lastIndexOf(NEWLINE, end - 1); index >= 0 && newestFirst.length < count; index = chunk.lastIndexOf(NEWLINE, end - 1)) {
        collect(chunk.toString('utf8', index + 1, end), newestFirst);
        end = index;
      }
      carry = chunk.subarray(0, end);
    }
    if (position === 0 && carry.length > 0 && newestFirst.length < count) collect(carry.toString('utf8'), newestFirst);
  } finally {
    await handle.close();
  }
  return newestFirst.reverse();
}

/** The identities of the last `count` records of a gzip'd rotated file, oldest first (it is read whole, a line at a time). */
async function newestIdentitiesGzipped(file: string, count: number): Promise<string[]> {
  const newest: string[] = [];
  const source = createReadStream(file);
  const gunzip = createGunzip();
  source.on('error', (error) => gunzip.destroy(error)); // .pipe() does not pass a read error on
  const lines = createInterface({ input: source.pipe(gunzip), crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      collect(line, newest);
      if (newest.length > 2 * count) newest.splice(0, newest.length - count); // amortized: keep only the tail
    }
  } catch {
    // Unreadable (another user's, a directory) or damaged: what was read before counts.
  } finally {
    source.destroy();
  }
  return newest.slice(-count);
}

/**
 * The identities of the last `count` records written to `file`, oldest first: from its end, and
 * then from the files it was rotated into, newest first, while it holds fewer than `count`.
 */
async function newestIdentitiesWithRotated(file: string, count: number): Promise<string[]> {
  const parts = [await newestIdentities(file, count)];
  let found = parts[0]!.length;
  const rotated = found < count ? await listRotated(file).catch(() => []) : [];
  for (const older of rotated) {
    if (found >= count) break;
    const read = older.endsWith('.gz') ? newestIdentitiesGzipped(older, count - found) : newestIdentities(older, count - found);
    // One that cannot be read (pruned meanwhile, damaged, another user's, a directory) holds nothing to remember.
    const identities = await read.catch(() => []);
    parts.unshift(identities);
    found += identities.length;
  }
  return parts.flat();
}

/**
 * Remembers the events that every one of `files` holds among its newest records: an event that
 * reached one sink but not another (its request failed, and the sender will resend it) must be
 * written again. Resolves to how many distinct events are remembered.
 */
export async function seedFromFiles(deduplicator: Deduplicator, files: readonly string[]): Promise<number> {
  const [first, ...others] = await Promise.all(files.map((file) => newestIdentitiesWithRotated(file, deduplicator.capacity)));
  if (first === undefined) return 0;
  const inEvery = others.map((identities) => new Set(identities));
  for (const identity of first) if (inEvery.every((set) => set.has(identity))) deduplicator.remember(identity);
  return deduplicator.size; // distinct events: a line written twice is remembered once
}

function collect(line: string, into: string[]): void {
  if (line.trim() === '') return;
  const identity = recordIdentity(line);
  if (identity !== undefined) into.push(identity);
}
