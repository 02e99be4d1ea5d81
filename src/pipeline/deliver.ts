import { SinkError, type Sink } from '../sinks/sink';
import type { BatchResult } from './process-batch';

/**
 * Write a processed batch: accepted records to every sink, rejected ones to the dead letter.
 * Resolves only when every write has completed; rejects with the first sink that failed.
 */
export async function deliverBatch(batch: BatchResult, sinks: readonly Sink[], deadLetter: Sink): Promise<void> {
  const writes: Array<Promise<void>> = [];
  const guarded = (sink: Sink, records: string) =>
    sink.write(records).catch((error: Error) => Promise.reject(new SinkError(sink.name, error)));
  if (batch.acceptedOutput !== '') for (const sink of sinks) writes.push(guarded(sink, batch.acceptedOutput));
  if (batch.deadLetterOutput !== '') writes.push(guarded(deadLetter, batch.deadLetterOutput));
  const results = await Promise.allSettled(writes);
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) throw failure.reason;
}
