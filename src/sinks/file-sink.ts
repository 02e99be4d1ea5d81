import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { compressRotated, pruneRotated, rotatedName, type RotationPolicy } from './rotation';
import type { Sink } from './sink';

export type FsyncMode = 'never' | 'batch' | 'interval';

export interface FileSinkOptions {
  /** never: the OS flushes; batch: fsync before a write resolves; interval: fsync in the background. */
  fsync: FsyncMode;
  fsyncIntervalMs: number;
  rotation: RotationPolicy | undefined;
  /** Failures of background work (interval fsync, compression) that no request waits for. */
  onBackgroundError?: (error: Error) => void;
}

export const DEFAULT_FILE_SINK_OPTIONS: FileSinkOptions = { fsync: 'never', fsyncIntervalMs: 1000, rotation: undefined };

interface PendingWrite {
  records: string;
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * Appends records to a file. Concurrent writes are queued and written together (group
 * commit), so lines never interleave and one write(2) and one fsync serve many requests.
 * A failed write is cut back off the file, so a half-written batch can never pass for a
 * delivered one. Before each write the path is checked: a file deleted or moved away is
 * reopened, and a directory that is gone or unwritable fails the write instead of letting
 * records vanish into an unlinked file.
 */
export class FileSink implements Sink {
  readonly name: string;
  private handle: fs.FileHandle | undefined;
  private inode = 0;
  /** Bytes known to be completely written. */
  private size = 0;
  private openedAt = 0;
  private queue: PendingWrite[] = [];
  private flushing: Promise<void> | undefined;
  private reopenRequested = false;
  private unsynced = false;
  private fsyncTimer: NodeJS.Timeout | undefined;
  private readonly background = new Set<Promise<void>>();

  constructor(
    readonly filePath: string,
    name = `file:${filePath}`,
    private readonly options: FileSinkOptions = DEFAULT_FILE_SINK_OPTIONS,
  ) {
    this.name = name;
  }

  async open(): Promise<void> {
    await fs.mkdir(path.dirname(this.filePath), { recursive: true });
    await this.openHandle();
    if (this.options.fsync === 'interval') {
      this.fsyncTimer = setInterval(() => void this.syncInBackground(), this.options.fsyncIntervalMs);
      this.fsyncTimer.unref();
    }
  }

  /** Close and reopen the file at the next write (SIGHUP, after logrotate moved it). */
  reopen(): void {
    this.reopenRequested = true;
  }

  write(records: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ records, resolve, reject });
      this.flushing ??= this.flush().finally(() => (this.flushing = undefined));
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      const bytes = Buffer.from(batch.length === 1 ? batch[0]!.records : batch.map((item) => item.records).join(''));
      try {
        await this.checkPath();
        await this.rotateIfDue(bytes.length);
        await this.append(bytes);
        if (this.options.fsync === 'batch') await this.handle!.datasync();
        else this.unsynced = true;
        for (const item of batch) item.resolve();
      } catch (error) {
        await this.discardPartialWrite();
        for (const item of batch) item.reject(error as Error);
      }
    }
  }

  private async openHandle(): Promise<void> {
    const handle = await fs.open(this.filePath, 'a');
    const stat = await handle.stat();
    this.handle = handle;
    this.inode = stat.ino;
    this.size = stat.size;
    this.openedAt = Date.now();
  }

  private async closeHandle(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    if (!handle) return;
    if (this.options.fsync !== 'never' && this.unsynced) await handle.datasync().catch(() => undefined);
    await handle.close().catch(() => undefined);
  }

  /** Reopen when asked to or when the path no longer names our file; fail when it cannot be written. */
  private async checkPath(): Promise<void> {
    await fs.access(path.dirname(this.filePath), fsConstants.W_OK);
    const current = await fs.stat(this.filePath).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (this.reopenRequested || !this.handle || !current || current.ino !== this.inode) {
      this.reopenRequested = false;
      await this.closeHandle();
      await this.openHandle();
    }
  }

  private async rotateIfDue(incomingBytes: number): Promise<void> {
    const policy = this.options.rotation;
    if (!policy || this.size === 0) return;
    const bySize = policy.maxBytes !== undefined && this.size + incomingBytes > policy.maxBytes;
    const byTime = policy.intervalMs !== undefined && Date.now() - this.openedAt >= policy.intervalMs;
    if (!bySize && !byTime) return;
    await this.closeHandle();
    const rotated = rotatedName(this.filePath, new Date());
    await fs.rename(this.filePath, rotated);
    await this.openHandle();
    this.track(
      (policy.gzip ? compressRotated(rotated) : Promise.resolve()).then(() => pruneRotated(this.filePath, policy.keep)),
    );
  }

  private async append(bytes: Buffer): Promise<void> {
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
      await this.closeHandle();
    }
  }

  private async syncInBackground(): Promise<void> {
    if (!this.unsynced || !this.handle) return;
    this.unsynced = false;
    await this.handle.datasync().catch((error: Error) => this.options.onBackgroundError?.(error));
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((error: Error) => this.options.onBackgroundError?.(error)).finally(() => this.background.delete(tracked));
    this.background.add(tracked);
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

  /** Finish queued writes and background compression, sync and close. */
  async close(): Promise<void> {
    if (this.fsyncTimer) clearInterval(this.fsyncTimer);
    while (this.flushing) await this.flushing;
    await Promise.all(this.background);
    await this.closeHandle();
  }
}
