/**
 * normalizeEvent caches, per key sequence, the sorted output order (a bounded trie), and
 * normalizeEventTs skips the parse for seconds of a minute it has seen round-trip. These tests
 * hold both to the plain algorithm they replace: sort the keys, type each value.
 */
import fc from 'fast-check';
import { parseCef } from '../../src/formats/cef';
import type { CefEvent } from '../../src/formats/cef/types';
import { parseJsonLossless, type JsonObject } from '../../src/formats/json';
import type { ParsedEvent } from '../../src/formats/parse-frame';
import { normalizeEventTs } from '../../src/normalize/event-time';
import { typeKonnectField } from '../../src/normalize/konnect-typing';
import { LAYOUT_CACHE_LIMITS, layoutCacheSize, normalizeEvent } from '../../src/normalize/normalize-event';
import { CEF_ACCESS, CEF_AUTHZ_LIST, CEF_BSD_AUTHZ, CEF_PORTAL_AUTH, JSON_ACCESS, JSON_PORTAL_AUTH, JSON_VERIFY_EXAMPLE } from '../helpers/konnect-examples';

/** The event_ts rule with no cache at all. */
function referenceEventTs(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (!/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(value)) return value;
  const [y, mo, d, h, mi, sec] = [0, 5, 8, 11, 14, 17].map((at) => Number(value.slice(at, at + (at === 0 ? 4 : 2))));
  // Fields that a UTC date gives back unchanged name a real time; others are kept as they came.
  const fields = new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, sec!));
  const real = fields.getUTCFullYear() === y && fields.getUTCMonth() === mo! - 1 && fields.getUTCDate() === d && fields.getUTCHours() === h && fields.getUTCMinutes() === mi && fields.getUTCSeconds() === sec;
  const offset = /([+-])(\d{2}):(\d{2})$/.exec(value);
  if (!real || (offset !== null && (Number(offset[2]) > 23 || Number(offset[3]) > 59))) return value;
  const epochMs = Date.parse(value.replace(' ', 'T'));
  if (Number.isNaN(epochMs)) return value;
  const iso = new Date(epochMs).toISOString();
  // A year outside 0000–9999 in UTC (+010000-…) is not RFC 3339: kept as it came.
  if (!/^\d{4}-/.test(iso)) return value;
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

