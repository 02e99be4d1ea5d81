import { findExtensionStart, parseExtensions } from '../../../src/formats/cef/extensions';
import type { CefWarning } from '../../../src/formats/cef/types';

/** Parses `text` as a whole extension block. */
function scan(text: string): { extensions: Record<string, string>; warnings: CefWarning[] } {
  const warnings: CefWarning[] = [];
  const { extensions } = parseExtensions(text, 0, text.length, warnings);
  return { extensions, warnings };
}

describe('parseExtensions: where a value ends', () => {
  it.each([
    ['values may contain spaces', 'filePath=/user/x/my file name.txt act=blocked', { filePath: '/user/x/my file name.txt', act: 'blocked' }],
    ['a key follows a space and is followed by "="', 'msg=a b=c', { msg: 'a', b: 'c' }],
    ['"=" not behind a space-preceded key stays in the value', 'request=/a?x=1&y=2 src=1.2.3.4', { request: '/a?x=1&y=2', src: '1.2.3.4' }],
    ['Konnect user agents stay one value', 'user_agent=grpc-node/1.24.11 grpc-c/8.0.0 (linux; chttp2; ganges) sig=x', { user_agent: 'grpc-node/1.24.11 grpc-c/8.0.0 (linux; chttp2; ganges)', sig: 'x' }],
    ['JSON values stay one value', 'query={"end":"1684270800","start":"1684098000"} sig=x', { query: '{"end":"1684270800","start":"1684098000"}', sig: 'x' }],
    ['base64 padding stays in the value', 'key=aGVsbG8= spt=1232', { key: 'aGVsbG8=', spt: '1232' }],
    ['a "=" right after a space but without a key stays in the value', 'msg=a =b c=d', { msg: 'a =b', c: 'd' }],
    ['a key must start with a letter, digit or "_"', 'msg=a -b=c .d=e', { msg: 'a -b=c .d=e' }],
    ['non-standard keys: dots, brackets, commas, dashes, underscores', 'ad.user=bob ad.field[0]=x ad.Error_,Code=3 X-Header=y cs1Label=L', { 'ad.user': 'bob', 'ad.field[0]': 'x', 'ad.Error_,Code': '3', 'X-Header': 'y', cs1Label: 'L' }],
    ['non-ASCII letters do not make a key', 'msg=a é=b', { msg: 'a é=b' }],
    ['pipes need no escaping in extensions', 'act=blocked a | dst=1.1.1.1', { act: 'blocked a |', dst: '1.1.1.1' }],
    ['a tab is not a separator', 'msg=a\tb=c', { msg: 'a\tb=c' }],
  ])('%s', (_rule, text, expected) => {
    expect(scan(text).extensions).toEqual(expected);
  });
});

describe('parseExtensions: spaces (spec rules)', () => {
  it('gives all but the last of several spaces before a key to the previous value', () => {
    expect(scan('a=x   b=y').extensions).toEqual({ a: 'x  ', b: 'y' });
  });

  it('keeps no trailing spaces on the last value', () => {
    expect(scan('a=x b=y   ').extensions).toEqual({ a: 'x', b: 'y' });
  });

  it('keeps leading spaces of a value', () => {
    expect(scan('a=  x b= y').extensions).toEqual({ a: '  x', b: ' y' });
  });

  it('skips spaces before the first key', () => {
    expect(scan('   a=1').extensions).toEqual({ a: '1' });
  });

  it('reads an empty value as an empty string, not a missing key', () => {
    expect(scan('user_agent= sig=x').extensions).toEqual({ user_agent: '', sig: 'x' });
    expect(scan('a=1 dpt=').extensions).toEqual({ a: '1', dpt: '' });
    expect(scan('a= ').extensions).toEqual({ a: '' });
  });
});

