import zlib from 'node:zlib';
import { contentCoding, decompress } from '../../src/ingest/decompress';
import { Problem } from '../../src/problem';

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

  it('answers broken gzip with 400', async () => {
    const truncated = zlib.gzipSync(text).subarray(0, 12);
    const error = await decompress(truncated, 'gzip', 1024).catch((caught: Problem) => caught);
    expect(error).toMatchObject({ status: 400, detail: expect.stringMatching(/^body is not valid gzip data: /) });
  });
});