/** normalizeEvent as it was before the caches: one object, keys sorted, each value typed. */
function reference(parsed: ParsedEvent): Record<string, unknown> {
  let fields: Record<string, unknown>;
  if (parsed.format === 'cef') {
    const cef = parsed.cef;
    fields = {
      ...cef.extensions,
      cef_version: cef.version,
      event_vendor: cef.deviceVendor,
      event_product: cef.deviceProduct,
      event_version: cef.deviceVersion,
      event_class_id: cef.deviceEventClassId,
      name: cef.name,
      severity: cef.severity,
    };
    if (cef.prefix?.time) fields.event_ts = cef.prefix.time.iso;
  } else {
    fields = parsed.fields;
  }
  const typed: Record<string, unknown> = {};
  for (const key of Object.keys(fields).sort()) {
    const value = key === 'event_ts' ? referenceEventTs(fields[key]) : typeKonnectField(key, fields[key]);
    Object.defineProperty(typed, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return typed;
}

function expectSameAsReference(parsed: ParsedEvent): void {
  const actual = normalizeEvent(parsed);
  const expected = reference(parsed);
  expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
  expect(Object.keys(actual)).toEqual(Object.keys(expected));
  expect(actual).toStrictEqual(expected);
}

const json = (text: string): ParsedEvent => {
  const parsed = parseJsonLossless(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return { format: 'json', fields: parsed.value as JsonObject };
};

const cefLine = (line: string): ParsedEvent => {
  const parsed = parseCef(line);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return { format: 'cef', cef: parsed.event, warnings: parsed.warnings };
};

function cefEvent(extensions: Record<string, string>, prefixIso?: string): ParsedEvent {
  const cef: CefEvent = {
    version: 0,
    deviceVendor: 'KongInc',
    deviceProduct: 'Konnect',
    deviceVersion: '1.0',
    deviceEventClassId: 'konnect',
    name: 'Authz.usage',
    severity: '1',
    severityLevel: 1,
    extensions,
    timestamps: {},
    ...(prefixIso === undefined ? {} : { prefix: { raw: `${prefixIso} konghq.com`, syntax: 'konnect', time: { raw: prefixIso, epochMs: Date.parse(prefixIso), iso: prefixIso } } }),
  };
  return { format: 'cef', cef, warnings: [] };
}

/** An object with these own keys, as JSON.parse makes them (`__proto__` included). */
function ownKeys(entries: ReadonlyArray<readonly [string, unknown]>): JsonObject {
  const object: JsonObject = {};
  for (const [key, value] of entries) Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  return object;
}

/** Keys that the typing rule names, header names, numeric keys, `__proto__`, and others. */
const KEY_POOL = [
  'act', 'action', 'actor_id', 'cef_version', 'event_class_id', 'event_product', 'event_ts', 'event_vendor', 'event_version',
  'granted', 'kong_initiated', 'name', 'org_id', 'portal_id', 'principal_id', 'query', 'request', 'rt', 'severity', 'sig',
  'src', 'status', 'success', 'trace_id', 'user_agent', 'dtz', 'msg', 'ad.field[0]', '0', '7', '10', '__proto__', 'Z', 'a b',
];
const VALUE = fc.oneof(
  fc.constantFrom('true', 'false', 'TRUE', '12', '-5', '007', '-', '', ' 1', '1e3', '99999999999999999999', '2025-06-18T21:00:01Z', '2025-05-16T02:28:01+02:00'),
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant({ nested: 1 }),
);
const EXTENSION_VALUE = fc.oneof(fc.constantFrom('true', 'false', '12', '-5', '007', '', '2025-02-30T00:00:05Z', '2025-06-18T21:00:01Z'), fc.string());

describe('normalizeEvent with cached layouts', () => {
  it('matches the plain algorithm on the Konnect examples, in both formats, repeatedly', () => {
    const events = [
      json(JSON_PORTAL_AUTH),
      json(JSON_VERIFY_EXAMPLE),
      json(JSON_ACCESS),
      cefLine(CEF_PORTAL_AUTH),
      cefLine(CEF_AUTHZ_LIST),
      cefLine(CEF_BSD_AUTHZ),
      cefLine(CEF_ACCESS),
    ];
    for (let round = 0; round < 3; round++) for (const event of events) expectSameAsReference(event);
  });

  it('sorts Konnect JSON, whose keys are sorted but for `sig` appended last', () => {
    expect(Object.keys(normalizeEvent(json(JSON_VERIFY_EXAMPLE)))).toEqual(Object.keys(JSON.parse(JSON_VERIFY_EXAMPLE)).sort());
  });

  it('gives a cached layout its own values: another event with the same key sequence', () => {
    const first = normalizeEvent(json('{"rt":"12","success":"true","src":5,"name":"a"}'));
    const second = normalizeEvent(json('{"rt":"x","success":"false","src":"1.2.3.4","name":"b"}'));
    expect(first).toStrictEqual({ name: 'a', rt: 12, src: '5', success: true });
    expect(second).toStrictEqual({ name: 'b', rt: 'x', src: '1.2.3.4', success: false });
    expect(Object.keys(second)).toEqual(['name', 'rt', 'src', 'success']);
  });

  it('keeps CEF with and without a prefix time apart, though their extension keys are the same', () => {
    const withTime = normalizeEvent(cefEvent({ rt: '5', event_ts: '2020-01-01T01:00:00+01:00' }, '2025-06-18T21:00:01Z'));
    const without = normalizeEvent(cefEvent({ rt: '5', event_ts: '2020-01-01T01:00:00+01:00' }));
    expect(withTime.event_ts).toBe('2025-06-18T21:00:01Z');
    expect(without.event_ts).toBe('2020-01-01T00:00:00Z');
    expect(Object.keys(withTime)).toEqual(Object.keys(without));
  });

  it('lets the CEF header win over extensions of the same name', () => {
    const event = normalizeEvent(cefEvent({ name: 'ext', severity: '9', cef_version: '7', event_vendor: 'v', act: 'x' }));
    expect(event).toMatchObject({ name: 'Authz.usage', severity: 1, cef_version: 0, event_vendor: 'KongInc', act: 'x' });
    expectSameAsReference(cefEvent({ name: 'ext', severity: '9', cef_version: '7', event_vendor: 'v', act: 'x' }));
  });

  it('keeps `__proto__` as an own key, never as the prototype', () => {
    const extensions = ownKeys([['__proto__', 'x'], ['a', '1']]) as Record<string, string>;
    for (const event of [json('{"b":1,"__proto__":"x","a":1}'), json('{"__proto__":{"p":1},"z":1}'), cefEvent(extensions)]) {
      const normalized = normalizeEvent(event);
      expect(Object.keys(normalized)).toContain('__proto__');
      expect(Object.getPrototypeOf(normalized)).toBe(Object.prototype);
      expectSameAsReference(event);
    }
  });

  it('matches the plain algorithm on any JSON object (fast-check)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...KEY_POOL), VALUE), { maxLength: 30 }), (entries) => {
        expectSameAsReference({ format: 'json', fields: ownKeys(entries) });
      }),
      { numRuns: 2000 },
    );
  });

  it('matches the plain algorithm on any CEF extensions (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...KEY_POOL), EXTENSION_VALUE), { maxLength: 30 }),
        fc.option(fc.constantFrom('2025-06-18T21:00:01Z', '2025-06-18T21:00:01.250Z')),
        (entries, prefixIso) => {
          expectSameAsReference(cefEvent(ownKeys(entries) as Record<string, string>, prefixIso ?? undefined));
        },
      ),
      { numRuns: 2000 },
    );
  });

  describe('with the cache bounds lowered', () => {
    const saved = { ...LAYOUT_CACHE_LIMITS };
    beforeAll(() => Object.assign(LAYOUT_CACHE_LIMITS, { nodes: 40, children: 3, keyLength: 8, keys: 6 }));
    afterAll(() => Object.assign(LAYOUT_CACHE_LIMITS, saved));

    it('never holds more than its bound, and stays right as it starts over', () => {
      for (let i = 0; i < 1000; i++) {
        const text = `{"k${i % 97}":1,"a${i % 13}":"true","rt":"${i}","s${i % 7}":2}`;
        expectSameAsReference(json(text));
        expectSameAsReference(json(text)); // now from the cache
        expect(layoutCacheSize()).toBeLessThanOrEqual(LAYOUT_CACHE_LIMITS.nodes);
      }
    });

    it('starts over rather than give a node more children than its bound', () => {
      for (let i = 0; i < 10; i++) expectSameAsReference(json(`{"first${i}":"1"}`));
      expect(layoutCacheSize()).toBeLessThanOrEqual(1 + LAYOUT_CACHE_LIMITS.children);
    });

    it('adds no node for a key longer than its bound', () => {
      expectSameAsReference(json('{"a":"1"}'));
      expectSameAsReference(json('{"a":"1"}')); // cached now, should the first have started over
      const size = layoutCacheSize();
      for (let i = 0; i < 5; i++) {
        expectSameAsReference(json(`{"a":"1","long_key_${i}":"2"}`));
        expect(layoutCacheSize()).toBe(size);
      }
    });

    it('normalizes what it does not cache: long keys, many keys, many children', () => {
      expectSameAsReference(json('{"a_very_long_key":"1","rt":"2"}'));
      expectSameAsReference(json('{"h":1,"g":2,"f":3,"e":4,"d":5,"c":6,"b":7,"a":8}'));
      for (const first of ['p', 'q', 'r', 's', 't', 'u']) expectSameAsReference(json(`{"${first}":"1","rt":"3"}`));
      expect(layoutCacheSize()).toBeLessThanOrEqual(LAYOUT_CACHE_LIMITS.nodes);
    });
  });
});

