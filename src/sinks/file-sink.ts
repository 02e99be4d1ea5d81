import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Sink } from './sink';

interface PendingWrite {
  records: string;
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * Appends records to a file. Concurrent writes are queued and written together (group
 * commit), so lines never interleave and one write(2) serves many requests. A failed write
 * is cut back off the file, so a half-written batch can never pass for a delivered one.
 */
export class FileSink implements Sink {
  readonly name: string;
  private handle: fs.FileHandle | undefined;
  /** Bytes known to be completely written. */
  private size = 0;
  private queue: PendingWrite[] = [];
  private flushing = false;

  constructor(readonly filePath: string, name = `file:${filePath}`) {
    this.name = name;
  }

  async open(): Promise<void> {
    await fs.mkdir(path.dirname(this.filePath), { recursive: true });
    this.handle = await fs.open(this.filePath, 'a');
    this.size = (await this.handle.stat()).size;
  }

  write(records: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ records, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      const bytes = Buffer.from(batch.length === 1 ? batch[0]!.records : batch.map((item) => item.records).join(''));
      try {
        await this.append(bytes);
        for (const item of batch) item.resolve();
      } catch (error) {
        await this.discardPartialWrite();
        for (const item of batch) item.reject(error as Error);
      }
    }
    this.flushing = false;
  }

  private async append(bytes: Buffer): Promise<void> {
    if (!this.handle) await this.open();
    const handle = this.handle!;
    let offset = 0;
    while (offset < bytes.length) {
      const { bytesWritten } = await handle.write(bytes, offset);
      offset += bytesWritten;
    }
    this.size += bytes.length;
  }

  private async discardPartialWrite(): Promise<void> {
    try {
      await this.handle?.truncate(this.size);
    } catch {
      // The handle is unusable (file removed, device gone): reopen on the next write.
      await this.handle?.close().catch(() => undefined);
      this.handle = undefined;
    }
  }

  async unreadyReason(): Promise<string | undefined> {
    try {
      await fs.access(path.dirname(this.filePath), fsConstants.W_OK);
      await fs.access(this.filePath, fsConstants.W_OK).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  }

  async close(): Promise<void> {
    while (this.flushing) await new Promise((resolve) => setImmediate(resolve));
    await this.handle?.close();
    this.handle = undefined;
  }
}
