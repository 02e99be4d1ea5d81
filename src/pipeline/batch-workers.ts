import type { KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Problem } from '../problem';
import { inlineBatchRunner, type BatchRunner, type BatchSettings, type CurrentKeys } from './batch-runner';
import type { BatchResult } from './process-batch';

/** One body to process, as posted to a worker. `keys` is sent only when the key set changed. */
export interface BatchJob {
  id: number;
  body: Uint8Array;
  receivedAtMs: number;
  requestId: string;
  keys?: readonly KeyObject[];
}

/** A BatchResult as it crosses threads: functions cannot be posted, and its memory changes owner. */
export type TransferredBatch = Omit<BatchResult, 'release'>;

/** What the main thread posts to a worker: a batch, or encoding spaces it is done with. */
export type WorkerMessage = BatchJob | { recycle: ArrayBuffer[] };

export type BatchReply =
  | { id: number; result: TransferredBatch }
  | { id: number; problem: { status: number; title: string; detail: string; headers: Record<string, string> } }
  | { id: number; failure: string };

interface Pending {
  resolve(result: BatchResult): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
  /** The key set this worker holds, by identity (JwksSource hands out a new array on change). */
  keysSent?: readonly KeyObject[];
}

/**
 * Parsing, normalizing and encoding run on worker threads, so they use the cores the event
 * loop does not: the main thread keeps HTTP, decompression and the sinks. Each batch goes to
 * the worker with the fewest batches waiting.
 */
export class BatchWorkers implements BatchRunner {
  private readonly slots: Slot[] = [];
  private readonly inline: BatchRunner;
  private nextId = 1;
  private closing = false;

  constructor(
    count: number,
    private readonly settings: BatchSettings,
    private readonly keys: CurrentKeys,
    private readonly onCrash: (error: Error) => void,
    /** The worker's entry point: the built batch-worker.js beside this file. */
    private readonly script = path.join(__dirname, 'batch-worker.js'),
  ) {
    if (!fs.existsSync(script)) {
      throw new Error(`worker threads need the built JavaScript (${script} is missing); run npm run build, or use --workers 0`);
    }
    for (let index = 0; index < count; index++) this.slots.push(this.spawn());
    this.inline = inlineBatchRunner(settings, keys);
  }

  run(body: Buffer, receivedAtMs: number, requestId: string, handOver = false): Promise<BatchResult> {
    if (this.closing) return Promise.reject(new Error('the batch workers are shut down'));
    if (body.length < HAND_OFF_FROM_BYTES) return this.inline.run(body, receivedAtMs, requestId);
    const slot = this.slots.reduce((least, candidate) => (candidate.pending.size < least.pending.size ? candidate : least));
    const id = this.nextId++;
    const job: BatchJob = { id, body, receivedAtMs, requestId };
    const keys = this.settings.signatures === 'off' ? undefined : this.keys();
    if (keys && keys !== slot.keysSent) {
      job.keys = keys;
      slot.keysSent = keys;
    }
    return new Promise<BatchResult>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage(job, handOver && ownsItsMemory(body) ? [body.buffer as ArrayBuffer] : []);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  /**
   * Structured cloning turns Buffers into plain Uint8Arrays: view them as Buffers again. Their
   * memory is the worker's encoding space, sent back for reuse once the sinks are done with it.
   */
  private received(slot: Slot, result: TransferredBatch): BatchResult {
    const view = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const spaces = [result.acceptedOutput, result.deadLetterOutput].filter((bytes) => bytes.length > 0).map((bytes) => bytes.buffer as ArrayBuffer);
    let released = false;
    return {
      ...result,
      acceptedOutput: view(result.acceptedOutput),
      deadLetterOutput: view(result.deadLetterOutput),
      release: () => {
        if (released || spaces.length === 0) return;
        released = true;
        // A worker replaced or shut down meanwhile does not get them: they are left to the GC.
        if (this.closing || !this.slots.includes(slot)) return;
        const message: WorkerMessage = { recycle: spaces };
        slot.worker.postMessage(message, spaces);
      },
    };
  }

  private spawn(): Slot {
    const worker = new Worker(this.script, { workerData: this.settings });
    const slot: Slot = { worker, pending: new Map() };
    worker.on('message', (reply: BatchReply) => {
      const pending = slot.pending.get(reply.id);
      if (!pending) return;
      slot.pending.delete(reply.id);
      if ('result' in reply) pending.resolve(this.received(slot, reply.result));
      else if ('problem' in reply) {
        const { status, title, detail, headers } = reply.problem;
        pending.reject(new Problem(status, title, detail, headers));
      } else pending.reject(new Error(`batch worker failed: ${reply.failure}`));
    });
    // A worker that dies (a bug, or out of memory) fails only its own batches, which were not
    // acknowledged; a new one takes its place.
    const replace = (error: Error) => {
      const index = this.slots.indexOf(slot);
      if (index < 0 || this.closing) return;
      this.onCrash(error);
      for (const pending of slot.pending.values()) pending.reject(error);
      slot.pending.clear();
      this.slots[index] = this.spawn();
    };
    worker.on('error', replace);
    worker.on('exit', (code) => replace(new Error(`batch worker exited with code ${code}`)));
    return slot;
  }
}

/**
 * Smaller bodies (a dozen events or fewer) are processed on the calling thread: the hand-off to
 * a worker and back costs more than the work (case 1 of the benchmark, one event per request).
 */
const HAND_OFF_FROM_BYTES = 8 * 1024;

/**
 * A buffer whose memory starts with it and is not one of Node's shared pool slabs (small
 * buffers are cut from those), so handing the memory over takes nothing from anyone else.
 */
function ownsItsMemory(bytes: Buffer): boolean {
  return bytes.byteOffset === 0 && bytes.buffer.byteLength > Buffer.poolSize;
}
