import fc from 'fast-check';
import { parseCef } from '../../../src/formats/cef/parse';
import type { CefEvent, CefParseResult } from '../../../src/formats/cef/types';
import { KONNECT_EXAMPLES } from './konnect-examples';
import { mutatedLines } from '../../helpers/mutated-lines';

function parsed(line: string, options?: Parameters<typeof parseCef>[1]): CefEvent {
  const result = parseCef(line, options);
  if (!result.ok) throw new Error(`expected a parse, got: ${result.error.message}`);
  return result.event;
}

describe('parseCef: Konnect §3.4 examples', () => {
  it.each(KONNECT_EXAMPLES.map((e) => [e.title, e] as const))('%s', (_title, example) => {
    const result = parseCef(example.line);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { event } = result;
    expect(event).toMatchObject({ version: 0, ...example.header });
    expect(event.extensions).toEqual(example.extensions);
    expect(Object.keys(event.extensions)).toEqual(Object.keys(example.extensions)); // order as received
    expect(event.timestamps.rt?.iso).toBe(example.rtIso);
    expect(event.prefix).toMatchObject({ syntax: example.prefix.syntax, host: example.prefix.host, time: { iso: example.prefix.iso } });
    expect(event.prefix?.raw).toBe(example.line.slice(0, example.line.indexOf(' CEF:')));
  });

  it('has no warnings on the well-formed examples', () => {
    for (const example of KONNECT_EXAMPLES.filter((e) => e.rtIso !== undefined)) {
      expect(parseCef(example.line).warnings).toEqual([]);
    }
  });

  it('warns (does not fail) on the docs example whose rt has a typo', () => {
    const example = KONNECT_EXAMPLES.find((e) => e.rtIso === undefined);
    const result = parseCef(example?.line ?? '');
    expect(result.ok).toBe(true);
    expect(result.warnings).toEqual([expect.objectContaining({ key: 'rt', message: expect.stringContaining('3958q3097698') })]);
  });
});

describe('parseCef: framing', () => {
  it('parses a bare CEF line without a prefix', () => {
    const event = parsed('CEF:0|V|P|1|100|name|5|src=10.0.0.1');
    expect(event.prefix).toBeUndefined();
    expect(event.extensions).toEqual({ src: '10.0.0.1' });
  });

  it('finds CEF:<version>| anywhere and keeps what came before as the raw prefix', () => {
    const event = parsed('some junk before  CEF:1|V|P|1|100|name|5|');
    expect(event.version).toBe(1);
    expect(event.prefix).toEqual({ raw: 'some junk before ', syntax: 'unknown' });
  });

  it('skips a "CEF:" that is not followed by a version and a pipe', () => {
    const event = parsed('host CEF:tag CEF:0|V|P|1|100|name|5|a=b');
    expect(event.prefix?.raw).toBe('host CEF:tag');
    expect(event.extensions).toEqual({ a: 'b' });
  });

  it('drops a trailing line terminator (LF, CRLF)', () => {
    expect(parsed('CEF:0|V|P|1|100|n|5|a=b\r\n').extensions).toEqual({ a: 'b' });
    expect(parsed('CEF:0|V|P|1|100|n|5|a=b\n').extensions).toEqual({ a: 'b' });
  });

  it('accepts a header without extensions', () => {
    expect(parsed('CEF:0|V|P|1|100|n|5|').extensions).toEqual({});
  });

  it('reads timestamps of the prefix, rt and other timestamp keys together', () => {
    const event = parsed('<13>1 2023-05-16T20:09:54.5+02:00 host app - - - CEF:0|V|P|1|1|n|3|rt=1684267794226 end=Jan 02 2024 10:00:00 UTC');
    expect(event.prefix?.time?.iso).toBe('2023-05-16T18:09:54.500Z');
    expect(event.timestamps.rt?.iso).toBe('2023-05-16T20:09:54.226Z');
    expect(event.timestamps.end?.iso).toBe('2024-01-02T10:00:00Z');
  });
});

