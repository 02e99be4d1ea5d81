import fc from 'fast-check';

import { decodeBase64Url, encodeBase64Url } from '../../src/signature/base64url';

describe('base64url', () => {
  it('encodes without padding in the URL alphabet', () => {
    expect(encodeBase64Url(Buffer.from([0xfb, 0xff, 0xbf]))).toBe('-_-_');
    expect(encodeBase64Url(Buffer.from('ab'))).toBe('YWI');
  });

  it('decodes unpadded and padded text to the same bytes', () => {
    expect(decodeBase64Url('YWI')).toEqual(Buffer.from('ab'));
    expect(decodeBase64Url('YWI=')).toEqual(Buffer.from('ab'));
    expect(decodeBase64Url('YQ==')).toEqual(Buffer.from('a'));
    expect(decodeBase64Url('')).toEqual(Buffer.alloc(0));
  });

  it('round-trips any bytes, padded or not', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const text = encodeBase64Url(bytes);
        const padded = text.padEnd(Math.ceil(text.length / 4) * 4, '=');
        expect(decodeBase64Url(text)).toEqual(Buffer.from(bytes));
        expect(decodeBase64Url(padded)).toEqual(Buffer.from(bytes));
      }),
    );
  });

  it.each([
    ['the standard alphabet', '+/+/'],
    ['whitespace', 'YW I'],
    ['an impossible length', 'YWJjZ'],
    ['padding in the middle', 'YQ==YQ=='],
    ['too much padding', 'YQ==='],
    ['padding on a bad length', 'YWI=='],
    ['non-zero unused bits', 'YWJ'],
  ])('refuses %s', (_what, text) => {
    expect(decodeBase64Url(text)).toBeUndefined();
  });
});