describe('normalizeEventTs, minute cache', () => {
  it('keeps every second of a date that does not exist as it came, even after its neighbours', () => {
    expect(normalizeEventTs('2025-02-28T23:59:59Z')).toBe('2025-02-28T23:59:59Z');
    expect(normalizeEventTs('2025-02-30T00:00:00Z')).toBe('2025-02-30T00:00:00Z');
    expect(normalizeEventTs('2025-02-30T00:00:05Z')).toBe('2025-02-30T00:00:05Z');
    expect(normalizeEventTs('2025-06-18T24:00:00Z')).toBe('2025-06-18T24:00:00Z');
    expect(normalizeEventTs('2025-06-18T21:02:36+24:00')).toBe('2025-06-18T21:02:36+24:00');
  });

  it('takes from a seen minute only seconds 00–59 in the same canonical form', () => {
    expect(normalizeEventTs('2025-06-18T21:00:01Z')).toBe('2025-06-18T21:00:01Z');
    expect(normalizeEventTs('2025-06-18T21:00:59Z')).toBe('2025-06-18T21:00:59Z');
    expect(normalizeEventTs('2025-06-18T21:00:60Z')).toBe('2025-06-18T21:00:60Z'); // not a time: kept
    expect(normalizeEventTs('2025-06-18T21:00:0xZ')).toBe('2025-06-18T21:00:0xZ');
    expect(normalizeEventTs('2025-06-18t21:00:02z')).toBe('2025-06-18T21:00:02Z');
    expect(normalizeEventTs('2025-06-18T21:00:03.000Z')).toBe('2025-06-18T21:00:03Z');
  });

  it('does not take a minute from text that is no time', () => {
    expect(normalizeEventTs('2025-04-31T10:00:xxZ')).toBe('2025-04-31T10:00:xxZ');
    expect(normalizeEventTs('2025-04-31T10:00:05Z')).toBe('2025-04-31T10:00:05Z');
  });

  it('matches the uncached rule on any sequence (fast-check)', () => {
    const stamp = fc.oneof(
      fc.constantFrom('2025-02-30T00:00:00Z', '2025-01-01T24:00:00Z', '2025-01-01T23:59:60Z', '2025-06-18 21:00:01Z', '2025-06-18T23:00:01+02:00', 'x', ''),
      fc
        .tuple(fc.integer({ min: 2023, max: 2025 }), fc.integer({ min: 1, max: 13 }), fc.integer({ min: 27, max: 32 }), fc.integer({ min: 22, max: 24 }), fc.integer({ min: 58, max: 60 }), fc.integer({ min: 0, max: 61 }))
        .map(([y, mo, d, h, mi, s]) => `${y}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}Z`),
    );
    fc.assert(
      fc.property(fc.array(stamp, { maxLength: 50 }), (stamps) => {
        for (const value of stamps) expect(normalizeEventTs(value)).toBe(referenceEventTs(value));
      }),
      { numRuns: 500 },
    );
  });
});

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

describe('typeKonnectField', () => {
  it.each([
    ['rt', '12', 12],
    ['rt', '-5', -5],
    ['rt', '007', 7],
    ['rt', '-', '-'],
    ['rt', '', ''],
    ['rt', ' 1', ' 1'],
    ['rt', '1\n', '1\n'],
    ['rt', '1e3', '1e3'],
    ['rt', '99999999999999999999', '99999999999999999999'],
    ['status', 12.5, 12.5],
    ['success', 'true', true],
    ['granted', 'false', false],
    ['kong_initiated', 'TRUE', 'TRUE'],
    ['trace_id', 6891110586028963, '6891110586028963'],
    ['src', true, 'true'],
    ['msg', 5, 5],
  ])('types %s %j as %j', (key, value, typed) => {
    expect(typeKonnectField(key, value)).toStrictEqual(typed);
  });
});
