import fc from 'fast-check';
import { CefFormatError } from '../../../src/formats/cef/escape';
import { formatCef } from '../../../src/formats/cef/format';
import { parseCef } from '../../../src/formats/cef/parse';
import type { CefFormatInput } from '../../../src/formats/cef/types';

const HEADER = { deviceVendor: 'V', deviceProduct: 'P', deviceVersion: '1.0', deviceEventClassId: '100', name: 'n', severity: 5 };

describe('formatCef', () => {
  it('writes the header, escaping \\ and | only', () => {
    const line = formatCef({ ...HEADER, deviceVendor: 'a|b', deviceProduct: 'c\\d', name: 'x=y' });
    expect(line).toBe('CEF:0|a\\|b|c\\\\d|1.0|100|x=y|5|');
  });

  it('writes extension values escaping \\, =, LF and CR (cowrie#40467: "=" and "\\" must be escaped)', () => {
    const line = formatCef({ ...HEADER, extensions: { msg: 'CMD: wget http://x/?a=b&c=d \\ done\r\nnext|line' } });
    expect(line).toBe('CEF:0|V|P|1.0|100|n|5|msg=CMD: wget http://x/?a\\=b&c\\=d \\\\ done\\r\\nnext|line');
    expect(parseCef(line)).toMatchObject({ ok: true, warnings: [], event: { extensions: { msg: 'CMD: wget http://x/?a=b&c=d \\ done\r\nnext|line' } } });
  });

  it('writes the prefix followed by one space, and accepts a parsed CefPrefix', () => {
    expect(formatCef({ ...HEADER, prefix: '2025-06-18T21:02:36Z konghq.com' })).toBe('2025-06-18T21:02:36Z konghq.com CEF:0|V|P|1.0|100|n|5|');
    expect(formatCef({ ...HEADER, prefix: { raw: 'Apr 14 05:39:08 host' } })).toBe('Apr 14 05:39:08 host CEF:0|V|P|1.0|100|n|5|');
    expect(formatCef({ ...HEADER, prefix: '' })).toBe('CEF:0|V|P|1.0|100|n|5|');
  });

  it('writes non-string extension values with String() and skips null/undefined', () => {
    const line = formatCef({ ...HEADER, version: 1, extensions: { a: 1, b: true, c: 12345678901234567890n, d: undefined, e: null, f: '' } });
    expect(line).toBe('CEF:1|V|P|1.0|100|n|5|a=1 b=true c=12345678901234567890 f=');
  });

  it('formats a parsed event back to an equivalent line', () => {
    // A spec-escaping producer (not Konnect, whose dialect has no escapes and is parsed by its own rules).
    const original = '2025-06-18T21:02:36Z gateway.example CEF:0|Example\\|Inc|Gateway|1.0|gw|Authz|1|rt=1750280466889 msg=a\\=b\\nc user_agent=grpc (linux)';
    const result = parseCef(original);
    if (!result.ok) throw new Error(result.error.message);
    expect(formatCef(result.event)).toBe(original);
  });

  describe('header line breaks (not allowed in a CEF header)', () => {
    it('become one space each by default (CRLF counts as one)', () => {
      expect(formatCef({ ...HEADER, name: 'two\r\nlines\nand\rmore' })).toBe('CEF:0|V|P|1.0|100|two lines and more|5|');
      expect(formatCef({ ...HEADER, prefix: 'host\nname' })).toBe('host name CEF:0|V|P|1.0|100|n|5|');
    });

    it('throw with headerNewlines: "throw"', () => {
      expect(() => formatCef({ ...HEADER, name: 'a\nb' }, { headerNewlines: 'throw' })).toThrow(CefFormatError);
      expect(() => formatCef({ ...HEADER, prefix: 'a\rb' }, { headerNewlines: 'throw' })).toThrow(CefFormatError);
    });
  });

  describe('refuses what the parser could not read back', () => {
    it.each([['a b'], ['a=b'], [''], ['-x'], ['ключ'], ['a\\b']])('the key %j', (key) => {
      expect(() => formatCef({ ...HEADER, extensions: { [key]: 'v' } })).toThrow(CefFormatError);
    });

    it.each([[-1], [1.5], [Number.NaN], [2 ** 60]])('the version %p', (version) => {
      expect(() => formatCef({ ...HEADER, version })).toThrow(CefFormatError);
    });

    it('a prefix that contains a CEF marker', () => {
      expect(() => formatCef({ ...HEADER, prefix: 'x CEF:0| y' })).toThrow(CefFormatError);
      expect(formatCef({ ...HEADER, prefix: 'CEF:tag' })).toBe('CEF:tag CEF:0|V|P|1.0|100|n|5|');
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Round trip: parse(format(x)) reads back x.
//
// What the property covers, and the one thing it normalises:
// - header fields and severity: any text without CR/LF (the header may not hold line breaks; see
//   the tests above), including |, \, =, unicode, lone surrogates, leading and trailing spaces;
// - extension keys: anything isExtensionKey accepts (incl. `__proto__`, `constructor`, `a.b[0]`);
// - extension values: any text at all (|, \, =, CR, LF, unicode, spaces anywhere);
// - EXCEPT that the last value's trailing spaces are not preserved: the spec says so, there is
//   no escape for a space, and the parser follows the spec. The expected value is normalised
//   accordingly (not the generator), so the property shows exactly this one loss.
// - the prefix: text without CR/LF and `|` (so it cannot contain a CEF marker); compared as raw.
// ---------------------------------------------------------------------------------------------

const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: codeUnit, maxLength: 12 }),
  fc.string({ unit: fc.constantFrom('|', '\\', '=', ' ', '\n', '\r', 'a', 'k', 'é', '\u2028'), maxLength: 12 }),
);
const headerText = anyText.map((s) => s.replace(/[\r\n]/g, ''));
const keyStart = fc.constantFrom(...'abcXYZ019_');
const keyRest = fc.string({ unit: fc.constantFrom(...'abcXYZ019_.,[]-'), maxLength: 8 });
const extensionKey = fc.oneof(
  fc.tuple(keyStart, keyRest).map(([a, b]) => a + b),
  fc.constantFrom('__proto__', 'constructor', 'toString', 'rt', 'src', 'cs1', 'cs1Label', 'ad.user', '0', '10'),
);
const extensionPairs = fc.uniqueArray(fc.tuple(extensionKey, anyText), { selector: ([key]) => key, maxLength: 8 });
const prefixText = fc.string({ unit: 'binary', maxLength: 30 }).map((s) => s.replace(/[\r\n|]/g, ''));

function objectOf(pairs: ReadonlyArray<readonly [string, string]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of pairs) Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  return out;
}

const formatInput = fc.record({
  version: fc.oneof(fc.constantFrom(0, 1), fc.maxSafeNat()),
  deviceVendor: headerText,
  deviceProduct: headerText,
  deviceVersion: headerText,
  deviceEventClassId: headerText,
  name: headerText,
  severity: headerText,
  extensions: extensionPairs.map(objectOf),
  prefix: fc.option(prefixText, { nil: undefined }),
});

/** What the parser must return for `input`: the same, except the last value's trailing spaces. */
function expectedExtensions(extensions: Record<string, string>): Record<string, string> {
  const keys = Object.keys(extensions); // the order formatCef writes them in
  const last = keys[keys.length - 1];
  return objectOf(keys.map((key) => [key, key === last ? (extensions[key] as string).replace(/ +$/, '') : (extensions[key] as string)]));
}

describe('formatCef → parseCef round trip (property)', () => {
  it('reads back every header field, extension and the prefix', () => {
    fc.assert(
      fc.property(formatInput, (input: CefFormatInput & { extensions: Record<string, string>; severity: string; version: number }) => {
        const line = formatCef(input);
        const result = parseCef(line);
        if (!result.ok) throw new Error(`${result.error.message} in ${JSON.stringify(line)}`);
        const { event } = result;
        expect({
          version: event.version,
          deviceVendor: event.deviceVendor,
          deviceProduct: event.deviceProduct,
          deviceVersion: event.deviceVersion,
          deviceEventClassId: event.deviceEventClassId,
          name: event.name,
          severity: event.severity,
        }).toEqual({
          version: input.version,
          deviceVendor: input.deviceVendor,
          deviceProduct: input.deviceProduct,
          deviceVersion: input.deviceVersion,
          deviceEventClassId: input.deviceEventClassId,
          name: input.name,
          severity: input.severity,
        });
        expect(event.extensions).toEqual(expectedExtensions(input.extensions));
        expect(Object.keys(event.extensions)).toEqual(Object.keys(input.extensions));
        expect(event.prefix?.raw).toBe(input.prefix === '' ? undefined : input.prefix);
        expect(result.warnings.filter((w) => w.message.includes('unescaped'))).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });

  it('loses trailing spaces on the last value only (the spec rule the property normalises)', () => {
    const line = formatCef({ ...HEADER, extensions: { a: 'x  ', b: 'y  ' } });
    expect(line).toBe('CEF:0|V|P|1.0|100|n|5|a=x   b=y  ');
    expect(parseCef(line)).toMatchObject({ ok: true, event: { extensions: { a: 'x  ', b: 'y' } } });
  });
});
