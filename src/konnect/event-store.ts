/**
 * The 7-day event store that replay jobs read from (konnect-audit-logs.md §3.1, §5).
 * Each event is kept as it was signed, in all three formats, so a replay re-sends the very
 * lines that went out (or would have gone out) the first time.
 *
 * Layout: `<data dir>/events/<YYYY-MM-DDTHH>.ndjson`, one segment per UTC hour of event time,
 * one JSON record per line. Once its hour is over a segment is gzip'd to `.ndjson.gz`
 * (appended as a gzip member, so late arrivals for an old hour still fit), and segments
 * older than the retention are deleted.
 */
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import readline from 'node:readline';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { LogFormat, TargetKey } from './model';
import { ensureDirectory } from '../sinks/ensure-directory';

const gzip = promisify(zlib.gzip);
const HOUR_MS = 3_600_000;
const SEGMENT = /^(\d{4}-\d{2}-\d{2}T\d{2})\.ndjson(\.gz)?$/;

export interface StoredEvent {
  /** Event time, ms since the epoch (`rt`). Replay windows select on it. */
  at: number;
  /** Whose webhook the event belongs to. */
  target: TargetKey;
  /** The signed line in each format. */
  cef: string;
  json: string;
  cps: string;
}

export const lineOf = (event: StoredEvent, format: LogFormat): string => event[format];

export class EventStore {
  private chain: Promise<void> = Promise.resolve();
  /** Reads under way; maintenance waits for a round without any, so no file moves under a replay. */
  private readers = 0;

  private constructor(readonly directory: string) {}

  static async open(dataDir: string): Promise<EventStore> {
    const directory = path.join(dataDir, 'events');
    await ensureDirectory(directory);
    return new EventStore(directory);
  }

  /** Appends events to the segments of their hours. Writes are serialized. */
  append(events: readonly StoredEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    const bySegment = new Map<string, string[]>();
    for (const event of events) {
      const name = segmentName(event.at);
      let lines = bySegment.get(name);
      if (!lines) bySegment.set(name, (lines = []));
      lines.push(JSON.stringify(event));
    }
    return this.serialize(async () => {
      for (const [name, lines] of bySegment) {
        await fs.appendFile(path.join(this.directory, `${name}.ndjson`), `${lines.join('\n')}\n`, { mode: 0o600 });
      }
    });
  }

  /**
   * The stored events of `target` whose time is within [startMs, endMs], oldest segment first
   * and in the order they were stored within a segment.
   */
  async *read(target: TargetKey, startMs: number, endMs: number): AsyncGenerator<StoredEvent> {
    await this.chain;
    this.readers += 1;
    try {
      yield* this.readSegments(target, startMs, endMs);
    } finally {
      this.readers -= 1;
    }
  }

  private async *readSegments(target: TargetKey, startMs: number, endMs: number): AsyncGenerator<StoredEvent> {
    const names = await this.segmentNames();
    const first = Math.floor(startMs / HOUR_MS) * HOUR_MS;
    for (const [name, files] of names) {
      const hourStart = Date.parse(`${name}:00:00Z`);
      if (hourStart < first || hourStart > endMs) continue;
      // The compressed part holds what was stored before the hour was over; the plain part what came later.
      for (const file of [...files].sort((a, b) => Number(b.endsWith('.gz')) - Number(a.endsWith('.gz')))) {
        for await (const event of readSegment(path.join(this.directory, file))) {
          if (event.target === target && event.at >= startMs && event.at <= endMs) yield event;
        }
      }
    }
  }

  /**
   * Compresses the segments of hours that are over and deletes those older than `retentionMs`.
   * Skipped while a replay is reading; the next round (every 10 minutes) catches up.
   */
  maintain(nowMs: number, retentionMs: number): Promise<void> {
    return this.serialize(async () => {
      if (this.readers > 0) return; // next round
      const currentHour = Math.floor(nowMs / HOUR_MS) * HOUR_MS;
      for (const [name, files] of await this.segmentNames()) {
        const hourStart = Date.parse(`${name}:00:00Z`);
        if (hourStart + HOUR_MS <= nowMs - retentionMs) {
          for (const file of files) await fs.rm(path.join(this.directory, file), { force: true });
        } else if (hourStart < currentHour && files.includes(`${name}.ndjson`)) {
          const plain = path.join(this.directory, `${name}.ndjson`);
          const member = await gzip(await fs.readFile(plain));
          await fs.appendFile(path.join(this.directory, `${name}.ndjson.gz`), member, { mode: 0o600 });
          await fs.rm(plain);
        }
      }
    });
  }

  /** Resolves when pending writes are done. */
  flush(): Promise<void> {
    return this.chain;
  }

  private serialize(work: () => Promise<void>): Promise<void> {
    const next = this.chain.then(work);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Segment hour → its files, in hour order. */
  private async segmentNames(): Promise<Array<[string, string[]]>> {
    const byName = new Map<string, string[]>();
    for (const file of await fs.readdir(this.directory)) {
      const match = SEGMENT.exec(file);
      if (!match) continue;
      let files = byName.get(match[1]!);
      if (!files) byName.set(match[1]!, (files = []));
      files.push(file);
    }
    return [...byName.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }
}

export function segmentName(atMs: number): string {
  return new Date(Math.floor(atMs / HOUR_MS) * HOUR_MS).toISOString().slice(0, 13);
}

async function* readSegment(file: string): AsyncGenerator<StoredEvent> {
  let stream: NodeJS.ReadableStream;
  try {
    await fs.access(file);
  } catch {
    return; // removed by retention meanwhile
  }
  const raw = createReadStream(file);
  stream = file.endsWith('.gz') ? raw.pipe(zlib.createGunzip()) : raw;
  const lines = readline.createInterface({ input: stream, crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      if (line === '') continue;
      let record: StoredEvent;
      try {
        record = JSON.parse(line) as StoredEvent;
      } catch {
        continue; // a torn last line after a crash
      }
      yield record;
    }
  } finally {
    lines.close();
    raw.destroy();
  }
}
