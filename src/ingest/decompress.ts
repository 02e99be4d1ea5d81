import type { Transform } from 'node:stream';
import zlib from 'node:zlib';
import { badRequest, payloadTooLarge, Problem, unsupportedMediaType } from '../problem';
import { formatSize } from '../config/size';

export type ContentCoding = 'gzip' | 'deflate' | 'br' | 'identity';

const CODING_ALIASES: Record<string, ContentCoding> = {
  gzip: 'gzip',
  'x-gzip': 'gzip',
  // Konnect's docs state "The Content-Encoding is application/gzip".
  'application/gzip': 'gzip',
  deflate: 'deflate',
  br: 'br',
  identity: 'identity',
};

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/** Pick the decoder from Content-Encoding, or from the gzip magic bytes when none is named. */
export function contentCoding(header: string | undefined, body: Buffer): ContentCoding {
  const tokens = (header ?? '')
    .split(',')
    .map((token) => token.trim().toLowerCase())
    .filter((token) => token !== '' && token !== 'identity');
  if (tokens.length > 1) {
    throw unsupportedMediaType(`Content-Encoding "${header}" stacks several codings; send one of gzip, deflate or br`);
  }
  if (tokens.length === 1) {
    const coding = CODING_ALIASES[tokens[0]!];
    if (!coding) {
      throw unsupportedMediaType(`Content-Encoding "${tokens[0]}" is not supported; send gzip, deflate, br or identity`);
    }
    return coding;
  }
  return body.length >= 2 && body[0] === GZIP_MAGIC_0 && body[1] === GZIP_MAGIC_1 ? 'gzip' : 'identity';
}


/**
 * Decompressions that may run at once (libuv runs four zlib jobs at a time by default anyway).
 * Each chunk of output is counted against --max-in-flight as it comes; the cap also keeps
 * many bombs decoding at once from starving the other requests of the thread pool.
 */
const MAX_CONCURRENT_DECOMPRESSIONS = 4;
let decompressionsRunning = 0;
const waitingForDecompression: Array<() => void> = [];

async function withDecompressionSlot<T>(work: () => Promise<T>): Promise<T> {
  if (decompressionsRunning < MAX_CONCURRENT_DECOMPRESSIONS) decompressionsRunning++;
  else await new Promise<void>((resolve) => waitingForDecompression.push(resolve)); // the slot is handed over
  try {
    return await work();
  } finally {
    const next = waitingForDecompression.shift();
    if (next) next();
    else decompressionsRunning--;
  }
}

/** Called with each decoded chunk's size; returns an error to stop (no memory budget left). */
export type Admit = (bytes: number) => Error | undefined;

/**
 * Bodies up to this size as sent are decoded in one synchronous call: a thread-pool round trip
 * costs more than decoding a typical batch (16 kB of gzip, 60 kB of events, about 100 µs), and
 * the output is still capped at the limit before anything is kept.
 */
const DECODE_INLINE_MAX_BYTES = 64 * 1024;

/**
 * Decompress, counting the output against `maxDecodedBytes` (413 past it) and the in-flight
 * budget (`admit`). A small body is decoded at once, capped at the limit; a larger one chunk by
 * chunk, each chunk admitted before it is kept, so a decompression bomb costs at most one chunk
 * beyond what the budget allows.
 */
export async function decompress(
  body: Buffer,
  coding: ContentCoding,
  maxDecodedBytes: number,
  admit: Admit = () => undefined,
): Promise<Buffer> {
  if (coding === 'identity') return body;
  if (body.length <= DECODE_INLINE_MAX_BYTES) return decodeInline(body, coding, maxDecodedBytes, admit);
  return withDecompressionSlot(async () => {
    try {
      if (coding !== 'deflate') return await decodeStream(body, decoderFor(coding), maxDecodedBytes, admit);
      // RFC 9110 deflate is zlib-wrapped, but many senders send raw deflate.
      return await decodeStream(body, zlib.createInflate({ chunkSize: CHUNK_SIZE }), maxDecodedBytes, admit).catch((error: NodeJS.ErrnoException) =>
        error.code === 'Z_DATA_ERROR' ? decodeStream(body, zlib.createInflateRaw({ chunkSize: CHUNK_SIZE }), maxDecodedBytes, admit) : Promise.reject(error),
      );
    } catch (error) {
      if (error instanceof Problem) throw error;
      throw notValid(coding, error as Error);
    }
  });
}

function decodeInline(body: Buffer, coding: Exclude<ContentCoding, 'identity'>, maxDecodedBytes: number, admit: Admit): Buffer {
  const options = { maxOutputLength: maxDecodedBytes, chunkSize: CHUNK_SIZE };
  let decoded: Buffer;
  try {
    if (coding === 'gzip') decoded = zlib.gunzipSync(body, options);
    else if (coding === 'br') decoded = zlib.brotliDecompressSync(body, options);
    else {
      try {
        decoded = zlib.inflateSync(body, options);
      } catch (error) {
        // RFC 9110 deflate is zlib-wrapped, but many senders send raw deflate.
        if ((error as NodeJS.ErrnoException).code !== 'Z_DATA_ERROR') throw error;
        decoded = zlib.inflateRawSync(body, options);
      }
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(maxDecodedBytes);
    throw notValid(coding, error as Error);
  }
  const refusal = admit(decoded.length);
  if (refusal) throw refusal;
  return decoded;
}

const tooLarge = (maxDecodedBytes: number) =>
  payloadTooLarge(`decompressed body exceeds the limit of ${formatSize(maxDecodedBytes)} (--max-body)`);

const notValid = (coding: ContentCoding, error: Error) => badRequest(`body is not valid ${coding} data: ${error.message}`);

/** Output chunks this large take a typical batch in one thread-pool round trip instead of four. */
const CHUNK_SIZE = 64 * 1024;

function decoderFor(coding: 'gzip' | 'br'): zlib.Gunzip | zlib.BrotliDecompress {
  return coding === 'gzip' ? zlib.createGunzip({ chunkSize: CHUNK_SIZE }) : zlib.createBrotliDecompress({ chunkSize: CHUNK_SIZE });
}

function decodeStream(body: Buffer, decoder: Transform, maxDecodedBytes: number, admit: Admit): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let decoded = 0;
    const stop = (error: Error) => {
      decoder.destroy();
      reject(error);
    };
    decoder.on('data', (chunk: Buffer) => {
      decoded += chunk.length;
      if (decoded > maxDecodedBytes) return stop(tooLarge(maxDecodedBytes));
      const refusal = admit(chunk.length);
      if (refusal) return stop(refusal);
      chunks.push(chunk);
    });
    decoder.on('error', reject);
    decoder.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, decoded)));
    decoder.end(body);
  });
}
