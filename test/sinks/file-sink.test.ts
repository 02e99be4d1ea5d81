import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileSink } from '../../src/sinks/file-sink';

describe('FileSink', () => {
  let directory: string;
  beforeEach(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'file-sink-'));
  });
  afterEach(() => fs.rmSync(directory, { recursive: true, force: true }));

  it('creates missing directories and appends to what is there', async () => {
    const file = path.join(directory, 'a', 'b', 'events.ndjson');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, 'old\n');
    const sink = new FileSink(file);
    await sink.open();
    await sink.write('new\n');
    await sink.close();
    expect(fs.readFileSync(file, 'utf8')).toBe('old\nnew\n');
  });

  it('never interleaves records of concurrent writes', async () => {
    const file = path.join(directory, 'events.ndjson');
    const sink = new FileSink(file);
    await sink.open();
    const batches = Array.from({ length: 200 }, (_, batch) =>
      Array.from({ length: 20 }, (_, index) => `${JSON.stringify({ batch, index, pad: 'x'.repeat(300) })}\n`).join(''),
    );
    await Promise.all(batches.map((records) => sink.write(records)));
    await sink.close();
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(4000);
    const seen = lines.map((line) => JSON.parse(line) as { batch: number; index: number });
    for (let batch = 0; batch < 200; batch++) {
      const mine = seen.filter((record) => record.batch === batch).map((record) => record.index);
      expect(mine).toEqual(Array.from({ length: 20 }, (_, index) => index));
    }
  });

  it('cuts off a torn record of its own left by a crash, but keeps a last line someone else wrote, ending it with a newline', async () => {
    const repairs: string[] = [];
    const openWith = async (file: string, content: string) => {
      fs.writeFileSync(file, content);
      const sink = new FileSink(file, 'file:test', { fsync: 'never', fsyncIntervalMs: 1000, rotation: undefined, onRepair: (message) => repairs.push(message) });
      await sink.open();
      await sink.write('{"received_at":"new"}\n');
      await sink.close();
      return fs.readFileSync(file, 'utf8');
    };
    expect(await openWith(path.join(directory, 'torn'), '{"received_at":"a"}\n{"received_at":"2026-01-0')).toBe('{"received_at":"a"}\n{"received_at":"new"}\n');
    expect(await openWith(path.join(directory, 'torn-short'), '{"received_at":"a"}\n{"rec')).toBe('{"received_at":"a"}\n{"received_at":"new"}\n');
    expect(await openWith(path.join(directory, 'theirs'), 'line one\nmy precious last line')).toBe('line one\nmy precious last line\n{"received_at":"new"}\n');
    expect(await openWith(path.join(directory, 'one-line'), 'x'.repeat(200_000))).toBe(`${'x'.repeat(200_000)}\n{"received_at":"new"}\n`);
    expect(repairs).toEqual([
      'file:test: dropped an incomplete last line of 25 bytes (a write cut short by a crash; it was never acknowledged)',
      'file:test: dropped an incomplete last line of 5 bytes (a write cut short by a crash; it was never acknowledged)',
      'file:test: the last line (21 bytes) had no newline and is not a record of ours, so it was kept and ended with one',
      'file:test: the last line (200000 bytes) had no newline and is not a record of ours, so it was kept and ended with one',
    ]);
  });

  it('rejects a write the device refuses (ENOSPC on /dev/full)', async () => {
    const sink = new FileSink('/dev/full');
    await sink.open();
    await expect(sink.write('x\n')).rejects.toThrow(/ENOSPC/);
    await sink.close();
  });

  it('refuses a FIFO at its path, at start and when one replaces the file, instead of waiting for a reader for ever; writes again once it is gone', async () => {
    const file = path.join(directory, 'events.ndjson');
    execFileSync('mkfifo', [file]);
    await expect(new FileSink(file).open()).rejects.toThrow(`${file} is a FIFO, not a file; a file sink appends to a regular file`);

    fs.rmSync(file);
    const sink = new FileSink(file);
    await sink.open();
    await sink.write('one\n');
    fs.rmSync(file);
    execFileSync('mkfifo', [file]);
    await expect(sink.write('two\n')).rejects.toThrow(/is a FIFO/);
    expect(await sink.unreadyReason()).toMatch(/is a FIFO/);
    fs.rmSync(file);
    await sink.write('three\n');
    await sink.close();
    expect(fs.readFileSync(file, 'utf8')).toBe('three\n');
  });

  it('reports a directory it cannot write as not ready', async () => {
    const sink = new FileSink(path.join(directory, 'gone', 'events.ndjson'));
    await sink.open();
    expect(await sink.unreadyReason()).toBeUndefined();
    fs.rmSync(path.join(directory, 'gone'), { recursive: true });
    expect(await sink.unreadyReason()).toMatch(/ENOENT/);
    await sink.close();
  });
});
