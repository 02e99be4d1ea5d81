import fc from 'fast-check';
import {
  CefFormatError,
  escapeExtensionValue,
  escapeHeaderField,
  unescapeExtensionValue,
  unescapeHeaderField,
} from '../../../src/formats/cef/escape';

describe('header escaping', () => {
  it.each([
    ['plain', 'plain'],
    ['a|b', 'a\\|b'],
    ['a\\b', 'a\\\\b'],
    ['a=b', 'a=b'],
    ['\\|', '\\\\\\|'],
  ])('%j → %j', (value, escaped) => {
    expect(escapeHeaderField(value)).toBe(escaped);
    expect(unescapeHeaderField(escaped)).toBe(value);
  });

  it('keeps unknown escapes when decoding', () => {
    expect(unescapeHeaderField('a\\nb\\=c\\')).toBe('a\\nb\\=c\\');
  });

  it('replaces line breaks with a space, or throws when asked to', () => {
    expect(escapeHeaderField('a\r\nb\nc\rd')).toBe('a b c d');
    expect(() => escapeHeaderField('a\nb', 'throw')).toThrow(CefFormatError);
  });

  it('round-trips any text without line breaks', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }).map((s) => s.replace(/[\r\n]/g, '')), (s) => {
        expect(unescapeHeaderField(escapeHeaderField(s))).toBe(s);
      }),
    );
  });
});

describe('extension value escaping', () => {
  it.each([
    ['a=b', 'a\\=b'],
    ['a\\b', 'a\\\\b'],
    ['line1\nline2', 'line1\\nline2'],
    ['cr\rlf\n', 'cr\\rlf\\n'],
    ['a|b', 'a|b'],
  ])('%j → %j', (value, escaped) => {
    expect(escapeExtensionValue(value)).toBe(escaped);
    expect(unescapeExtensionValue(escaped)).toBe(value);
  });

  it('decodes \\r as CR, not LF (VRL turns it into LF)', () => {
    expect(unescapeExtensionValue('a\\rb')).toBe('a\rb');
  });

  it('keeps any other backslash as it is', () => {
    expect(unescapeExtensionValue('C:\\Program Files\\x \\| \\t \\')).toBe('C:\\Program Files\\x \\| \\t \\');
  });

  it('round-trips any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(unescapeExtensionValue(escapeExtensionValue(s))).toBe(s);
      }),
    );
  });
});
