import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { batchOptions } from '../../src/pipeline/batch-runner';
import { seedFromFiles } from '../../src/pipeline/dedup-seed';
import { Deduplicator } from '../../src/pipeline/deduplicate';
import { processBatch } from '../../src/pipeline/process-batch';
import { generateEd25519KeyPair, signJsonLine } from '../../src/signature';

const settings = { framing: { maxLineLength: 1 << 20, maxJsonDepth: 64 }, maxEvents: 100_000, identify: true };
const event = (seq: number, pad = 1200) => `{"name":"Authz.test","seq":${seq},"pad":"${'x'.repeat(pad)}"}`;

describe('seedFromFiles', () => {
  let directory: string;
  beforeEach(() => (directory = fs.mkdtempSync(path.join(os.tmpdir(), 'dedup-seed-'))));
  afterEach(() => fs.rmSync(directory, { recursive: true, force: true }));

  it('remembers the identities the writer gave the newest records, oldest first, reading a large file from its end', async () => {
    const konnect = generateEd25519KeyPair();
    // 1,000 events of 1.3 kB (the file spans chunks), two of them with a verified signature.
    const lines = Array.from({ length: 1000 }, (_, seq) => (seq % 500 === 499 ? signJsonLine(event(seq, 10), konnect.privateKey) : event(seq)));
    const batch = await processBatch(Buffer.from(lines.join('\n')), 0, 'r', batchOptions({ ...settings, signatures: 'report' }, () => [konnect.publicKey]));
    expect(batch.signatures.valid).toBe(2);
    const file = path.join(directory, 'events.ndjson');
    fs.writeFileSync(file, Buffer.concat([batch.acceptedOutput, Buffer.from('{"received_at":"torn')])); // a line a crash cut short
    expect(fs.statSync(file).size).toBeGreaterThan(1 << 20);

    const dedup = new Deduplicator(600);
    expect(await seedFromFiles(dedup, [file])).toBe(600);
    const claim = dedup.claim(batch.identities);
    expect(claim.fresh).toEqual(Array.from({ length: 400 }, (_, index) => index));
    // The oldest remembered go first: one more written event pushes out seq 400, not seq 999.
    claim.failed();
    dedup.claim(['newest']).written();
    expect(dedup.claim([batch.identities[400]!, batch.identities[999]!]).fresh).toEqual([0]);
  });

  it('reads on into the files the events file was rotated into, newest first, gzip\'d or not, while it holds fewer than the window', async () => {
    const batch = await processBatch(Buffer.from(Array.from({ length: 50 }, (_, seq) => event(seq, 10)).join('\n')), 0, 'r', batchOptions({ ...settings, signatures: 'off' }, () => []));
    const records = (from: number, to: number) => batch.acceptedOutput.subarray(from === 0 ? 0 : batch.recordEnds[from - 1], batch.recordEnds[to - 1]);
    const file = path.join(directory, 'events.ndjson');
    // Oldest to newest: 0–19 rotated and gzip'd, 20–39 rotated and not yet gzip'd, 40–49 live.
    fs.writeFileSync(`${file}.2026-12-06T08-00-00.000Z.gz`, zlib.gzipSync(records(0, 20)));
    fs.writeFileSync(`${file}.2026-12-06T08-10-00.000Z`, records(20, 40));
    fs.writeFileSync(file, records(40, 50));
    fs.writeFileSync(`${file}.2026-12-06T07-00-00.000Z.gz`, 'not gzip at all'); // damaged: holds nothing
    fs.mkdirSync(`${file}.2026-12-06T06-00-00.000Z.gz`); // not a file at all: holds nothing, and start goes on
    fs.mkdirSync(`${file}.2026-12-06T05-00-00.000Z`);

    const all = new Deduplicator(1000); // reads every rotated file, the broken ones included
    expect(await seedFromFiles(all, [file])).toBe(50);
    const wide = new Deduplicator(45);
    expect(await seedFromFiles(wide, [file])).toBe(45);
    expect(wide.claim(batch.identities).fresh).toEqual([0, 1, 2, 3, 4]); // the newest 45 are known
    const narrow = new Deduplicator(15);
    expect(await seedFromFiles(narrow, [file])).toBe(15); // the live file and the newest rotated one suffice
    expect(narrow.claim(batch.identities).fresh).toEqual(Array.from({ length: 35 }, (_, index) => index));
  });

  it('counts an event written twice (two copies in one request) once', async () => {
    const batch = await processBatch(Buffer.from([event(1, 10), event(1, 10), event(2, 10)].join('\n')), 0, 'r', batchOptions({ ...settings, signatures: 'off' }, () => []));
    const file = path.join(directory, 'events.ndjson');
    fs.writeFileSync(file, batch.acceptedOutput);
    expect(await seedFromFiles(new Deduplicator(10), [file])).toBe(2);
  });

  it('remembers nothing from a file that is missing or empty', async () => {
    expect(await seedFromFiles(new Deduplicator(10), [path.join(directory, 'none.ndjson')])).toBe(0);
    fs.writeFileSync(path.join(directory, 'empty.ndjson'), '');
    expect(await seedFromFiles(new Deduplicator(10), [path.join(directory, 'empty.ndjson')])).toBe(0);
  });

  it('remembers only the events every sink holds: one that reached one file but not the other is written again', async () => {
    const batch = await processBatch(Buffer.from([event(1, 10), event(2, 10), event(3, 10)].join('\n')), 0, 'r', batchOptions({ ...settings, signatures: 'off' }, () => []));
    const [one, two, three] = [0, 1, 2].map((index) => batch.acceptedOutput.subarray(index === 0 ? 0 : batch.recordEnds[index - 1], batch.recordEnds[index]));
    const first = path.join(directory, 'first.ndjson');
    const second = path.join(directory, 'second.ndjson');
    fs.writeFileSync(first, Buffer.concat([one!, two!, three!]));
    fs.writeFileSync(second, Buffer.concat([one!, three!])); // event 2's request failed on this sink
    const dedup = new Deduplicator(10);
    expect(await seedFromFiles(dedup, [first, second])).toBe(2);
    expect(dedup.claim(batch.identities)).toMatchObject({ fresh: [1], duplicates: [0, 2] });
  });
});
