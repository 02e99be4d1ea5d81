import { parseJsonLossless } from '../../../src/formats/json/parse';
import { scanJsonValue } from '../../../src/formats/json/scan';
import { stringifySorted } from '../../../src/formats/json/stringify';

describe('parseJsonLossless', () => {
  it('keeps every digit of an integer beyond 2^53 as a string', () => {
    const result = parseJsonLossless('{"trace_id":6891110586028963295,"rt":1684196881193}');
    expect(result).toEqual({ ok: true, value: { trace_id: '6891110586028963295', rt: 1684196881193 } });
  });

  it('keeps negative and nested big integers', () => {
    const result = parseJsonLossless('{"a":[-9007199254740993,{"b":12345678901234567890}]}');
    expect(result).toEqual({ ok: true, value: { a: ['-9007199254740993', { b: '12345678901234567890' }] } });
  });

  it('keeps a number beyond a double\'s range as its text, where JSON.parse would make it Infinity (written as null)', () => {
    expect(parseJsonLossless('{"huge":1e400,"tiny":-2.5E+999,"fine":1e300}')).toEqual({
      ok: true,
      value: { huge: '1e400', tiny: '-2.5E+999', fine: 1e300 },
    });
  });

  it('leaves safe integers, floats a double holds and digits inside strings alone', () => {
    const text = '{"safe":9007199254740991,"float":-1.50e3,"small":5e-324,"text":"6891110586028963295"}';
    expect(parseJsonLossless(text)).toEqual({
      ok: true,
      value: { safe: 9007199254740991, float: -1500, small: 5e-324, text: '6891110586028963295' },
    });
  });

  it('keeps as its text a number with more significant digits than a double holds, fraction or exponent or not', () => {
    const text = '{"trace_id":3959872677347089807.0,"x":12345678901234567890e0,"float":12345678901234567.5}';
    expect(parseJsonLossless(text)).toEqual({
      ok: true,
      value: { trace_id: '3959872677347089807.0', x: '12345678901234567890e0', float: '12345678901234567.5' },
    });
  });

  it('reads a number as long as a whole event (a fraction of a million digits, most of them zeros) and keeps its text', () => {
    // Finding its trailing zeros was quadratic (a /0*$/ search): minutes for this one event.
    const number = `0.1${'0'.repeat(1_000_000)}1`;
    expect(parseJsonLossless(`{"a":${number},"b":1.50}`)).toEqual({ ok: true, value: { a: number, b: 1.5 } });
  });

  it('ignores number-like text in strings with escaped quotes', () => {
    const text = '{"q":"say \\"x\\": 6891110586028963295","n":6891110586028963295}';
    expect(parseJsonLossless(text)).toEqual({ ok: true, value: { q: 'say "x": 6891110586028963295', n: '6891110586028963295' } });
  });

  it('reports invalid JSON with the parser message instead of throwing', () => {
    const result = parseJsonLossless('{"a" 1}');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(/^invalid JSON: /);
  });
});

describe('scanJsonValue', () => {
  it('finds where a value spanning lines ends', () => {
    const text = '{\n  "a": {"b": [1, 2]}\n}{"next":1}';
    const scan = scanJsonValue(text, 0);
    expect(scan.ok && text.slice(0, scan.value.end)).toBe('{\n  "a": {"b": [1, 2]}\n}');
  });

  it('refuses nesting deeper than the limit', () => {
    const scan = scanJsonValue('['.repeat(10) + ']'.repeat(10), 0, 5);
    expect(scan).toMatchObject({ ok: false, message: 'nesting deeper than 5 levels' });
  });

  it('refuses a string broken by a newline', () => {
    expect(scanJsonValue('{"a":"b\n"}', 0)).toMatchObject({ ok: false, message: 'unterminated string' });
  });

  it('refuses mismatched brackets', () => {
    expect(scanJsonValue('{"a":[1}', 0)).toMatchObject({ ok: false, message: "unexpected '}'" });
  });
});

describe('stringifySorted', () => {
  it('writes compact JSON with sorted keys and bigints as bare integers', () => {
    expect(stringifySorted({ user_agent: '', trace_id: 3895213347334635099n, action: 'read', nested: { b: 1, a: [true, null] } })).toBe(
      '{"action":"read","nested":{"a":[true,null],"b":1},"trace_id":3895213347334635099,"user_agent":""}',
    );
  });
});
