import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { badRequest, payloadTooLarge, unsupportedMediaType } from '../problem';
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

const gunzip = promisify<zlib.InputType, zlib.ZlibOptions, Buffer>(zlib.gunzip);
const inflate = promisify<zlib.InputType, zlib.ZlibOptions, Buffer>(zlib.inflate);
const inflateRaw = promisify<zlib.InputType, zlib.ZlibOptions, Buffer>(zlib.inflateRaw);
const brotli = promisify<zlib.InputType, zlib.BrotliOptions, Buffer>(zlib.brotliDecompress);

/**
 * Decompress with the output capped at `maxDecodedBytes`: zlib stops at the cap, so a
 * decompression bomb costs at most that much memory before it is refused.
 */
export async function decompress(body: Buffer, coding: ContentCoding, maxDecodedBytes: number): Promise<Buffer> {
  if (coding === 'identity') return body;
  const options = { maxOutputLength: maxDecodedBytes };
  try {
    switch (coding) {
      case 'gzip':
        return await gunzip(body, options);
      case 'br':
        return await brotli(body, options);
      case 'deflate':
        // RFC 9110 deflate is zlib-wrapped, but many senders send raw deflate.
        return await inflate(body, options).catch((error: NodeJS.ErrnoException) =>
          error.code === 'Z_DATA_ERROR' ? inflateRaw(body, options) : Promise.reject(error),
        );
    }
  } catch (error) {
    const cause = error as NodeJS.ErrnoException;
    if (cause.code === 'ERR_BUFFER_TOO_LARGE' || cause instanceof RangeError) {
      throw payloadTooLarge(`decompressed body exceeds the limit of ${formatSize(maxDecodedBytes)} (--max-body)`);
    }
    throw badRequest(`body is not valid ${coding} data: ${cause.message}`);
  }
}
