import fc from 'fast-check';
import { readFlatObject } from '../../../src/formats/json/flat-object';
import { JSON_ACCESS, JSON_PORTAL_AUTH, JSON_VERIFY_EXAMPLE } from '../../helpers/konnect-examples';
import { mutatedLines } from '../../helpers/mutated-lines';

const KONNECT_JSON = [JSON_ACCESS, JSON_PORTAL_AUTH, JSON_VERIFY_EXAMPLE];

describe('readFlatObject', () => {
  it("reads each member's key, value token and kind from Konnect's JSON", () => {
    const text = '{"act":"POST","granted":true,"rt":"1684","severity":1,"trace_id":6891110586028963295,"x":null,"n":-12}';
    const members = readFlatObject(text)!;
    expect(members.map((m) => [m.key, text.slice(m.valueStart, m.valueEnd), m.kind])).toEqual([
      ['act', '"POST"', 'plain-string'],
      ['granted', 'true', 'true'],
      ['rt', '"1684"', 'plain-string'],
      ['severity', '1', 'safe-integer'],
      ['trace_id', '6891110586028963295', 'unsafe-integer'],
      ['x', 'null', 'null'],
      ['n', '-12', 'safe-integer'],
    ]);
    expect(members.map((m) => text.slice(m.start, m.valueStart))).toEqual(['"act":', '"granted":', '"rt":', '"severity":', '"trace_id":', '"x":', '"n":']);
  });

  it('reads every example line of the Konnect docs, with the same keys JSON.parse finds', () => {
    for (const line of KONNECT_JSON) {
      expect(readFlatObject(line)?.map((m) => m.key)).toEqual(Object.keys(JSON.parse(line)));
    }
  });

  it('gives what JSON.parse makes of a string with escapes', () => {
    const [member] = readFlatObject('{"q":"a=1\\u0026b=\\"2\\"\\\\"}')!;
    expect(member).toMatchObject({ kind: 'escaped-string', value: 'a=1&b="2"\\' });
  });

  it('reads a range of a longer text, with offsets into that text, and nothing past its end', () => {
    const text = 'xx{"a":1,"b":"c"}\n{"d":2}';
    const members = readFlatObject(text, 2, 17)!;
    expect(members.map((m) => [m.key, m.start, text.slice(m.valueStart, m.valueEnd)])).toEqual([
      ['a', 3, '1'],
      ['b', 9, '"c"'],
    ]);
    expect(readFlatObject(text, 2, 16)).toBeUndefined();
  });

  it.each([
    ['whitespace between tokens', '{"a": 1,"b":2}'],
    ['a leading space', '{ "a":1,"b":2}'],
    ['a tab', '{"a":1,\t"b":2}'],
    ['a nested object', '{"a":{"b":1},"c":2}'],
    ['an array', '{"a":[1,2],"c":2}'],
    ['a fraction', '{"a":1.5,"b":2}'],
    ['an exponent', '{"a":1e5,"b":2}'],
    ['-0, which JSON writes as 0', '{"a":-0,"b":2}'],
    ['a leading zero', '{"a":01,"b":2}'],
    ['a lone minus', '{"a":-,"b":2}'],
    ['an escaped key', '{"\\u0061":1,"b":2}'],
    ['a key that may be an array index', '{"1":1,"b":2}'],
    ['__proto__', '{"__proto__":1,"b":2}'],
    ['a trailing comma', '{"a":1,"b":2,}'],
    ['a raw control character in a string', '{"a":"x\u0001y","b":2}'],
    ['an escape JSON does not have', '{"a":"x\\qy","b":2}'],
    ['an unterminated string', '{"a":"xyz,"b":2}'],
    ['text after the object', '{"a":1,"b":2}x'],
    ['a carriage return after the object', '{"a":1,"b":2}\r'],
    ['a bare word', '{"a":yes,"b":2}'],
    ['a truncated literal', '{"a":tru,"b":2}'],
    ['a missing colon', '{"a"1,"b":2}'],
    ['an empty object', '{}'],
  ])('leaves %s to the general path', (_why, text) => {
    expect(readFlatObject(text)).toBeUndefined();
  });
});

/** Valid flat objects as JSON.stringify writes them. */
const flatObject = fc.dictionary(
  fc.stringMatching(/^[a-z_][a-z0-9_]{0,12}$/).filter((key) => key !== '__proto__'),
  fc.oneof(
    fc.string(),
    fc.integer(),
    fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }).map((n) => ({ raw: n.toString() })),
    fc.boolean(),
    fc.constant(null),
  ),
  { minKeys: 1, maxKeys: 12 },
);

function serialize(object: Record<string, unknown>): string {
  return `{${Object.entries(object)
    .map(([key, value]) => `${JSON.stringify(key)}:${typeof value === 'object' && value !== null ? (value as { raw: string }).raw : JSON.stringify(value)}`)
    .join(',')}}`;
}

/** Lines with their pieces spliced, to shake out what the reader must refuse. */
const mutatedLine = mutatedLines(
  fc.oneof(fc.constantFrom(...KONNECT_JSON), flatObject.map(serialize)),
  fc.oneof(fc.constantFrom('"', '\\', ',', ':', '{', '}', '[', ' ', '-', '0', '.', 'e', '\u0000', 'true', '\\u00'), fc.string({ maxLength: 4 })),
  { maxEdits: 5, maxRemoved: 6 },
);

describe('readFlatObject against JSON.parse', () => {
  it('reads every flat object of strings, integers, booleans and null as JSON writes it', () => {
    fc.assert(
      fc.property(flatObject, (object) => {
        const text = serialize(object);
        expect(readFlatObject(text)?.map((m) => m.key)).toEqual(Object.keys(object));
      }),
      { numRuns: 500 },
    );
  });

  it('accepts only what JSON.parse accepts, and finds the same keys in the same order', () => {
    fc.assert(
      fc.property(mutatedLine, (line) => {
        const members = readFlatObject(line);
        if (members === undefined) return;
        const parsed = JSON.parse(line) as Record<string, unknown>;
        const keys = members.map((m) => m.key);
        if (new Set(keys).size === keys.length) expect(keys).toEqual(Object.keys(parsed));
      }),
      { numRuns: 3000 },
    );
  });
});
