import { isExtensionKey, keyEndAt, keyStartBefore } from '../../../src/formats/cef/keys';

describe('isExtensionKey', () => {
  it.each(['src', 'cs1Label', 'ad.user', 'ad.field[0]', 'ad.Error_,Code', 'X-Header', '_x', '0', '__proto__'])('accepts %j', (key) => {
    expect(isExtensionKey(key)).toBe(true);
  });

  it.each(['', '-x', '.x', '[0]', 'a b', 'a=b', 'a\\b', 'ключ', 'a|b', 'a"b'])('rejects %j', (key) => {
    expect(isExtensionKey(key)).toBe(false);
  });
});

describe('keyStartBefore', () => {
  it('finds the key that ends at "=" behind a space', () => {
    const line = 'msg=a b.c=d';
    expect(keyStartBefore(line, line.lastIndexOf('='), 4)).toBe(6);
  });

  it('needs the space to lie inside the value (after floor)', () => {
    expect(keyStartBefore('a=b=c', 3, 2)).toBe(-1);
  });

  it('refuses a key that would start with a dash', () => {
    expect(keyStartBefore('m=a -b=c', 6, 2)).toBe(-1);
  });
});

describe('keyEndAt', () => {
  it('returns the "=" of a key that starts exactly at `from`', () => {
    expect(keyEndAt('abc=1', 0, 5)).toBe(3);
    expect(keyEndAt(' abc=1', 0, 6)).toBe(-1);
    expect(keyEndAt('abc', 0, 3)).toBe(-1);
    expect(keyEndAt('abc=1', 0, 3)).toBe(-1);
  });
});
