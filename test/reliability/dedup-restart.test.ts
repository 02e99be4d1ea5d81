/**
 * Deduplication across a restart: the usual replay comes after an outage, and the receiver may
 * have been restarted meanwhile. Its memory is filled at start from the newest records of the
 * events file, so what was written before the restart is not written again.
 */
import path from 'node:path';
import { GZIP_HEADERS, makeTempDir, numberedBatch, post, removeDir, seqsOf, spawnReceiver, strictRecords, type SpawnedReceiver } from './support';

jest.setTimeout(30_000);

describe('deduplication across a restart', () => {
  const running: SpawnedReceiver[] = [];
  let directory: string;
  beforeEach(() => {
    directory = makeTempDir('dedup-restart');
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((receiver) => receiver.stop('SIGKILL')));
    removeDir(directory);
  });

  it('remembers the events already in the file: a replay over them writes only the ones it lacks', async () => {
    const first = await spawnReceiver({ directory });
    running.push(first);
    expect(JSON.parse((await post(first.url, numberedBatch(0, 30), { headers: GZIP_HEADERS })).text)).toEqual({ accepted: 30, rejected: 0 });
    expect(await first.stop('SIGTERM')).toBe(0);
    running.splice(0);

    const second = await spawnReceiver({ directory, flags: ['--log-level', 'info'] });
    running.push(second);
    expect(second.stderr()).toMatch(/\{"events":30,"level":"info","message":"deduplication remembers the newest events already written"/);
    const replay = await post(second.url, numberedBatch(20, 20), { headers: GZIP_HEADERS });
    expect(JSON.parse(replay.text)).toEqual({ accepted: 10, rejected: 0, duplicates: 10 });
    expect(seqsOf(strictRecords(path.join(directory, 'events.ndjson')))).toEqual(Array.from({ length: 40 }, (_, seq) => seq));
  });

  it('starts empty with stdout among the sinks, which cannot be read back: the resend is written again', async () => {
    const first = await spawnReceiver({ directory, sinks: ['stdout', `file:${path.join(directory, 'events.ndjson')}`], flags: ['--log-level', 'info'] });
    running.push(first);
    expect(first.stderr()).not.toContain('deduplication starts empty'); // a first start has nothing to remember
    await post(first.url, numberedBatch(0, 5), { headers: GZIP_HEADERS });
    expect(await first.stop('SIGTERM')).toBe(0);
    running.splice(0);

    const second = await spawnReceiver({ directory, sinks: ['stdout', `file:${path.join(directory, 'events.ndjson')}`], flags: ['--log-level', 'info'] });
    running.push(second);
    expect(second.stderr()).toContain('deduplication starts empty: stdout cannot be read back');
    expect(JSON.parse((await post(second.url, numberedBatch(0, 5), { headers: GZIP_HEADERS })).text)).toEqual({ accepted: 5, rejected: 0 });
  });

  it('starts empty with --keep-raw false, as the records carry no raw line to know an event by, and says so', async () => {
    const first = await spawnReceiver({ directory, flags: ['--keep-raw', 'false', '--log-level', 'info'] });
    running.push(first);
    expect(first.stderr()).not.toContain('deduplication starts empty');
    await post(first.url, numberedBatch(0, 5), { headers: GZIP_HEADERS });
    expect(await first.stop('SIGTERM')).toBe(0);
    running.splice(0);

    const second = await spawnReceiver({ directory, flags: ['--keep-raw', 'false', '--log-level', 'info'] });
    running.push(second);
    expect(second.stderr()).toContain('deduplication starts empty: with --keep-raw false, the records written before carry no raw line');
    expect(JSON.parse((await post(second.url, numberedBatch(0, 5), { headers: GZIP_HEADERS })).text)).toEqual({ accepted: 5, rejected: 0 });
  });

  it('remembers only the newest --dedup-window of them', async () => {
    const first = await spawnReceiver({ directory });
    running.push(first);
    await post(first.url, numberedBatch(0, 30), { headers: GZIP_HEADERS });
    expect(await first.stop('SIGTERM')).toBe(0);
    running.splice(0);

    const second = await spawnReceiver({ directory, flags: ['--dedup-window', '10'] });
    running.push(second);
    const replay = await post(second.url, numberedBatch(0, 30), { headers: GZIP_HEADERS });
    expect(JSON.parse(replay.text)).toEqual({ accepted: 20, rejected: 0, duplicates: 10 });
  });
});
