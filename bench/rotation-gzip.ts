/**
 * What a rotation's gzip costs: compressRotated (the file sink's, streaming through the thread
 * pool, as the receiver runs it) on a file of the receiver's own records, against one
 * `zlib.gzipSync` of the same bytes at the same level, held in memory (the ceiling: no reads,
 * no writes, no hops). CPU time of the whole process, so the thread pool's work counts.
 *
 *   node dist-bench/bench/rotation-gzip.js [--json]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { processBatch } from '../src/pipeline/process-batch';
import { compressRotated } from '../src/sinks/rotation';
import { generateEd25519KeyPair } from '../src/signature';
import { konnectLine, makeKonnectEvents } from './events';

export interface RotationGzipResult {
  fileMB: number;
  /** compressRotated, MB of records per CPU second (median of the rounds). */
  streamingMBps: number;
  /** gzipSync on the bytes in memory, MB per CPU second (median of the rounds). */
  inMemoryMBps: number;
  ratio: number;
}

const FILE_BYTES = 16 * 1024 * 1024;
const ROUNDS = 5;

/** The receiver's records (JSON and CEF events, raw kept), about `bytes` of them. */
async function records(bytes: number): Promise<Buffer> {
  const { privateKey } = generateEd25519KeyPair();
  const events = makeKonnectEvents(2_000);
  const bodies = (['json', 'cef'] as const).map((format) => Buffer.from(events.map((event) => konnectLine(event, format, privateKey)).join('\n')));
  const chunks: Buffer[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const batch = await processBatch(bodies[i % 2]!, Date.now(), 'bench', { framing: { maxLineLength: 1024 * 1024, maxJsonDepth: 64 }, maxEvents: 100_000, keepRaw: true });
    chunks.push(Buffer.from(batch.acceptedOutput));
    size += batch.acceptedOutput.length;
    batch.release();
  }
  return Buffer.concat(chunks);
}

const cpuMs = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function runRotationGzip(): Promise<RotationGzipResult> {
  const data = await records(FILE_BYTES);
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-relay-rotation-gzip-'));
  const file = path.join(directory, 'events.ndjson.2026-01-01T00-00-00.000Z');
  const streaming: number[] = [];
  const inMemory: number[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      fs.writeFileSync(file, data);
      let started = process.cpuUsage();
      await compressRotated(file);
      streaming.push(cpuMs(started));
      fs.rmSync(`${file}.gz`);
      started = process.cpuUsage();
      gzipSync(data);
      inMemory.push(cpuMs(started));
    }
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
  const mb = data.length / 1e6;
  const streamingMBps = mb / (median(streaming) / 1000);
  const inMemoryMBps = mb / (median(inMemory) / 1000);
  return { fileMB: mb, streamingMBps, inMemoryMBps, ratio: streamingMBps / inMemoryMBps };
}

if (require.main === module) {
  runRotationGzip().then(
    (result) =>
      process.stdout.write(
        process.argv.includes('--json')
          ? `${JSON.stringify(result)}\n`
          : `rotation gzip of ${result.fileMB.toFixed(1)} MB of records: compressRotated ${result.streamingMBps.toFixed(0)} MB/s of CPU, gzipSync in memory ${result.inMemoryMBps.toFixed(0)}, ratio ${result.ratio.toFixed(2)}\n`,
      ),
    (error: Error) => {
      process.stderr.write(`${error.stack ?? error.message}\n`);
      process.exit(1);
    },
  );
}
