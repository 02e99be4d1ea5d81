/** Reads a server's output file after its run: how many lines, and how many hold a needle. */
import fs from 'node:fs';
import path from 'node:path';
import { createGunzip } from 'node:zlib';

export interface FileCount {
  lines: number;
  /** Occurrences of the needle (at most one per line in these outputs). */
  matches: number;
  bytes: number;
}

/**
 * The file and any rotated siblings (`events.ndjson.<time>`, `….gz`): the bench turns the
 * receiver's rotation off, but should it rotate anyway, no line is lost to the count.
 */
export function outputFiles(file: string): string[] {
  const base = path.basename(file);
  if (!fs.existsSync(path.dirname(file))) return [];
  return fs
    .readdirSync(path.dirname(file))
    .filter((name) => name === base || (name.startsWith(`${base}.`) && !name.endsWith('.partial')))
    .map((name) => path.join(path.dirname(file), name));
}

/** Lines and needles in the file and its rotated siblings; a missing file counts as empty. */
export async function countOutput(file: string, needle?: string): Promise<FileCount & { files: number }> {
  const total = { lines: 0, matches: 0, bytes: 0, files: 0 };
  for (const each of outputFiles(file)) {
    const count = await countLines(each, needle);
    total.lines += count.lines;
    total.matches += count.matches;
    total.bytes += count.bytes;
    total.files++;
  }
  return total;
}

/** Counts `\n` and occurrences of `needle` in one streaming pass (through gunzip for `.gz`). */
export async function countLines(file: string, needle?: string): Promise<FileCount> {
  if (!fs.existsSync(file)) return { lines: 0, matches: 0, bytes: 0 };
  const pattern = needle === undefined ? undefined : Buffer.from(needle, 'utf8');
  let lines = 0;
  let matches = 0;
  let bytes = 0;
  let carry: Buffer = Buffer.alloc(0);
  const raw = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  const stream = file.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines++;
    if (pattern) {
      // Keep the end of the previous chunk, so a needle split across two chunks is still found.
      const window = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      for (let at = window.indexOf(pattern); at !== -1; at = window.indexOf(pattern, at + pattern.length)) matches++;
      carry = window.subarray(Math.max(0, window.length - (pattern.length - 1)));
    }
  }
  return { lines, matches, bytes };
}
