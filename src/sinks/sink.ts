/** Where accepted events go. A write resolves only once the bytes are written. */
export interface Sink {
  /** As configured, e.g. `stdout` or `file:./data/audit-events.ndjson`. */
  readonly name: string;
  open(): Promise<void>;
  /** Write whole newline-terminated records (UTF-8); never interleaves with another write. */
  write(records: Buffer | string): Promise<void>;
  /** Undefined when the sink can take writes; otherwise why not. */
  unreadyReason(): Promise<string | undefined>;
  close(): Promise<void>;
}

export class SinkError extends Error {
  constructor(readonly sink: string, cause: Error) {
    super(`sink ${sink} failed: ${cause.message}`, { cause });
  }
}
