import { fstatSync, statSync } from 'node:fs';
import type { Writable } from 'node:stream';
import type { Sink } from './sink';

/** Writes records to stdout (or any stream); resolves when the stream has taken them. */
export class StreamSink implements Sink {
  private failure: Error | undefined;

  constructor(readonly name: string, private readonly stream: Writable) {
    stream.on('error', (error) => {
      this.failure = error;
    });
  }

  async open(): Promise<void> {}

  write(records: Buffer | string): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.stream.write(records, (error) => (error ? reject(error) : resolve()));
    });
  }

  async unreadyReason(): Promise<string | undefined> {
    if (this.failure) return this.failure.message;
    return this.stream.writable ? undefined : 'stream is closed';
  }

  async close(): Promise<void> {}
}

/**
 * Whether a file descriptor leads to /dev/null. Node reopens a closed stdout (`>&-`) as /dev/null,
 * so a stdout sink would then acknowledge events that no one can ever read.
 */
export function isDevNull(fd: number): boolean {
  try {
    const target = fstatSync(fd);
    return target.isCharacterDevice() && target.rdev === statSync('/dev/null').rdev;
  } catch {
    return false; // no /dev/null (Windows) or no such descriptor: nothing to tell
  }
}
