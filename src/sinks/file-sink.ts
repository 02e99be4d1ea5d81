import { accessSync, constants as fsConstants, statSync, type Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { accessOf, carryAccess, type FileAccess } from './file-access';
import { compressLeftovers, compressRotated, pruneRotated, rotatedName, type RotationPolicy } from './rotation';
import type { Sink } from './sink';
import { ensureDirectory } from './ensure-directory';
import { RECORD_START } from '../pipeline/output-record';

export type FsyncMode = 'never' | 'batch' | 'interval';

export interface FileSinkOptions {
  /** never: the OS flushes; batch: fsync before a write resolves; interval: fsync in the background. */
  fsync: FsyncMode;
  fsyncIntervalMs: number;
  rotation: RotationPolicy | undefined;
  /** Failures of background work (interval fsync, compression) that no request waits for. */
  onBackgroundError?: (error: Error) => void;
  /** Something was repaired on open (an incomplete last line left by a crash was dropped). */
  onRepair?: (message: string) => void;
}

/**
 * After a failed write, /readyz reports the sink not ready for this long (the Retry-After the
 * receiver answers with), so a fault that a path check cannot see (disk full, I/O error) shows.
 * It then reads ready again so traffic comes back to find out whether the fault is gone.
 */
const WRITE_FAILURE_SHOWN_MS = 5000;

/**
 * A FIFO or a socket where the file should be: opening a FIFO waits for a reader, for ever, and
 * would hold every request behind it. Refused instead, like any other unwritable path. Devices
 * (/dev/null, /dev/full) are written as files are.
 */
function refuseNonFile(filePath: string, stat: Stats | undefined): void {
  if (stat?.isFIFO() || stat?.isSocket()) {
    throw new Error(`${filePath} is a ${stat.isFIFO() ? 'FIFO' : 'socket'}, not a file; a file sink appends to a regular file`);
  }
}

export const DEFAULT_FILE_SINK_OPTIONS: FileSinkOptions = { fsync: 'never', fsyncIntervalMs: 1000, rotation: undefined };

interface PendingWrite {
  bytes: Buffer;
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
  /** The open file's group and permission bits, given to the file that replaces it. */
  private access: FileAccess | undefined;
  private inode = 0;
  /** Bytes known to be completely written. */
  private size = 0;
  private openedAt = 0;
  private queue: PendingWrite[] = [];
  private flushing: Promise<void> | undefined;
  private reopenRequested = false;
  private unsynced = false;
  private fsyncTimer: NodeJS.Timeout | undefined;
  /** Compression and pruning, one job after another, so pruning never deletes a file being compressed. */
  private background: Promise<void> = Promise.resolve();
  private readonly leftoversStopped = new AbortController();
  private lastFailure: { message: string; at: number } | undefined;
  private lastRotatedAt = 0;
  private directoryUnsynced = true;

  constructor(
    readonly filePath: string,
    name = `file:${filePath}`,
    private readonly options: FileSinkOptions = DEFAULT_FILE_SINK_OPTIONS,
  ) {
    this.name = name;
  }

  async open(): Promise<void> {
    await ensureDirectory(path.dirname(this.filePath));
    await this.openHandle();
    const policy = this.options.rotation;
    // Left by an earlier run, so it can wait for the next one: closing does not wait for it.
    if (policy?.gzip) {
      const signal = this.leftoversStopped.signal;
      this.inBackground(() => compressLeftovers(this.filePath, signal).then(() => (signal.aborted ? undefined : pruneRotated(this.filePath, policy.keep))));
    }
    if (this.options.fsync === 'interval') {
      this.fsyncTimer = setInterval(() => void this.syncInBackground(), this.options.fsyncIntervalMs);
      this.fsyncTimer.unref();
    }
  }

  /** Close and reopen the file at the next write (SIGHUP, after logrotate moved it). */
  reopen(): void {
    this.reopenRequested = true;
  }

  write(records: Buffer | string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ bytes: typeof records === 'string' ? Buffer.from(records) : records, resolve, reject });
      this.startFlush();
    });
  }

  private startFlush(): void {
    if (this.flushing) return;
    this.flushing = this.flush().finally(() => {
      this.flushing = undefined;
      // A write queued after the flush saw an empty queue but before this ran (say, by a caller
      // that writes again as soon as its previous write resolved) would otherwise wait forever.
      if (this.queue.length > 0) this.startFlush();
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      const chunks = batch.map((item) => item.bytes);
      try {
        await this.checkPath();
        await this.rotateIfDue(chunks.reduce((total, chunk) => total + chunk.length, 0));
        await this.append(chunks);
        if (this.options.fsync === 'batch') {
          await this.handle!.datasync();
          await this.syncDirectory();
        } else this.unsynced = true;
        this.lastFailure = undefined;
        for (const item of batch) item.resolve();
      } catch (error) {
        // Shown by unreadyReason for a while: it cannot see every fault live (a directory or a
        // dangling symlink where the file should be, a full disk).
        this.lastFailure = { message: (error as Error).message, at: Date.now() };
        await this.discardPartialWrite();
        for (const item of batch) item.reject(error as Error);
      }
    }
  }

  private async openHandle(): Promise<void> {
    const existing = statSync(this.filePath, { throwIfNoEntry: false });
    refuseNonFile(this.filePath, existing);
    const handle = await fs.open(this.filePath, 'a');
    // A file made anew (a rotation, a move) gets the group and permissions of the one before it,
    // so the next rotation does not undo a `chmod 600`; the first one has the umask's.
    if (existing === undefined && this.access !== undefined) {
      await carryAccess(handle, this.access).catch(async (error: unknown) => {
        await handle.close().catch(() => undefined);
        throw error;
      });
    }
    const stat = await handle.stat();
    this.access = accessOf(stat);
    let size = stat.size;
    if (stat.isFile() && size > 0) {
      try {
        size = await this.dropIncompleteLastLine(handle, size);
      } catch (error) {
        await handle.close().catch(() => undefined);
        throw error;
      }
    }
    this.handle = handle;
    this.directoryUnsynced = true;
    this.inode = stat.ino;
    this.size = size;
    this.openedAt = Date.now();
  }

  /**
   * A crash (SIGKILL, power loss) can stop a write part-way and leave an incomplete last line.
   * Its request was never acknowledged, since an answer waits for the whole write; cut it off so
   * the next record starts on a line of its own instead of being glued onto the fragment. A last
   * line that is not the start of one of our records was written by someone else: it is kept,
   * and ended with a newline.
   */
  private async dropIncompleteLastLine(handle: fs.FileHandle, size: number): Promise<number> {
    const reader = await fs.open(this.filePath, 'r').catch(() => undefined);
    if (!reader) return size; // write-only for us: nothing to check with
    try {
      const chunk = Buffer.alloc(64 * 1024);
      let end = size;
      while (end > 0) {
        const start = Math.max(0, end - chunk.length);
        const { bytesRead } = await reader.read(chunk, 0, end - start, start);
        const newline = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
        if (newline >= 0) {
          end = start + newline + 1;
          break;
        }
        end = start;
      }
      if (end === size) return size;
      const head = Buffer.alloc(Math.min(RECORD_START.length, size - end));
      await reader.read(head, 0, head.length, end);
      if (!RECORD_START.startsWith(head.toString('latin1'))) {
        await handle.write('\n');
        this.options.onRepair?.(`${this.name}: the last line (${size - end} bytes) had no newline and is not a record of ours, so it was kept and ended with one`);
        return size + 1;
      }
      await handle.truncate(end);
      this.options.onRepair?.(`${this.name}: dropped an incomplete last line of ${size - end} bytes (a write cut short by a crash; it was never acknowledged)`);
      return end;
    } finally {
      await reader.close();
    }
  }

  private async closeHandle(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    if (!handle) return;
    if (this.options.fsync !== 'never' && this.unsynced) await handle.datasync().catch(() => undefined);
    // As it is now, not as it was opened: a `chmod` or `chgrp` since then must carry over to the next file.
    const stat = await handle.stat().catch(() => undefined);
    if (stat !== undefined) this.access = accessOf(stat);
    await handle.close().catch(() => undefined);
  }

  /**
   * Reopen when asked to or when the path no longer names our file; fail when it cannot be written.
   * Both checks are synchronous: they read metadata the kernel has cached, in microseconds, while
   * as thread-pool jobs they cost more in hand-offs and every queued request would wait for them.
   */
  private async checkPath(): Promise<void> {
    accessSync(path.dirname(this.filePath), fsConstants.W_OK);
    const current = statSync(this.filePath, { throwIfNoEntry: false });
    refuseNonFile(this.filePath, current);
    if (this.reopenRequested || !this.handle || !current || current.ino !== this.inode) {
      this.reopenRequested = false;
      await this.closeHandle();
      await this.openHandle();
    } else if (current.size < this.size) {
      // Cut short from outside (logrotate's copytruncate): a failed write must be cut back to
      // the file's real end, not to a length past it, which would pad the file with zeros.
      this.size = current.size;
    }
  }

  private async rotateIfDue(incomingBytes: number): Promise<void> {
    const policy = this.options.rotation;
    if (!policy || this.size === 0) return;
    const bySize = policy.maxBytes !== undefined && this.size + incomingBytes > policy.maxBytes;
    const byTime = policy.intervalMs !== undefined && Date.now() - this.openedAt >= policy.intervalMs;
    if (!bySize && !byTime) return;
    await this.closeHandle();
    const rotated = await this.unusedRotatedName();
    await fs.rename(this.filePath, rotated);
    await this.openHandle();
    this.inBackground(async () => {
      if (policy.gzip) await compressRotated(rotated);
      await pruneRotated(this.filePath, policy.keep);
    });
  }

  /**
   * Rotated names carry the time to the millisecond; two rotations within one millisecond (or
   * a name left by an earlier run) must not share a name, or rename would replace that file.
   */
  private async unusedRotatedName(): Promise<string> {
    let at = Math.max(Date.now(), this.lastRotatedAt + 1);
    const taken = (file: string) => fs.access(file).then(() => true, () => false);
    while ((await taken(rotatedName(this.filePath, new Date(at)))) || (await taken(`${rotatedName(this.filePath, new Date(at))}.gz`))) at++;
    this.lastRotatedAt = at;
    return rotatedName(this.filePath, new Date(at));
  }

  /** One writev(2) for the whole group; a short write (rare on files) finishes with plain writes. */
  private async append(chunks: Buffer[]): Promise<void> {
    const handle = this.handle!;
    const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    let written = (await handle.writev(chunks)).bytesWritten;
    if (written < total) {
      const rest = Buffer.concat(chunks).subarray(written);
      let offset = 0;
      while (offset < rest.length) offset += (await handle.write(rest, offset)).bytesWritten;
      written = total;
    }
    this.size += total;
  }

  private async discardPartialWrite(): Promise<void> {
    try {
      // Never lengthen the file: that would write zeros in front of the next record.
      if (this.handle && (await this.handle.stat()).size > this.size) await this.handle.truncate(this.size);
    } catch {
      // The handle is unusable (file removed, device gone): reopen on the next write.
      await this.closeHandle();
    }
  }

  private async syncInBackground(): Promise<void> {
    if (!this.unsynced || !this.handle) return;
    this.unsynced = false;
    await this.handle
      .datasync()
      .then(() => this.syncDirectory())
      .catch((error: Error) => this.options.onBackgroundError?.(error));
  }

  /**
   * A file just created (at start, after a rotation or a move) is a new directory entry, which
   * fsync of the file alone does not make durable: sync the directory too, once per opened file.
   */
  private async syncDirectory(): Promise<void> {
    if (!this.directoryUnsynced) return;
    const directory = await fs.open(path.dirname(this.filePath), 'r').catch(() => undefined);
    if (directory) {
      try {
        await directory.sync();
      } finally {
        await directory.close();
      }
    } // else not readable by us: nothing more we can do
    this.directoryUnsynced = false;
  }

  private inBackground(job: () => Promise<void>): void {
    this.background = this.background.then(job).catch((error: Error) => this.options.onBackgroundError?.(error));
  }

  async unreadyReason(): Promise<string | undefined> {
    try {
      await fs.access(path.dirname(this.filePath), fsConstants.W_OK);
      // As the next write sees it: through the open file while the path still names it (its mode
      // does not matter then), else by opening the path, which must then be writable.
      const current = await fs.stat(this.filePath).catch(() => undefined);
      refuseNonFile(this.filePath, current);
      const writesThroughHandle = this.handle !== undefined && !this.reopenRequested && current?.ino === this.inode;
      if (!writesThroughHandle) {
        await fs.access(this.filePath, fsConstants.W_OK).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error;
        });
      }
      if (this.lastFailure && Date.now() - this.lastFailure.at < WRITE_FAILURE_SHOWN_MS) {
        return `the last write failed: ${this.lastFailure.message}`;
      }
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  }

  /** Finish queued writes and background compression, sync and close. */
  async close(): Promise<void> {
    if (this.fsyncTimer) clearInterval(this.fsyncTimer);
    this.leftoversStopped.abort();
    while (this.flushing) await this.flushing;
    await this.background;
    await this.closeHandle();
  }
}
