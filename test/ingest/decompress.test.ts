import zlib from 'node:zlib';
import { contentCoding, decompress } from '../../src/ingest/decompress';
import { Problem, serviceUnavailable } from '../../src/problem';

const text = Buffer.from('line one\nline two\n');

describe('contentCoding', () => {
  it.each([
    ['gzip', 'gzip'],
    ['x-gzip', 'gzip'],
    ['application/gzip', 'gzip'],
    ['GZIP', 'gzip'],
    ['deflate', 'deflate'],
    ['br', 'br'],
    ['identity', 'identity'],
  ])('maps Content-Encoding %s to %s', (header, coding) => {
    expect(contentCoding(header, text)).toBe(coding);
  });

  it('sniffs the gzip magic bytes when no Content-Encoding is sent', () => {
    expect(contentCoding(undefined, zlib.gzipSync(text))).toBe('gzip');
    expect(contentCoding(undefined, text)).toBe('identity');
  });

  it('refuses an unknown coding with 415 naming it', () => {
    expect(() => contentCoding('zstd', text)).toThrow(expect.objectContaining({ status: 415, detail: expect.stringContaining('"zstd"') }));
  });
});

describe('decompress', () => {
  it.each([
    ['gzip', zlib.gzipSync(text)],
    ['deflate', zlib.deflateSync(text)],
    ['deflate', zlib.deflateRawSync(text)],
    ['br', zlib.brotliCompressSync(text)],
  ] as const)('decodes %s', async (coding, body) => {
    expect(await decompress(body, coding, 1024)).toEqual(text);
  });

  it('decodes concatenated gzip members', async () => {
    const body = Buffer.concat([zlib.gzipSync('a\n'), zlib.gzipSync('b\n')]);
    expect((await decompress(body, 'gzip', 1024)).toString()).toBe('a\nb\n');
  });

  it('stops a decompression bomb at the limit with 413', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024));
    await expect(decompress(bomb, 'gzip', 1024 * 1024)).rejects.toMatchObject({ status: 413 });
  });

  it('stops a small bomb (decoded in one call) at the limit with 413 too', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(4 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(64 * 1024);
    await expect(decompress(bomb, 'gzip', 1024 * 1024)).rejects.toMatchObject({
      status: 413,
      detail: 'decompressed body exceeds the limit of 1mb (--max-body)',
    });
  });

  it.each([
    ['small, decoded in one call', 10_000],
    ['large, decoded chunk by chunk', 300_000],
  ])('counts a %s body against the in-flight budget, and stops when it refuses', async (_kind, lines) => {
    const decoded = Buffer.from(Array.from({ length: lines }, (_, index) => `${index}\n`).join(''));
    const body = zlib.gzipSync(decoded);
    let admitted = 0;
    expect(await decompress(body, 'gzip', 10 * 1024 * 1024, (bytes) => void (admitted += bytes))).toEqual(decoded);
    expect(admitted).toBe(decoded.length);
    const refusal = serviceUnavailable('budget spent', 5);
    await expect(decompress(body, 'gzip', 10 * 1024 * 1024, () => refusal)).rejects.toBe(refusal);
  });

  it('answers broken gzip with 400', async () => {
    const truncated = zlib.gzipSync(text).subarray(0, 12);
    const error = await decompress(truncated, 'gzip', 1024).catch((caught: Problem) => caught);
    expect(error).toMatchObject({ status: 400, detail: expect.stringMatching(/^body is not valid gzip data: /) });
  });
});
