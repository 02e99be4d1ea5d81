/**
 * A worker thread's side of BatchWorkers: runs processBatch on the bodies it is sent and posts
 * the results back. The encoded output is handed over with its encoding space, not copied (fresh
 * memory costs page faults); the main thread sends the space back once the sinks wrote it.
 */
import type { KeyObject } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { Problem } from '../problem';
import { batchOptions, type BatchSettings } from './batch-runner';
import type { BatchJob, BatchReply, TransferredBatch, WorkerMessage } from './batch-workers';
import { adoptSpace } from './encode-lines';
import { processBatch } from './process-batch';

if (!parentPort) throw new Error('batch-worker runs only as a worker thread');
const port = parentPort;
let keys: readonly KeyObject[] = [];
const options = batchOptions(workerData as BatchSettings, () => keys);

port.on('message', (message: WorkerMessage) => {
  if ('recycle' in message) message.recycle.forEach(adoptSpace);
  else void runJob(message);
});

async function runJob(job: BatchJob): Promise<void> {
  if (job.keys) keys = job.keys;
  let reply: BatchReply;
  const transfer: ArrayBuffer[] = [];
  try {
    const body = Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength);
    // Not released here: the spaces go to the main thread, which sends them back (recycle).
    const { release: _keptUntilWritten, ...result } = await processBatch(body, job.receivedAtMs, job.requestId, options);
    for (const output of [result.acceptedOutput, result.deadLetterOutput]) {
      if (output.length > 0) transfer.push(output.buffer as ArrayBuffer);
    }
    reply = { id: job.id, result: result satisfies TransferredBatch };
  } catch (error) {
    reply =
      error instanceof Problem
        ? { id: job.id, problem: { status: error.status, title: error.title, detail: error.detail, headers: error.headers } }
        : { id: job.id, failure: (error as Error).stack ?? String(error) };
  }
  port.postMessage(reply, transfer);
}
