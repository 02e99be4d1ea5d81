import { SinkError, type Sink } from '../sinks/sink';
import type { BatchResult } from './process-batch';

/** Told how each sink write went (metrics). */
export interface SinkObserver {
  written(sink: string, seconds: number): void;
  failed(sink: string): void;
}

const NO_OBSERVER: SinkObserver = { written: () => undefined, failed: () => undefined };

/**
 * Write a processed batch: accepted records to every sink, rejected ones to the dead letter.
 * Resolves only when every write has completed; rejects with the first sink that failed.
 * `onEventsWritten` is called once the accepted records are in every sink, even if the dead
 * letter's write then fails; `onDeadLetterWritten` once the rejected ones are in the dead letter,
 * even if a sink's write failed (a retry writes them again).
 */
export async function deliverBatch(
  batch: BatchResult,
  sinks: readonly Sink[],
  deadLetter: Sink,
  observe: SinkObserver = NO_OBSERVER,
  onEventsWritten: () => void = () => undefined,
  onDeadLetterWritten: () => void = () => undefined,
): Promise<void> {
  const writes: Array<Promise<void>> = [];
  const guarded = (sink: Sink, records: Buffer) => {
    const startedAt = process.hrtime.bigint();
    return sink.write(records).then(
      () => observe.written(sink.name, Number(process.hrtime.bigint() - startedAt) / 1e9),
      (error: Error) => {
        observe.failed(sink.name);
        return Promise.reject(new SinkError(sink.name, error));
      },
    );
  };
  if (batch.acceptedOutput.length > 0) for (const sink of sinks) writes.push(guarded(sink, batch.acceptedOutput));
  const eventsWritten = Promise.allSettled([...writes]).then((results) => {
    if (results.every((result) => result.status === 'fulfilled')) onEventsWritten();
  });
  if (batch.deadLetterOutput.length > 0) writes.push(guarded(deadLetter, batch.deadLetterOutput).then(onDeadLetterWritten));
  const results = await Promise.allSettled(writes);
  await eventsWritten; // told before this resolves or rejects
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) throw failure.reason;
}
