/**
 * File rotation: by size, by time, gzip of rotated files (gunzipped and checked), the retention
 * count, and SIGHUP reopen after a logrotate-style move. Nothing acknowledged is lost across
 * the files, and every file holds only complete JSON lines.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { FileSink } from '../../src/sinks/file-sink';
import {
  eventually,
  GZIP_HEADERS,
  makeTempDir,
  numberedBatch,
  numberedEvent,
  pool,
  post,
  removeDir,
  seqsOf,
  sleep,
  spawnReceiver,
  strictRecords,
  type SpawnedReceiver,
} from './support';

jest.setTimeout(40_000);

const ROTATED = /^events\.ndjson\.\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}Z(\.gz)?$/;

/** Rotated files of the events sink, oldest first. */
function rotatedFiles(directory: string): string[] {
  return fs
    .readdirSync(directory)
    .filter((name) => ROTATED.test(name))
    .sort()
    .map((name) => path.join(directory, name));
}

/** Records of a file, gunzipping .gz files, strictly (complete JSON lines only). */
function recordsOf(file: string): Array<Record<string, any>> {
  if (!file.endsWith('.gz')) return strictRecords(file);
  const copy = `${file}.check.ndjson`;
  fs.writeFileSync(copy, zlib.gunzipSync(fs.readFileSync(file)));
  try {
    return strictRecords(copy);
  } finally {
    fs.rmSync(copy);
  }
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, index) => from + index);

