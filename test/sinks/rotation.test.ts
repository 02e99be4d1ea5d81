import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { FileSink } from '../../src/sinks/file-sink';
import { compressLeftovers, compressRotated } from '../../src/sinks/rotation';

describe('rotated files', () => {
  let directory: string;
  beforeEach(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'rotation-'));
  });
  afterEach(() => fs.rmSync(directory, { recursive: true, force: true }));

  const rotated = (stamp: string) => path.join(directory, `events.ndjson.2026-11-24T03-54-${stamp}.000Z`);
  const names = () => fs.readdirSync(directory).sort();

  it('compresses a rotated file to .gz and removes it', async () => {
    fs.writeFileSync(rotated('01'), 'a\nb\n');
    await compressRotated(rotated('01'));
    expect(names()).toEqual(['events.ndjson.2026-11-24T03-54-01.000Z.gz']);
    expect(zlib.gunzipSync(fs.readFileSync(`${rotated('01')}.gz`)).toString()).toBe('a\nb\n');
  });

  it('skips a file pruned before its turn came, leaving no .gz.partial', async () => {
    await expect(compressRotated(rotated('02'))).resolves.toBeUndefined();
    expect(names()).toEqual([]);
  });

  it('stops when aborted, leaving the rotated file whole and no .gz.partial', async () => {
    fs.writeFileSync(rotated('03'), randomBytes(8 * 1024 * 1024));
    const stop = new AbortController();
    const compressing = compressLeftovers(path.join(directory, 'events.ndjson'), stop.signal);
    setTimeout(() => stop.abort(), 5);
    await compressing;
    expect(names()).toEqual(['events.ndjson.2026-11-24T03-54-03.000Z']);
    expect(fs.statSync(rotated('03')).size).toBe(8 * 1024 * 1024);
  });

  it('a file sink closing does not wait for leftovers of an earlier run: they stay whole for the next start', async () => {
    for (const stamp of ['04', '05', '06']) fs.writeFileSync(rotated(stamp), randomBytes(8 * 1024 * 1024));
    const sink = new FileSink(path.join(directory, 'events.ndjson'), 'file', {
      fsync: 'never',
      fsyncIntervalMs: 1000,
      rotation: { maxBytes: 1024 * 1024, intervalMs: undefined, keep: 10, gzip: true },
    });
    await sink.open();
    await sink.close();
    const left = names().filter((name) => name !== 'events.ndjson');
    expect(left.filter((name) => name.endsWith('.partial'))).toEqual([]);
    // Each leftover is either compressed whole or still there whole; not all three were compressed.
    expect(left.filter((name) => !name.endsWith('.gz')).length).toBeGreaterThan(0);
    for (const name of left.filter((entry) => !entry.endsWith('.gz'))) expect(fs.statSync(path.join(directory, name)).size).toBe(8 * 1024 * 1024);
  });
});
