import type { KeyObject } from 'node:crypto';
import { verifyLineAsync } from '../signature';
import { processBatch, type BatchOptions, type BatchResult } from './process-batch';

/** What every batch shares: limits and, when signatures are checked, the mode. */
export interface BatchSettings extends Omit<BatchOptions, 'checkSignature' | 'requireValidSignature'> {
  signatures: 'off' | 'report' | 'require';
}

/** The public keys signatures are checked against, as they are now (they rotate). */
export type CurrentKeys = () => readonly KeyObject[];

/**
 * frame → verify → parse → normalize for one decoded body, on this thread or on a worker.
 * Rejects with a Problem for a batch over a limit.
 */
export interface BatchRunner {
  /**
   * `handOver`: the caller will not read `body` again and no other buffer shares its memory, so
   * a worker may take the memory instead of a copy.
   */
  run(body: Buffer, receivedAtMs: number, requestId: string, handOver?: boolean): Promise<BatchResult>;
  close(): Promise<void>;
}

/** BatchOptions for processBatch, given the keys to verify with. */
export function batchOptions(settings: BatchSettings, keys: CurrentKeys): BatchOptions {
  const { signatures, ...options } = settings;
  if (signatures === 'off') return options;
  return {
    ...options,
    checkSignature: (raw, format) => verifyLineAsync(raw, format, keys()),
    requireValidSignature: signatures === 'require',
  };
}

/** Runs each batch on the event loop's own thread (--workers 0). */
export function inlineBatchRunner(settings: BatchSettings, keys: CurrentKeys): BatchRunner {
  const options = batchOptions(settings, keys);
  return {
    run: (body, receivedAtMs, requestId) => processBatch(body, receivedAtMs, requestId, options),
    close: async () => undefined,
  };
}