describe('parseCef: errors and salvage', () => {
  it('returns an error value (offset 0) when there is no CEF header at all', () => {
    const result = parseCef('hello world');
    expect(result).toEqual({ ok: false, error: { message: expect.stringContaining('no "CEF:<version>|"'), offset: 0 }, partial: {}, warnings: [] });
  });

  it('names the missing header fields and says where the header ran out', () => {
    const line = 'CEF:0|V|P|1.0|100|name';
    const result = parseCef(line);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.message).toBe('header has 6 of 7 fields: missing severity');
    expect(result.error.offset).toBe(line.length);
    expect(result.partial).toMatchObject({ version: 0, deviceVendor: 'V', deviceProduct: 'P', deviceVersion: '1.0', deviceEventClassId: '100', name: 'name' });
  });

  it('salvages the extensions behind a short header', () => {
    const line = 'CEF:0|V|P|src=1.2.3.4 dst=5.6.7.8 msg=hello there';
    const result = parseCef(line);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toEqual({ message: 'header has 3 of 7 fields: missing deviceVersion, deviceEventClassId, name, severity', offset: line.indexOf('src=') });
    expect(result.partial.extensions).toEqual({ src: '1.2.3.4', dst: '5.6.7.8', msg: 'hello there' });
  });

  it('accepts seven fields when only the pipe after the severity is missing (with a warning)', () => {
    const result = parseCef('CEF:0|V|P|1|100|name|7 src=1.2.3.4');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.event.severity).toBe('7');
    expect(result.event.extensions).toEqual({ src: '1.2.3.4' });
    expect(result.warnings).toEqual([expect.objectContaining({ message: 'no "|" after the severity field' })]);
  });

  it('reports a version that is not an integer, with the rest salvaged', () => {
    const result = parseCef('CEF:x|V|P|1|100|n|5|a=b');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toEqual({ message: 'CEF version "x" is not an integer', offset: 4 });
    expect(result.partial).toMatchObject({ deviceVendor: 'V', severity: '5', extensions: { a: 'b' } });
    expect(result.partial.version).toBeUndefined();
  });

  it('reports a missing version (graylog-plugin-cef#19 shape)', () => {
    const result = parseCef('CEF:|Vendor|Product|1.0|100|name|5|a=b');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toBe('CEF version "" is not an integer');
  });

  it('reports an empty header without leaking fields from the previous line', () => {
    parsed('CEF:0|V|P|1|100|n|5|a=b');
    const result = parseCef('junk CEF:');
    expect(result).toMatchObject({ ok: false, error: { message: 'header has 0 of 7 fields: missing version, deviceVendor, deviceProduct, deviceVersion, deviceEventClassId, name, severity', offset: 9 } });
    expect(result.ok ? undefined : result.partial).toEqual({ extensions: {}, timestamps: {}, prefix: { raw: 'junk', syntax: 'unknown' } });
  });

  it('returns an error value for a non-string input instead of throwing', () => {
    expect(parseCef(42 as unknown as string)).toMatchObject({ ok: false, error: { message: 'input is not a string' } });
  });
});

describe('parseCef: options', () => {
  it('adds customFields only when translateCustomFields is set', () => {
    const line = 'CEF:0|V|P|1|1|n|1|cs1Label=Rule cs1=42';
    expect(parsed(line).customFields).toBeUndefined();
    expect(parsed(line, { translateCustomFields: true }).customFields).toEqual({ Rule: '42' });
  });

  it('adds fullNameExtensions only when fullNames is set', () => {
    const line = 'CEF:0|V|P|1|1|n|1|src=1.2.3.4 ad.user=bob';
    expect(parsed(line).fullNameExtensions).toBeUndefined();
    expect(parsed(line, { fullNames: true }).fullNameExtensions).toEqual({ sourceAddress: '1.2.3.4', 'ad.user': 'bob' });
  });

  it('uses options.timezone for zoneless timestamps, and dtz over it', () => {
    const line = 'CEF:0|V|P|1|1|n|1|rt=Jan 02 2024 10:00:00';
    expect(parsed(line, { timezone: 'America/New_York' }).timestamps.rt?.iso).toBe('2024-01-02T15:00:00Z');
    expect(parsed(`${line} dtz=Europe/Berlin`, { timezone: 'America/New_York' }).timestamps.rt?.iso).toBe('2024-01-02T09:00:00Z');
    expect(parsed(line).timestamps.rt?.iso).toBe('2024-01-02T10:00:00Z');
  });

  it('warns about an unknown zone and falls back', () => {
    const result = parseCef('CEF:0|V|P|1|1|n|1|rt=Jan 02 2024 10:00:00 dtz=Mars/Olympus', { timezone: 'Nowhere/Special' });
    expect(result.ok && result.event.timestamps.rt?.iso).toBe('2024-01-02T10:00:00Z');
    expect(result.warnings.map((w) => w.message)).toEqual([
      'options.timezone "Nowhere/Special" is not a known zone; using UTC',
      'dtz "Mars/Olympus" is not a known zone; using UTC',
    ]);
  });

  it('takes a year-less stamp from `now` when there is no rt', () => {
    const event = parsed('Dec 31 23:59:59 host CEF:0|V|P|1|1|n|1|', { now: Date.UTC(2026, 0, 1, 0, 0, 5) });
    expect(event.prefix?.time?.iso).toBe('2025-12-31T23:59:59Z');
  });

  it('never dates a year-less stamp more than two days after `now` when there is no rt, but follows rt when there is one', () => {
    const now = Date.UTC(2026, 11, 6, 9, 0, 0);
    expect(parsed('<134>Jan 18 11:07:53 host CEF:0|V|P|1|1|n|1|a=1', { now }).prefix?.time?.iso).toBe('2026-01-18T11:07:53Z');
    expect(parsed('<134>Jan 18 11:07:53 host CEF:0|V|P|1|1|n|1|rt=1800263273000', { now }).prefix?.time?.iso).toBe('2027-01-18T11:07:53Z');
  });
});

