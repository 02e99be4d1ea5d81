import type { KeyObject } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BatchWorkers } from '../../src/pipeline/batch-workers';
import { Problem } from '../../src/problem';
import { generateEd25519KeyPair, signCefLine } from '../../src/signature';
import { CEF_AUTHZ_LIST } from '../helpers/konnect-examples';
import { REPO_ROOT } from '../helpers/spawn-cli';

// Worker threads run JavaScript: the workers run the build (npm test builds first), as the CLI tests do.
const WORKER_SCRIPT = path.join(REPO_ROOT, 'dist', 'pipeline', 'batch-worker.js');

const CEF = CEF_AUTHZ_LIST.replace(/ sig=\S*$/, '');
/** Blank lines (skipped by framing) make a body big enough for the workers, which leave small ones to the caller. */
const WORKER_SIZED = '\n'.repeat(9 * 1024);
const body = (lines: readonly string[]) => Buffer.from(`${lines.join('\n')}\n${WORKER_SIZED}`);

const settings = { framing: { maxLineLength: 1 << 20, maxJsonDepth: 64 }, maxEvents: 10, signatures: 'report' as const };

describe('BatchWorkers', () => {
  const first = generateEd25519KeyPair();
  const second = generateEd25519KeyPair();
  let keys: readonly KeyObject[] = [first.publicKey];
  const crashes: Error[] = [];
  let workers: BatchWorkers;
  beforeEach(() => {
    keys = [first.publicKey];
    workers = new BatchWorkers(2, settings, () => keys, (error) => crashes.push(error), WORKER_SCRIPT);
  });
  afterEach(() => workers.close());

  const outcomes = async (lines: string[]) => {
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, index) => workers.run(body(lines), 0, `request-${index}`)),
    );
    return results.map((result) => result.signatures);
  };

  it('checks signatures on every worker with the keys as they are when each batch is sent, rotations included', async () => {
    const signedByFirst = signCefLine(CEF, first.privateKey);
    const signedBySecond = signCefLine(CEF, second.privateKey);
    expect(await outcomes([signedByFirst, signedBySecond])).toEqual(Array(6).fill({ valid: 1, invalid: 1, missing: 0, unchecked: 0 }));
    keys = [second.publicKey];
    expect(await outcomes([signedByFirst, signedBySecond, signedBySecond])).toEqual(
      Array(6).fill({ valid: 2, invalid: 1, missing: 0, unchecked: 0 }),
    );
    expect(crashes).toEqual([]);
  });

  it('returns the encoded records as Buffers, and a limit as the Problem the HTTP layer answers with', async () => {
    const result = await workers.run(body([CEF]), Date.UTC(2025, 0, 1), 'request-1');
    expect(Buffer.isBuffer(result.acceptedOutput)).toBe(true);
    expect(JSON.parse(result.acceptedOutput.toString())).toMatchObject({ received_at: '2025-01-01T00:00:00.000Z', format: 'cef', raw: CEF });
    const tooMany = workers.run(body(Array(11).fill(CEF)), 0, 'request-2');
    await expect(tooMany).rejects.toBeInstanceOf(Problem);
    await expect(tooMany).rejects.toMatchObject({ status: 413, detail: 'the request carries more than 10 events, the limit (--max-events): split the batch' });
  });

  it('sends the encoding space back to the worker once released, and reused space never mixes up batches', async () => {
    for (let round = 0; round < 20; round++) {
      const lines = Array.from({ length: 5 }, (_, index) => CEF.replace('action=list', `action=round${round}-line${index}`));
      const result = await workers.run(body(lines), 0, `request-${round}`);
      const written = result.acceptedOutput.toString().trimEnd().split('\n').map((line) => JSON.parse(line).raw);
      expect(written).toEqual(lines);
      result.release();
      // The memory went back to the worker: this thread's view of it is empty now.
      expect(result.acceptedOutput.length).toBe(0);
    }
  });

  it('takes a handed-over body\'s memory instead of a copy, but never memory the body only shares', async () => {
    const own = Buffer.allocUnsafeSlow(64 * 1024);
    const text = body([CEF]);
    text.copy(own);
    const result = await workers.run(own.subarray(0, text.length), 0, 'request-own', true);
    expect(result.accepted).toBe(1);
    expect(own.length).toBe(0); // handed over: this thread no longer holds it
    result.release();
    const shared = Buffer.concat([Buffer.from('x'), text]).subarray(1); // its memory starts before it
    expect((await workers.run(shared, 0, 'request-shared', true)).accepted).toBe(1);
    expect(shared.length).toBe(text.length);
  });

  it('keeps a small body on the calling thread, where it costs less than a hand-off', async () => {
    const own = Buffer.allocUnsafeSlow(64 * 1024);
    const small = Buffer.from(`${CEF}\n`);
    small.copy(own);
    const result = await workers.run(own.subarray(0, small.length), 0, 'request-small', true);
    expect(result.accepted).toBe(1);
    expect(own.length).toBe(64 * 1024); // not handed over
    result.release();
  });

  it('refuses batches once closed', async () => {
    await workers.close();
    await expect(workers.run(body([CEF]), 0, 'late')).rejects.toThrow('the batch workers are shut down');
  });
});

describe('BatchWorkers when a worker dies', () => {
  it('fails only the batches that worker held (not acknowledged: 500), reports it, and serves on with a new worker', async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'crashing-worker-'));
    // A real worker thread that speaks the protocol, and throws (uncaught) on a body that says so.
    const script = path.join(directory, 'crashing-worker.js');
    fs.writeFileSync(
      script,
      `const { parentPort } = require('node:worker_threads');
      parentPort.on('message', (job) => {
        if (!job.body) return;
        if (Buffer.from(job.body).toString().startsWith('crash')) throw new Error('boom');
        parentPort.postMessage({ id: job.id, result: { accepted: 1, rejected: [], acceptedOutput: new Uint8Array(0),
          deadLetterOutput: new Uint8Array(0), formats: { cef: 0, json: 1, cps: 0 }, signatures: { valid: 0, invalid: 0, missing: 0, unchecked: 1 } } });
      });`,
    );
    const crashes: Error[] = [];
    const workers = new BatchWorkers(1, settings, () => [], (error) => crashes.push(error), script);
    try {
      await expect(workers.run(Buffer.from(`crash${WORKER_SIZED}`), 0, 'doomed')).rejects.toThrow('boom');
      expect(crashes.map((error) => error.message)).toEqual(['boom']);
      expect((await workers.run(Buffer.from(`fine${WORKER_SIZED}`), 0, 'after')).accepted).toBe(1);
    } finally {
      await workers.close();
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });
});
