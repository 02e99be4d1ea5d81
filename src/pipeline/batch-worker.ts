/**
 * A worker thread's side of BatchWorkers: runs processBatch on the bodies it is sent and posts
 * the results back, handing the encoded output over (transferred, not cloned a second time).
 */
import type { KeyObject } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { Problem } from '../problem';
import { batchOptions, type BatchSettings } from './batch-runner';
import type { BatchJob, BatchReply, TransferredBatch } from './batch-workers';
import { processBatch } from './process-batch';

if (!parentPort) throw new Error('batch-worker runs only as a worker thread');
const port = parentPort;
let keys: readonly KeyObject[] = [];
const options = batchOptions(workerData as BatchSettings, () => keys);

port.on('message', async (job: BatchJob) => {
  if (job.keys) keys = job.keys;
  let reply: BatchReply;
  const transfer: ArrayBuffer[] = [];
  try {
    const body = Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength);
    const { release, ...batch } = await processBatch(body, job.receivedAtMs, job.requestId, options);
    // Copied out of the reusable encoding space into memory of their own, which is handed over.
    const result: TransferredBatch = {
      ...batch,
      acceptedOutput: Buffer.from(batch.acceptedOutput),
      deadLetterOutput: Buffer.from(batch.deadLetterOutput),
    };
    release();
    for (const output of [result.acceptedOutput, result.deadLetterOutput]) {
      if (ownsWholeBuffer(output)) transfer.push(output.buffer as ArrayBuffer);
    }
    reply = { id: job.id, result };
  } catch (error) {
    reply =
      error instanceof Problem
        ? { id: job.id, problem: { status: error.status, title: error.title, detail: error.detail, headers: error.headers } }
        : { id: job.id, failure: (error as Error).stack ?? String(error) };
  }
  port.postMessage(reply, transfer);
});

/** A buffer that is the whole of its memory can be handed over; a slice of a shared pool cannot. */
function ownsWholeBuffer(bytes: Buffer): boolean {
  return bytes.length > 0 && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
}
