import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { EventStore, segmentName, type StoredEvent } from '../../src/konnect/event-store';
import type { TargetKey } from '../../src/konnect/model';

const HOUR = 3_600_000;
const T0 = Date.parse('2025-06-18T21:00:00Z');
const event = (at: number, target: TargetKey = 'org', tag = String(at)): StoredEvent => ({ at, target, cef: `cef ${tag}`, json: `{"json":"${tag}"}`, cps: `{"event":{"cps":"${tag}"}}` });

async function collect(store: EventStore, target: TargetKey, start: number, end: number): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const item of store.read(target, start, end)) out.push(item);
  return out;
}

describe('event store (7-day replay source)', () => {
  let directory: string;
  beforeEach(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'konnect-events-'));
  });
  afterEach(() => fs.rmSync(directory, { recursive: true, force: true }));

  it('keeps events in hourly segments and reads a window for one webhook, in order', async () => {
    const store = await EventStore.open(directory);
    await store.append([event(T0 + 10), event(T0 + HOUR + 5), event(T0 + 20, 'portal:p'), event(T0 + 2 * HOUR)]);
    await store.append([event(T0 + 30)]);
    expect(fs.readdirSync(store.directory).sort()).toEqual(['2025-06-18T21.ndjson', '2025-06-18T22.ndjson', '2025-06-18T23.ndjson']);
    expect((await collect(store, 'org', T0, T0 + 3 * HOUR)).map((item) => item.at)).toEqual([T0 + 10, T0 + 30, T0 + HOUR + 5, T0 + 2 * HOUR]);
    expect((await collect(store, 'org', T0 + 15, T0 + HOUR + 5)).map((item) => item.at)).toEqual([T0 + 30, T0 + HOUR + 5]);
    expect((await collect(store, 'portal:p', 0, Number.MAX_SAFE_INTEGER)).map((item) => item.json)).toEqual([`{"json":"${T0 + 20}"}`]);
    expect(await collect(store, 'org', T0 + 3 * HOUR, T0 + 4 * HOUR)).toEqual([]);
  });

  it('keeps the lines exactly, whatever they contain', async () => {
    const store = await EventStore.open(directory);
    const tricky = { ...event(T0), cef: 'x user_agent=a "b" \\ c=d sig=abc', json: '{"trace_id":6891110586028963295,"sig":"x"}' };
    await store.append([tricky]);
    expect(await collect(store, 'org', T0, T0)).toEqual([tricky]);
  });

  it('gzips the segments of hours that are over, still reads them, and takes late arrivals for an old hour', async () => {
    const store = await EventStore.open(directory);
    await store.append([event(T0 + 1), event(T0 + 2), event(T0 + HOUR + 1)]);
    await store.maintain(T0 + HOUR + 100, 7 * 24 * HOUR);
    expect(fs.readdirSync(store.directory).sort()).toEqual(['2025-06-18T21.ndjson.gz', '2025-06-18T22.ndjson']);
    const gz = fs.readFileSync(path.join(store.directory, '2025-06-18T21.ndjson.gz'));
    expect(zlib.gunzipSync(gz).toString('utf8').split('\n').filter(Boolean)).toHaveLength(2);
    await store.append([event(T0 + 3)]); // late, for the closed hour
    await store.maintain(T0 + 2 * HOUR + 100, 7 * 24 * HOUR);
    expect(fs.readdirSync(store.directory).sort()).toEqual(['2025-06-18T21.ndjson.gz', '2025-06-18T22.ndjson.gz']);
    expect((await collect(store, 'org', T0, T0 + 2 * HOUR)).map((item) => item.at)).toEqual([T0 + 1, T0 + 2, T0 + 3, T0 + HOUR + 1]);
  });

  it('deletes segments older than the retention', async () => {
    const store = await EventStore.open(directory);
    const week = 7 * 24 * HOUR;
    await store.append([event(T0 - week - 2 * HOUR), event(T0 - week + HOUR), event(T0)]);
    await store.maintain(T0 + 10, week);
    expect(fs.readdirSync(store.directory).map((file) => file.slice(0, 13)).sort()).toEqual([segmentName(T0 - week + HOUR), segmentName(T0)]);
    expect((await collect(store, 'org', 0, T0 + HOUR)).map((item) => item.at)).toEqual([T0 - week + HOUR, T0]);
  });

  it('skips a torn last line (a crash during a write)', async () => {
    const store = await EventStore.open(directory);
    await store.append([event(T0 + 1)]);
    fs.appendFileSync(path.join(store.directory, `${segmentName(T0)}.ndjson`), '{"at":12');
    expect((await collect(store, 'org', T0, T0 + HOUR)).map((item) => item.at)).toEqual([T0 + 1]);
  });
});

describe('event store maintenance during a read', () => {
  it('leaves the files alone while a replay is reading, and catches up afterwards', async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'konnect-events-'));
    try {
      const store = await EventStore.open(directory);
      await store.append([event(T0 + 1), event(T0 + 2)]);
      const reading = store.read('org', T0, T0 + HOUR);
      expect((await reading.next()).value.at).toBe(T0 + 1);
      await store.maintain(T0 + 2 * HOUR, 7 * 24 * HOUR);
      expect(fs.readdirSync(store.directory)).toEqual(['2025-06-18T21.ndjson']);
      expect((await reading.next()).value.at).toBe(T0 + 2);
      expect((await reading.next()).done).toBe(true);
      await store.maintain(T0 + 2 * HOUR, 7 * 24 * HOUR);
      expect(fs.readdirSync(store.directory)).toEqual(['2025-06-18T21.ndjson.gz']);
    } finally {
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });
});
