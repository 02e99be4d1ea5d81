import fc from 'fast-check';
import { readFlatObject } from '../../src/formats/json/flat-object';
import { parseJsonLossless, type JsonObject } from '../../src/formats/json';
import { normalizeFlatJson } from '../../src/normalize/flat-json-event';
import { normalizeEvent } from '../../src/normalize/normalize-event';
import { JSON_ACCESS, JSON_PORTAL_AUTH, JSON_VERIFY_EXAMPLE } from '../helpers/konnect-examples';

/** What the general path writes for the line: parse, normalize, JSON.stringify. */
function generalPath(text: string): string {
  const parsed = parseJsonLossless(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return JSON.stringify(normalizeEvent({ format: 'json', fields: parsed.value as JsonObject }));
}

function fastPath(text: string): string | undefined {
  const members = readFlatObject(text);
  if (!members) throw new Error(`not flat: ${text}`);
  return normalizeFlatJson(text, members);
}

describe('normalizeFlatJson', () => {
  it("writes Konnect's example events exactly as parsing and normalizing them does", () => {
    for (const line of [JSON_ACCESS, JSON_PORTAL_AUTH, JSON_VERIFY_EXAMPLE]) expect(fastPath(line)).toBe(generalPath(line));
  });

  it("sorts `sig`, which Konnect appends last, and types trace_id, rt, success and cef_version by Konnect's rule", () => {
    const line = '{"cef_version":"0","rt":"1750280401124","success":"true","trace_id":3875205116346478593,"sig":"abc"}';
    expect(fastPath(line)).toBe('{"cef_version":0,"rt":1750280401124,"sig":"abc","success":true,"trace_id":"3875205116346478593"}');
  });

  it('brings event_ts to UTC and writes escapes the way JSON.stringify does', () => {
    expect(fastPath('{"event_ts":"2025-06-18T23:00:01+02:00","q":"a\\u0026b\\/c"}')).toBe('{"event_ts":"2025-06-18T21:00:01Z","q":"a&b/c"}');
  });

  it('leaves an event with a key twice to the general path (JSON.parse keeps the last value)', () => {
    expect(fastPath('{"a":1,"b":2,"a":3}')).toBeUndefined();
  });
});

const KONNECT_KEYS = [
  'act', 'action', 'actor_id', 'cef_version', 'event_class_id', 'event_product', 'event_ts', 'event_vendor', 'event_version',
  'granted', 'kong_initiated', 'name', 'org_id', 'portal_id', 'principal_id', 'principal_name', 'query', 'request', 'rt',
  'severity', 'sig', 'src', 'status', 'success', 'trace_id', 'user_agent',
];

/** A token of any kind the reader takes, including the ones the typing rule changes. */
const valueToken = fc.oneof(
  fc.string().map((text) => JSON.stringify(text)),
  fc.constantFrom('"0"', '"200"', '"-7"', '"007"', '"true"', '"false"', '"True"', '"9007199254740993"', '""', '"1e3"'),
  fc.constantFrom('"2025-06-18T21:00:01Z"', '"2025-06-18T21:00:01.500+01:00"', '"2025-02-30T00:00:00Z"', '"Apr 14 05:39:08"'),
  fc.constantFrom('"a\\u0026b"', '"\\u00e9\\n\\t\\"\\\\"', '"\\ud83d\\ude00"', '"\\ud800"', '"\\/"'),
  fc.integer().map(String),
  fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }).map(String),
  fc.constantFrom('true', 'false', 'null'),
);

/** Flat lines, keys in any order (Konnect's and others), sometimes a key twice. */
const flatLine = fc
  .array(
    fc.tuple(fc.oneof(fc.constantFrom(...KONNECT_KEYS), fc.stringMatching(/^[a-z_][a-z0-9_]{0,8}$/).filter((k) => k !== '__proto__')), valueToken),
    { minLength: 1, maxLength: 16 },
  )
  .map((members) => `{${members.map(([key, value]) => `"${key}":${value}`).join(',')}}`);

describe('normalizeFlatJson against the general path', () => {
  it('writes the same bytes as parsing, normalizing and JSON.stringify for every flat line it takes', () => {
    let taken = 0;
    fc.assert(
      fc.property(flatLine, (line) => {
        const written = fastPath(line);
        if (written === undefined) return;
        taken++;
        expect(written).toBe(generalPath(line));
      }),
      { numRuns: 3000 },
    );
    expect(taken).toBeGreaterThan(2000); // only lines with a key twice are left out
  });
});