describe('parseExtensions: escapes', () => {
  it('decodes \\=, \\\\, \\n (LF) and \\r (CR) exactly', () => {
    expect(scan('msg=a\\=b\\\\c\\nd\\re').extensions).toEqual({ msg: 'a=b\\c\nd\re' });
  });

  it('keeps any other backslash as it is', () => {
    expect(scan('path=Some\\/Path pipe=a\\|b tab=\\t end=x\\').extensions).toEqual({ path: 'Some\\/Path', pipe: 'a\\|b', tab: '\\t', end: 'x\\' });
  });

  it('does not split at an escaped "="', () => {
    const { extensions, warnings } = scan('msg=x y\\=z w=1');
    expect(extensions).toEqual({ msg: 'x y=z', w: '1' });
    expect(warnings).toEqual([]);
  });

  it('treats "=" after an escaped backslash as unescaped', () => {
    const { extensions, warnings } = scan('msg=a\\\\=b');
    expect(extensions).toEqual({ msg: 'a\\=b' });
    expect(warnings).toEqual([{ message: 'unescaped "=" kept in the value of msg', offset: 7, key: 'msg' }]);
  });
});

describe('parseExtensions: warnings', () => {
  it('warns once per value about unescaped "=", with the offset of the first', () => {
    const { warnings } = scan('request=/a?x=1&y=2 src=1');
    expect(warnings).toEqual([{ message: 'unescaped "=" kept in the value of request', offset: 12, key: 'request' }]);
  });

  it('warns about a repeated key and keeps the last value', () => {
    const { extensions, warnings } = scan('a=1 b=2 a=3');
    expect(extensions).toEqual({ a: '3', b: '2' });
    expect(warnings).toEqual([{ message: 'repeated key a: the last value wins', offset: 8, key: 'a' }]);
  });

  it('warns about text before the first key and still reads the pairs after it', () => {
    const { extensions, warnings } = scan('garbage here a=1');
    expect(extensions).toEqual({ a: '1' });
    expect(warnings).toEqual([{ message: 'extension text without a key was skipped: "garbage here"', offset: 0 }]);
  });

  it('warns when the whole block has no key', () => {
    expect(scan('just text')).toEqual({ extensions: {}, warnings: [{ message: 'extension text without a key was skipped: "just text"', offset: 0 }] });
  });
});

describe('parseExtensions: scanning inside a longer line', () => {
  it('reads only [start, end) and reports offsets in the whole line', () => {
    const line = 'HEAD|a=1 b=x=y|TAIL';
    const warnings: CefWarning[] = [];
    expect(parseExtensions(line, 5, 14, warnings).extensions).toEqual({ a: '1', b: 'x=y' });
    expect(warnings).toEqual([{ message: 'unescaped "=" kept in the value of b', offset: 12, key: 'b' }]);
  });

  it('reports timestamp keys and the zone key it saw', () => {
    const result = parseExtensions('rt=1 end=2 dtz=UTC src=x', 0, 24, []);
    expect(result.timestampKeys).toEqual(['rt', 'end']);
    expect(result.zoneKey).toBe('dtz');
  });
});

describe('findExtensionStart', () => {
  it.each([
    ['a=1 b=2', 0],
    ['Name here a=1', 10],
    ['  a=1', 2],
    ['no keys', -1],
    ['x=', 0],
  ])('%j → %p', (text, expected) => {
    expect(findExtensionStart(text, 0, text.length)).toBe(expected);
  });
});

describe('parseExtensions: text before the first key', () => {
  it('skips a header field too many (an unescaped | in the name) and keeps the first extension right after it', () => {
    expect(scan('extra|rt=1750280466889 src=1.2.3.4')).toEqual({
      extensions: { rt: '1750280466889', src: '1.2.3.4' },
      warnings: [{ message: 'extension text without a key was skipped: "extra"', offset: 0 }],
    });
    expect(scan('junk src=1.2.3.4').extensions).toEqual({ src: '1.2.3.4' });
  });

  it('still reads a | inside a value as part of it', () => {
    expect(scan('msg=a|b=c d=e').extensions).toEqual({ msg: 'a|b=c', d: 'e' });
  });
});

describe('parseExtensions: many keys', () => {
  it('reads lines of 4,096 distinct keys, line after line, every value in place', () => {
    // The key cache copied each node's path, so such a line cost the square of its keys (0.5 s each).
    for (let round = 0; round < 20; round++) {
      const line = Array.from({ length: 4096 }, (_, index) => `k${round}_${index}=v${index}`).join(' ');
      const { extensions } = scan(line);
      expect(Object.keys(extensions)).toHaveLength(4096);
      expect(extensions[`k${round}_4095`]).toBe('v4095');
    }
  });
});
