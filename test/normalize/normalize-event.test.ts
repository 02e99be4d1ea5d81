import { formatKonnectCef, parseCef } from '../../src/formats/cef';
import { parseJsonLossless, stringifySorted, type JsonObject } from '../../src/formats/json';
import { normalizeEventTs } from '../../src/normalize/event-time';
import { normalizeEvent } from '../../src/normalize/normalize-event';
import { CEF_PORTAL_AUTH, JSON_PORTAL_AUTH } from '../helpers/konnect-examples';

const fromJsonText = (text: string) => {
  const parsed = parseJsonLossless(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return normalizeEvent({ format: 'json', fields: parsed.value as JsonObject });
};

describe('normalizeEvent', () => {
  const unreal = 'is not a real date and time';
  const notRfc3339 = 'is not an RFC 3339 date and time';
  it.each([
    ['2025-02-30T21:02:36Z', unreal],
    ['2025-06-18T24:00:00Z', unreal],
    ['2025-06-18T21:02:36+24:00', unreal],
    ['0000-01-01T00:00:00+01:00', 'is outside years 0000–9999 in UTC'], // which RFC 3339 cannot write
    ['9999-12-31T23:59:59-01:00', 'is outside years 0000–9999 in UTC'],
    ['2025-05-16T00:28:01', notRfc3339],
    ['2025-06-18T21:02:36.Z', notRfc3339],
    ['2025-06-18T21:02', notRfc3339],
  ])('keeps an event_ts that RFC 3339 cannot read or write in UTC (%s) as it came, the same from CEF and JSON', (stamp, why) => {
    const cef = parseCef(`${stamp} konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.x|1|src=1`);
    if (!cef.ok) throw new Error(cef.error.message);
    expect(cef.warnings.map((warning) => warning.message)).toContain(`syslog prefix: "${stamp}" ${why}; kept as it came`);
    expect(cef.event.prefix?.host).toBe('konghq.com');
    const fromCef = normalizeEvent({ format: 'cef', cef: cef.event, warnings: cef.warnings });
    expect(fromCef.event_ts).toBe(stamp);
    expect(fromJsonText(`{"event_ts":"${stamp}"}`).event_ts).toBe(stamp);
  });

  it('keeps a field named __proto__ as a field, from JSON and from CEF', () => {
    expect(JSON.stringify(fromJsonText('{"__proto__":"keepme","act":"q1"}'))).toBe('{"__proto__":"keepme","act":"q1"}');
    const cef = parseCef('CEF:0|V|P|1|c|n|1|__proto__=keepme act=p1');
    if (!cef.ok) throw new Error(cef.error.message);
    const event = normalizeEvent({ format: 'cef', cef: cef.event, warnings: cef.warnings });
    expect(Object.getPrototypeOf(event)).toBe(Object.prototype);
    expect(JSON.stringify(event)).toContain('"__proto__":"keepme"');
  });

  it('gives the same event, keys in the same order, for a Konnect event sent as CEF and as JSON', () => {
    const cef = parseCef(CEF_PORTAL_AUTH);
    if (!cef.ok) throw new Error(cef.error.message);
    const fromCef = normalizeEvent({ format: 'cef', cef: cef.event, warnings: cef.warnings });
    expect(JSON.stringify(fromCef)).toBe(JSON.stringify(fromJsonText(JSON_PORTAL_AUTH)));
  });

  it('gives the same event from CEF and JSON when values hold what Konnect leaves unescaped: " word=", backslashes, pipes', () => {
    const event = {
      event_ts: '2025-05-16T20:09:54Z', cef_version: 0, event_vendor: 'KongInc', event_product: 'Konnect', event_version: '1.0',
      event_class_id: 'KongGateway', name: 'Ingress', severity: 1, rt: 1684267794226, src: '127.0.0.6', request: '/a?x=1|2',
      act: 'POST', status: 201, org_id: 'o', principal_id: 'p', user_agent: 'MyApp/1.0 (Linux; os=linux) lang=en',
      trace_id: '1146381705542353508', query: '{"filter":"C:\\\\tmp\\\\new","q":"a b=c"}',
    };
    const cef = parseCef(formatKonnectCef(event));
    if (!cef.ok) throw new Error(cef.error.message);
    const fromCef = normalizeEvent({ format: 'cef', cef: cef.event, warnings: cef.warnings });
    expect(JSON.stringify(fromCef)).toBe(JSON.stringify(fromJsonText(stringifySorted(event))));
    expect(fromCef.query).toBe('{"filter":"C:\\\\tmp\\\\new","q":"a b=c"}');
  });

  it('sorts keys that arrive unsorted, and keeps sorted ones as they are', () => {
    expect(Object.keys(fromJsonText('{"src":"1","act":"GET","name":"x"}'))).toEqual(['act', 'name', 'src']);
    expect(Object.keys(fromJsonText('{"act":"GET","name":"x","src":"1"}'))).toEqual(['act', 'name', 'src']);
  });

  it('applies the typing rule and keeps what breaks it', () => {
    expect(fromJsonText('{"cef_version":"0","granted":"false","kong_initiated":true,"rt":"12","status":"x","trace_id":6891110586028963295,"src":5}')).toEqual({
      cef_version: 0,
      granted: false,
      kong_initiated: true,
      rt: 12,
      status: 'x',
      trace_id: '6891110586028963295',
      src: '5',
    });
  });
});

describe('normalizeEventTs', () => {
  it.each([
    ['2025-05-16T00:28:01Z', '2025-05-16T00:28:01Z'],
    ['2025-05-16T02:28:01+02:00', '2025-05-16T00:28:01Z'],
    ['2025-05-16T00:28:01.250Z', '2025-05-16T00:28:01.250Z'],
    ['2025-05-16 00:28:01Z', '2025-05-16T00:28:01Z'],
    ['yesterday', 'yesterday'],
    ['2025-05-16T00:28:01+02:00', '2025-05-15T22:28:01Z'],
  ])('brings %s to %s (repeats come from the cache)', (input, output) => {
    expect(normalizeEventTs(input)).toBe(output);
    expect(normalizeEventTs(input)).toBe(output);
  });

  it('keeps a non-string as it came', () => {
    expect(normalizeEventTs(1684196881)).toBe(1684196881);
  });
});