describe('parseCef: results stay consistent as its caches warm up', () => {
  it('gives the same answer on the first and the hundredth parse of a key sequence', () => {
    const line = 'CEF:0|V|P|1|1|n|1|one=1 two=2 three=3 __proto__=x constructor=y';
    const first = parseCef(line);
    let last: CefParseResult = first;
    for (let i = 0; i < 100; i++) last = parseCef(line);
    expect(last).toEqual(first);
    expect(last.ok && Object.getPrototypeOf(last.event.extensions)).toBe(Object.prototype);
    expect(last.ok && Object.keys(last.event.extensions)).toEqual(['one', 'two', 'three', '__proto__', 'constructor']);
  });

  it('keeps lines with different continuations of the same keys apart', () => {
    const lines = ['CEF:0|V|P|1|1|n|1|a=1 b=2', 'CEF:0|V|P|1|1|n|1|a=1 c=2', 'CEF:0|V|P|1|1|n|1|a=1 b=2 c=3'];
    for (let round = 0; round < 20; round++) {
      expect(parsed(lines[0] as string).extensions).toEqual({ a: '1', b: '2' });
      expect(parsed(lines[1] as string).extensions).toEqual({ a: '1', c: '2' });
      expect(parsed(lines[2] as string).extensions).toEqual({ a: '1', b: '2', c: '3' });
    }
  });

  it('stays correct after many distinct key sequences (the sequence cache fills up and starts over)', () => {
    for (let i = 0; i < 5000; i++) {
      expect(parsed(`CEF:0|V|P|1|1|n|1|k${i}=v a=1`).extensions).toEqual({ [`k${i}`]: 'v', a: '1' });
    }
    expect(parsed('CEF:0|V|P|1|1|n|1|a=1 b=2').extensions).toEqual({ a: '1', b: '2' });
  });
});

/** CEF-ish lines with their pieces shuffled, truncated and spliced, to shake out edge cases. */
const mutatedCefLine = mutatedLines(
  fc.constantFrom(...KONNECT_EXAMPLES.map((e) => e.line), 'CEF:0|a\\|b|c\\\\|d|e|f|g|x=y\\=z w=\\n\\r\\', '<13>1 - - - - - CEF:1|V|P|1|1|n|Low|'),
  fc.oneof(fc.constantFrom('|', '\\', '=', ' ', 'CEF:', 'CEF:0|', ' k=', '\n', '\r', '\u2028', '\uD800', 'rt=', 'dtz=', 'Label='), fc.string({ unit: 'binary', maxLength: 5 })),
  { maxEdits: 8, maxRemoved: 20 },
);

/** Single UTF-16 code units, lone surrogates included. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));

describe('parseCef never throws', () => {
  const options = fc.record({
    translateCustomFields: fc.boolean(),
    fullNames: fc.boolean(),
    timezone: fc.option(fc.constantFrom('UTC', 'America/New_York', '+05:30', 'junk/zone'), { nil: undefined }),
    now: fc.option(fc.integer({ min: -1e15, max: 1e15 }), { nil: undefined }),
  });

  function parsesToAValue(line: string, opts: Parameters<typeof parseCef>[1]): void {
    const result = parseCef(line, opts);
    expect(typeof result.ok).toBe('boolean');
    expect(Array.isArray(result.warnings)).toBe(true);
    if (!result.ok) {
      expect(result.error.message).not.toMatch(/^internal parser error/);
      expect(result.error.offset).toBeGreaterThanOrEqual(0);
      expect(result.error.offset).toBeLessThanOrEqual(line.length);
    }
  }

  it('on arbitrary full-Unicode strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), options, parsesToAValue), { numRuns: 500 });
  });

  it('on arbitrary UTF-16 strings, lone surrogates included', () => {
    fc.assert(fc.property(fc.string({ unit: codeUnit, maxLength: 300 }), options, parsesToAValue), { numRuns: 500 });
  });

  it('on arbitrary strings behind a CEF marker', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), options, (tail, opts) => parsesToAValue(`CEF:0|${tail}`, opts)), { numRuns: 500 });
  });

  it('on mutated CEF lines', () => {
    fc.assert(fc.property(mutatedCefLine, options, parsesToAValue), { numRuns: 1000 });
  });
});
