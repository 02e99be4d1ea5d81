import { encodeLines } from '../../src/pipeline/encode-lines';

describe('encodeLines', () => {
  it('writes each record as UTF-8 followed by a newline, multi-byte characters and surrogate pairs included', () => {
    const records = ['{"a":1}', '{"name":"Zoë ✓ 🚀"}', ''];
    const encoded = encodeLines(records);
    expect(encoded.bytes.toString('utf8')).toBe('{"a":1}\n{"name":"Zoë ✓ 🚀"}\n\n');
    encoded.release();
  });

  it('reuses the memory of a released batch, and never the memory of one still being written', () => {
    const first = encodeLines(['first']);
    const second = encodeLines(['second']);
    expect(second.bytes.buffer).not.toBe(first.bytes.buffer);
    expect(first.bytes.toString()).toBe('first\n');
    first.release();
    first.release(); // twice is harmless: the space is not handed out twice
    const third = encodeLines(['third']);
    const fourth = encodeLines(['fourth']);
    expect(third.bytes.buffer).toBe(first.bytes.buffer);
    expect(fourth.bytes.buffer).not.toBe(first.bytes.buffer);
    expect([second, third, fourth].map((encoded) => encoded.bytes.toString())).toEqual(['second\n', 'third\n', 'fourth\n']);
    for (const encoded of [second, third, fourth]) encoded.release();
  });

  it('grows past the reusable space for a large batch, keeping every byte', () => {
    const records = Array.from({ length: 2000 }, (_, index) => `{"index":${index},"pad":"${'é'.repeat(200)}"}`);
    const encoded = encodeLines(records);
    expect(encoded.bytes.length).toBeGreaterThan(256 * 1024);
    expect(encoded.bytes.toString('utf8')).toBe(`${records.join('\n')}\n`);
    encoded.release();
  });

  it('returns no bytes for no records', () => {
    expect(encodeLines([]).bytes.length).toBe(0);
  });
});
