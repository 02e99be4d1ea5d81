/**
 * Disk faults: a sink that cannot be written makes the request fail with 503 and Retry-After
 * (never a 2xx, never an event reported accepted), /readyz turns not ready, and the receiver
 * recovers by itself, without a restart, when the sink can be written again.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  GZIP_HEADERS,
  get,
  makeTempDir,
  numberedBatch,
  numberedEvent,
  post,
  removeDir,
  runningAsRoot,
  seqsOf,
  spawnReceiver,
  strictRecords,
  eventually,
  type SpawnedReceiver,
} from './support';

jest.setTimeout(40_000);

const receivers: SpawnedReceiver[] = [];
const directories: string[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((receiver) => receiver.cleanup()));
  directories.splice(0).forEach(removeDir);
});

async function start(options: Parameters<typeof spawnReceiver>[0]): Promise<SpawnedReceiver> {
  const receiver = await spawnReceiver(options);
  receivers.push(receiver);
  return receiver;
}

function expect503(answer: { status: number; headers: Record<string, unknown>; text: string; json(): any }): void {
  expect(answer.status).toBe(503);
  expect(answer.headers['retry-after']).toMatch(/^[1-9]\d*$/);
  expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = answer.json();
  expect(body.accepted).toBeUndefined();
  expect(body.detail).toMatch(/nothing from this request was acknowledged/);
}

describe('a sink on a full disk (/dev/full)', () => {
  it('answers 503 with Retry-After, reports no event accepted, turns /readyz not ready, and keeps serving', async () => {
    const directory = makeTempDir('dev-full');
    directories.push(directory);
    const receiver = await start({ directory, sinks: ['file:/dev/full'] });

    for (let attempt = 0; attempt < 3; attempt++) {
      expect503(await post(receiver.url, numberedBatch(attempt * 10, 10), { headers: GZIP_HEADERS }));
    }
    // A batch that also holds an unparseable line: still 503 as a whole.
    expect503(await post(receiver.url, `${numberedEvent(100)}\nnot an event\n`));

    const ready = await get(`${receiver.origin}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.json().checks['file:/dev/full']).toMatch(/ENOSPC|no space/i);
    expect((await get(`${receiver.origin}/healthz`)).status).toBe(200);
    const metrics = (await get(`${receiver.origin}/metrics`)).text;
    expect(metrics).toMatch(/audit_relay_sink_errors_total\{sink="file:\/dev\/full"\} [1-9]/);
    expect(metrics).not.toMatch(/audit_relay_events_total\{[^}]*outcome="accepted"[^}]*\} [1-9]/);
    expect(receiver.stderr()).toMatch(/"message":"sink write failed"/);
    expect(receiver.child.exitCode).toBeNull();
  });

  it('a full dead letter fails the request too, while batches without rejected events still succeed', async () => {
    const directory = makeTempDir('dl-full');
    directories.push(directory);
    const receiver = await start({ directory, flags: ['--dead-letter', '/dev/full'] });
    expect((await post(receiver.url, numberedBatch(0, 5), { headers: GZIP_HEADERS })).status).toBe(200);
    expect503(await post(receiver.url, `${numberedEvent(6)}\nnot an event\n`));
    expect((await post(receiver.url, numberedBatch(10, 5), { headers: GZIP_HEADERS })).status).toBe(200);
    expect(seqsOf(strictRecords(receiver.eventsFile)).filter((seq) => seq !== 6)).toEqual([0, 1, 2, 3, 4, 10, 11, 12, 13, 14]);
  });

  it('a failed dead letter does not make the events already in the sink be written again on the retry', async () => {
    const directory = makeTempDir('dl-full-retry');
    directories.push(directory);
    const receiver = await start({ directory, flags: ['--dead-letter', '/dev/full'] });
    for (let attempt = 0; attempt < 2; attempt++) expect503(await post(receiver.url, `${numberedEvent(6)}\nnot an event\n`));
    expect(seqsOf(strictRecords(receiver.eventsFile))).toEqual([6]);
  });
});

describe('a sink directory that turns read-only, then writable again', () => {
  it(`answers 503 while it is read-only and recovers without a restart, /readyz included${runningAsRoot ? ' (receiver runs as nobody)' : ''}`, async () => {
    const directory = makeTempDir('read-only');
    directories.push(directory);
    const sinkDirectory = path.join(directory, 'sink');
    fs.mkdirSync(sinkDirectory, { mode: 0o777 });
    fs.chmodSync(sinkDirectory, 0o777);
    const eventsFile = path.join(sinkDirectory, 'events.ndjson');
    const receiver = await start({ directory, sinks: [`file:${eventsFile}`], unprivileged: true });
    if (runningAsRoot) expect(fs.statSync(eventsFile).uid).toBe(65534); // really not root
    const sinkName = `file:${eventsFile}`;

    expect((await post(receiver.url, numberedBatch(0, 10), { headers: GZIP_HEADERS })).status).toBe(200);
    expect((await get(`${receiver.origin}/readyz`)).status).toBe(200);

    fs.chmodSync(sinkDirectory, 0o555);
    try {
      expect503(await post(receiver.url, numberedBatch(10, 10), { headers: GZIP_HEADERS }));
      expect503(await post(receiver.url, numberedBatch(20, 10), { headers: GZIP_HEADERS }));
      const notReady = await get(`${receiver.origin}/readyz`);
      expect(notReady.status).toBe(503);
      expect(notReady.json().checks[sinkName]).toMatch(/EACCES|permission denied/i);
      expect(notReady.json().checks[`dead-letter:${receiver.deadLetterFile}`]).toBe('ok');
    } finally {
      fs.chmodSync(sinkDirectory, 0o777);
    }

    // Writable again: ready again and writing again, same process.
    await eventually(async () => (await get(`${receiver.origin}/readyz`)).status === 200, 10_000, '/readyz to recover');
    expect((await post(receiver.url, numberedBatch(30, 10), { headers: GZIP_HEADERS })).status).toBe(200);
    expect(receiver.child.exitCode).toBeNull();
    expect(seqsOf(strictRecords(eventsFile))).toEqual([...range(0, 10), ...range(30, 40)]);
  });
});

describe('an events file made read-only while the receiver has it open', () => {
  it(`stays ready and written through the open file, until it must be opened again (SIGHUP): then 503 and not ready${runningAsRoot ? ' (receiver runs as nobody)' : ''}`, async () => {
    const directory = makeTempDir('read-only-file');
    directories.push(directory);
    const receiver = await start({ directory, unprivileged: true });
    expect((await post(receiver.url, numberedBatch(0, 5), { headers: GZIP_HEADERS })).status).toBe(200);
    fs.chmodSync(receiver.eventsFile, 0o444);
    try {
      expect((await get(`${receiver.origin}/readyz`)).status).toBe(200);
      expect((await post(receiver.url, numberedBatch(5, 5), { headers: GZIP_HEADERS })).status).toBe(200);
      receiver.child.kill('SIGHUP');
      await receiver.waitForStderr(/"message":"reopening files"/);
      const notReady = await get(`${receiver.origin}/readyz`);
      expect(notReady.status).toBe(503);
      expect(notReady.json().checks[`file:${receiver.eventsFile}`]).toMatch(/EACCES|permission denied/i);
      expect503(await post(receiver.url, numberedBatch(10, 5), { headers: GZIP_HEADERS }));
    } finally {
      fs.chmodSync(receiver.eventsFile, 0o644);
    }
    expect((await post(receiver.url, numberedBatch(15, 5), { headers: GZIP_HEADERS })).status).toBe(200);
    expect(seqsOf(strictRecords(receiver.eventsFile))).toEqual([...range(0, 10), ...range(15, 20)]);
  });
});

describe('a directory where the events file should be', () => {
  it('fails the writes with 503 and shows in /readyz, which cannot see it by checking access', async () => {
    const directory = makeTempDir('file-is-dir');
    directories.push(directory);
    const receiver = await start({ directory });
    expect((await post(receiver.url, numberedBatch(0, 5), { headers: GZIP_HEADERS })).status).toBe(200);
    fs.renameSync(receiver.eventsFile, `${receiver.eventsFile}.moved`);
    fs.mkdirSync(receiver.eventsFile);
    expect503(await post(receiver.url, numberedBatch(5, 5), { headers: GZIP_HEADERS }));
    const notReady = await get(`${receiver.origin}/readyz`);
    expect(notReady.status).toBe(503);
    expect(notReady.json().checks[`file:${receiver.eventsFile}`]).toMatch(/^the last write failed: .*EISDIR/);
  });
});

describe('a sink directory that is deleted, then created again', () => {
  it('answers 503 while it is gone, never writes into an unlinked file, and recovers without a restart', async () => {
    const directory = makeTempDir('deleted-dir');
    directories.push(directory);
    const sinkDirectory = path.join(directory, 'sink');
    const eventsFile = path.join(sinkDirectory, 'events.ndjson');
    const receiver = await start({ directory, sinks: [`file:${eventsFile}`] });

    expect((await post(receiver.url, numberedBatch(0, 5), { headers: GZIP_HEADERS })).status).toBe(200);
    fs.rmSync(sinkDirectory, { recursive: true });
    expect503(await post(receiver.url, numberedBatch(5, 5), { headers: GZIP_HEADERS }));
    expect((await get(`${receiver.origin}/readyz`)).status).toBe(503);

    fs.mkdirSync(sinkDirectory);
    await eventually(async () => (await get(`${receiver.origin}/readyz`)).status === 200, 10_000, '/readyz to recover');
    expect((await post(receiver.url, numberedBatch(10, 5), { headers: GZIP_HEADERS })).status).toBe(200);
    expect(seqsOf(strictRecords(eventsFile))).toEqual(range(10, 15));
  });
});

describe('a file cut short from outside (logrotate copytruncate), then a write that fails', () => {
  it('cuts the failed write back to the file\'s real end: no zeros, no part of the failed batch, and the next records whole', async () => {
    const directory = makeTempDir('truncated');
    directories.push(directory);
    // Past 64 KiB every write fails (EFBIG), as on a full disk.
    const receiver = await start({ directory, fileSizeLimitKb: 64 });
    expect((await post(receiver.url, numberedBatch(0, 20), { headers: GZIP_HEADERS })).status).toBe(200);
    expect(fs.statSync(receiver.eventsFile).size).toBeGreaterThan(4096);
    fs.truncateSync(receiver.eventsFile, 0);

    expect503(await post(receiver.url, numberedBatch(100, 40, 3000), { headers: GZIP_HEADERS }));
    expect(fs.statSync(receiver.eventsFile).size).toBe(0);
    expect((await post(receiver.url, numberedBatch(200, 5), { headers: GZIP_HEADERS })).status).toBe(200);
    expect(seqsOf(strictRecords(receiver.eventsFile))).toEqual(range(200, 205));
  });
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, index) => from + index);
}