describe('rotation', () => {
  let receiver: SpawnedReceiver | undefined;
  afterEach(async () => {
    await receiver?.cleanup();
    receiver = undefined;
  });

  it('by size: no file passes --rotate-size, and the files together hold every event in order', async () => {
    receiver = await spawnReceiver({ flags: ['--rotate-size', '4kb', '--rotate-gzip', 'false', '--rotate-keep', '1000'] });
    for (let request = 0; request < 40; request++) {
      expect((await post(receiver.url, numberedBatch(request * 3, 3), { headers: GZIP_HEADERS })).status).toBe(200);
    }
    expect(await receiver.stop('SIGTERM')).toBe(0);
    const files = [...rotatedFiles(receiver.directory), receiver.eventsFile];
    expect(files.length).toBeGreaterThanOrEqual(8);
    for (const file of files) expect(fs.statSync(file).size).toBeLessThanOrEqual(4096);
    expect(files.flatMap((file) => seqsOf(recordsOf(file)))).toEqual(range(0, 120));
  });

  it('by time: a file older than --rotate-interval is rotated at its next write', async () => {
    receiver = await spawnReceiver({ flags: ['--rotate-interval', '400ms', '--rotate-gzip', 'false'] });
    expect((await post(receiver.url, numberedBatch(0, 5), { headers: GZIP_HEADERS })).status).toBe(200);
    expect((await post(receiver.url, numberedBatch(5, 5), { headers: GZIP_HEADERS })).status).toBe(200); // same file
    await sleep(600);
    expect((await post(receiver.url, numberedBatch(10, 5), { headers: GZIP_HEADERS })).status).toBe(200);
    await sleep(600);
    expect((await post(receiver.url, numberedBatch(15, 5), { headers: GZIP_HEADERS })).status).toBe(200);
    expect(await receiver.stop('SIGTERM')).toBe(0);
    const rotated = rotatedFiles(receiver.directory);
    expect(rotated.map((file) => seqsOf(recordsOf(file)))).toEqual([range(0, 10), range(10, 15)]);
    expect(seqsOf(recordsOf(receiver.eventsFile))).toEqual(range(15, 20));
  });

  it('gzips rotated files (complete, readable with gunzip) and keeps only --rotate-keep of them', async () => {
    receiver = await spawnReceiver({ flags: ['--rotate-size', '3kb', '--rotate-gzip', 'true', '--rotate-keep', '3'] });
    for (let request = 0; request < 30; request++) {
      expect((await post(receiver.url, numberedBatch(request * 4, 4), { headers: GZIP_HEADERS })).status).toBe(200);
    }
    // Compression and pruning run in the background; SIGTERM waits for them.
    expect(await receiver.stop('SIGTERM')).toBe(0);
    const rotated = rotatedFiles(receiver.directory);
    expect(rotated).toHaveLength(3);
    for (const file of rotated) expect(file).toMatch(/\.gz$/);
    expect(fs.readdirSync(receiver.directory).filter((name) => name.endsWith('.partial'))).toEqual([]);
    // The newest files are kept: together with the current file, an unbroken run up to the last event.
    const kept = [...rotated, receiver.eventsFile].flatMap((file) => seqsOf(recordsOf(file)));
    expect(kept.length).toBeGreaterThan(12);
    expect(kept).toEqual(range(120 - kept.length, 120));
    // The dead letter rotates under the same policy; none was written here.
    expect(fs.existsSync(receiver.deadLetterFile)).toBe(true);
  });

  it('after a restart, knows the events of the files it rotated into: a resent batch written before the last rotation is all duplicates', async () => {
    receiver = await spawnReceiver({ flags: ['--rotate-size', '3kb', '--rotate-gzip', 'true', '--rotate-keep', '100'] });
    const early = numberedBatch(0, 4);
    expect((await post(receiver.url, early, { headers: GZIP_HEADERS })).status).toBe(200);
    for (let request = 1; request < 12; request++) {
      expect((await post(receiver.url, numberedBatch(request * 4, 4), { headers: GZIP_HEADERS })).status).toBe(200);
    }
    expect(await receiver.stop('SIGTERM')).toBe(0);
    expect(seqsOf(strictRecords(receiver.eventsFile))).not.toContain(0); // the early batch is in a rotated .gz only
    const directory = receiver.directory;
    const restarted = await spawnReceiver({ directory, flags: ['--rotate-size', '3kb', '--rotate-gzip', 'true', '--rotate-keep', '100'] });
    try {
      const again = await post(restarted.url, early, { headers: GZIP_HEADERS });
      expect(again.status).toBe(200);
      expect(again.json()).toEqual({ accepted: 0, rejected: 0, duplicates: 4 });
    } finally {
      await restarted.cleanup();
    }
  });

  /** Writes a batch, changes the events file as `change` says, writes on until it rotated several times; the files' access after. */
  async function accessAfterRotations(change: (eventsFile: string) => void): Promise<Array<{ file: string; gid: number; mode: number }>> {
    receiver = await spawnReceiver({ flags: ['--rotate-size', '3kb', '--rotate-gzip', 'true', '--rotate-keep', '100'] });
    expect((await post(receiver.url, numberedBatch(0, 4), { headers: GZIP_HEADERS })).status).toBe(200);
    change(receiver.eventsFile);
    for (let request = 1; request < 12; request++) {
      expect((await post(receiver.url, numberedBatch(request * 4, 4), { headers: GZIP_HEADERS })).status).toBe(200);
    }
    expect(await receiver.stop('SIGTERM')).toBe(0);
    const rotated = rotatedFiles(receiver.directory);
    expect(rotated.length).toBeGreaterThan(2);
    return [...rotated, receiver.eventsFile].map((file) => ({ file: path.basename(file), gid: fs.statSync(file).gid, mode: fs.statSync(file).mode & 0o777 }));
  }

  it('keeps the permissions of the file it rotates, a chmod made while running included, for the new file and the .gz', async () => {
    const files = await accessAfterRotations((eventsFile) => {
      expect(fs.statSync(eventsFile).mode & 0o777).not.toBe(0o600); // the umask's, wider than the chmod below
      fs.chmodSync(eventsFile, 0o600);
    });
    for (const { file, mode } of files) expect({ file, mode }).toEqual({ file, mode: 0o600 });
  });

  it('gives the new file and the .gz the group of the file it rotates as well, so a shipper in that group still reads them', async () => {
    // A group this user may give a file: any for root (adm here), else one it is in.
    const group = process.getuid?.() === 0 ? 4 : (process.getgroups?.().find((gid) => gid !== process.getgid?.()) ?? process.getgid!());
    const files = await accessAfterRotations((eventsFile) => {
      fs.chownSync(eventsFile, -1, group);
      fs.chmodSync(eventsFile, 0o640);
    });
    for (const { file, gid, mode } of files) expect({ file, gid, mode }).toEqual({ file, gid: group, mode: 0o640 });
  });

  it('finishes compression that a killed process left half-done: the .gz.partial goes, and its rotated file is compressed at the next start', async () => {
    const directory = makeTempDir('leftover');
    const rotated = path.join(directory, 'events.ndjson.2026-11-24T03-54-17.123Z');
    const content = `${JSON.stringify({ event: { seq: 1 } })}\n${JSON.stringify({ event: { seq: 2 } })}\n`;
    fs.writeFileSync(rotated, content);
    fs.writeFileSync(`${rotated}.gz.partial`, 'cut short');
    receiver = await spawnReceiver({ directory, flags: ['--rotate-gzip', 'true'] });
    // The leftover is compressed in the background after the start (a SIGTERM does not wait for
    // it, by design): wait until it is done before stopping.
    for (const deadline = Date.now() + 10_000; !fs.existsSync(`${rotated}.gz`) || fs.existsSync(rotated); ) {
      if (Date.now() > deadline) throw new Error('the leftover was not compressed within 10 s of the start');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await receiver.stop('SIGTERM')).toBe(0);
    expect(fs.readdirSync(directory).filter((name) => name.startsWith('events.ndjson.')).sort()).toEqual([
      'events.ndjson.2026-11-24T03-54-17.123Z.gz',
    ]);
    expect(zlib.gunzipSync(fs.readFileSync(`${rotated}.gz`)).toString()).toBe(content);
    expect(receiver.stderr()).not.toMatch(/background work failed/);
    removeDir(directory);
  });

  it('rotating at every write under 32 concurrent clients loses no event', async () => {
    // Every write rotates (1-byte limit); concurrent requests make back-to-back rotations.
    receiver = await spawnReceiver({ flags: ['--rotate-size', '1', '--rotate-gzip', 'false', '--rotate-keep', '100000'] });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
    const statuses = await pool(600, 32, async (index) => (await post(receiver!.url, numberedEvent(index * 2), { agent })).status);
    agent.destroy();
    expect(statuses.every((status) => status === 200)).toBe(true);
    expect(await receiver.stop('SIGTERM')).toBe(0);
    const files = [...rotatedFiles(receiver.directory), receiver.eventsFile];
    const seqs = files.flatMap((file) => seqsOf(recordsOf(file)));
    expect(seqs.length).toBe(600);
    expect([...seqs].sort((a, b) => a - b)).toEqual(range(0, 600).map((index) => index * 2));
  });

  it('a file sink written back to back, rotating at every write, completes every write and keeps every rotated file', async () => {
    // Each write is issued as soon as the previous one resolved, so rotations come well within a
    // millisecond of each other: the rotated names must still be unique, and no write may stall.
    const directory = makeTempDir('rotate-sink');
    try {
      const sink = new FileSink(path.join(directory, 'events.ndjson'), 'file:events', {
        fsync: 'never',
        fsyncIntervalMs: 1000,
        rotation: { maxBytes: 1, intervalMs: undefined, keep: 100_000, gzip: false },
      });
      await sink.open();
      for (let seq = 0; seq < 1000; seq++) await sink.write(`{"event":{"seq":${seq}}}\n`);
      await sink.close();
      const files = [...rotatedFiles(directory), path.join(directory, 'events.ndjson')];
      expect(files).toHaveLength(1000);
      expect(files.flatMap((file) => seqsOf(recordsOf(file)))).toEqual(range(0, 1000));
    } finally {
      removeDir(directory);
    }
  }, 20_000);

  it('SIGHUP reopens the file after a logrotate-style move: new events land at the original path, nothing is lost across both files', async () => {
    receiver = await spawnReceiver();
    const moved = `${receiver.eventsFile}.1`;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    const acknowledged: number[] = [];
    let nextSeq = 0;
    let running = true;
    const load = Promise.all(
      Array.from({ length: 4 }, async () => {
        while (running) {
          const first = nextSeq;
          nextSeq += 10;
          const answer = await post(receiver!.url, numberedBatch(first, 10), { headers: GZIP_HEADERS, agent });
          expect(answer.status).toBe(200);
          acknowledged.push(...range(first, first + 10));
        }
      }),
    );
    try {
      await eventually(() => acknowledged.length >= 500, 10_000, 'load before the move');
      fs.renameSync(receiver.eventsFile, moved); // what logrotate does first
      await sleep(20);
      process.kill(receiver.pid, 'SIGHUP'); // then its postrotate script
      await receiver.waitForStderr(/"message":"reopening files"/, 5_000);
      const atSignal = acknowledged.length;
      await eventually(() => acknowledged.length >= atSignal + 500, 10_000, 'load after the signal');
    } finally {
      running = false;
      await load;
      agent.destroy();
    }
    expect(await receiver.stop('SIGTERM')).toBe(0);

    const before = seqsOf(strictRecords(moved));
    const after = seqsOf(strictRecords(receiver.eventsFile));
    expect(before.length).toBeGreaterThanOrEqual(500);
    expect(after.length).toBeGreaterThanOrEqual(500);
    const all = [...before, ...after];
    expect(new Set(all).size).toBe(all.length);
    expect([...all].sort((a, b) => a - b)).toEqual([...acknowledged].sort((a, b) => a - b));
    // The new file started after the move: nothing in it is older than what the moved one ends with.
    expect(Math.min(...after)).toBeGreaterThan(Math.min(...before));
  });
});
