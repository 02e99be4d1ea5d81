import { formatKonnectCef, konnectEventType, toKonnectEvent } from '../../../src/formats/cef/konnect-dialect';
import { parseCef } from '../../../src/formats/cef/parse';
import { KONNECT_EXAMPLES, withoutSignature } from './konnect-examples';

describe('formatKonnectCef', () => {
  it.each(KONNECT_EXAMPLES.map((e) => [e.title, e] as const))('reproduces the §3.4 line minus its sig: %s', (_title, example) => {
    expect(formatKonnectCef(example.json)).toBe(withoutSignature(example.line));
  });

  it('never writes sig, even when the event carries one', () => {
    const example = KONNECT_EXAMPLES[0];
    if (example === undefined) throw new Error('no examples');
    expect(formatKonnectCef({ ...example.json, sig: 'abc' })).toBe(withoutSignature(example.line));
  });

  it('does not escape anything (Konnect writes values verbatim)', () => {
    const line = formatKonnectCef({
      event_ts: '2025-05-16T20:09:54Z', event_vendor: 'KongInc', event_product: 'Konnect', event_version: '1.0',
      event_class_id: 'KongGateway', name: 'Ingress', severity: 1, request: '/a?x=1|2\\3', query: '{"a":"b=c"}',
    });
    expect(line).toBe('2025-05-16T20:09:54Z konghq.com CEF:0|KongInc|Konnect|1.0|KongGateway|Ingress|1|request=/a?x=1|2\\3 query={"a":"b=c"}');
  });

  it('puts kong_initiated, principal_name and unknown keys after the documented ones', () => {
    const line = formatKonnectCef({
      event_ts: '2025-05-16T20:09:54Z', event_vendor: 'KongInc', event_product: 'Konnect', event_version: '1.0', event_class_id: 'konnect',
      name: 'Authz.usage', severity: 1, extra: 'z', kong_initiated: true, user_agent: 'ua', principal_name: 'Ann', rt: 1, src: 's',
    });
    expect(line).toBe('2025-05-16T20:09:54Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.usage|1|rt=1 src=s user_agent=ua kong_initiated=true principal_name=Ann extra=z');
  });

  it('skips null/undefined values, writes empty strings as key=', () => {
    const line = formatKonnectCef({
      event_vendor: 'KongInc', event_product: 'Konnect', event_version: '1.0', event_class_id: 'konnect', name: 'Authz.usage', severity: '1',
      rt: 5, actor_id: '', portal_id: undefined, src: null as unknown as string,
    });
    expect(line).toBe('CEF:0|KongInc|Konnect|1.0|konnect|Authz.usage|1|rt=5 actor_id=');
  });

  it('writes a 19-digit trace_id exactly when given as a bigint or a string', () => {
    const base = { event_vendor: 'KongInc', event_product: 'Konnect', event_version: '1.0', event_class_id: 'KongGateway', name: 'Ingress', severity: 1 };
    expect(formatKonnectCef({ ...base, trace_id: 6891110586028963295n })).toContain('trace_id=6891110586028963295');
    expect(formatKonnectCef({ ...base, trace_id: '6891110586028963295' })).toContain('trace_id=6891110586028963295');
  });
});

describe('konnectEventType', () => {
  it.each([
    [{ name: 'AUTHENTICATION_OUTCOME_LOCKED', event_class_id: 'AUTHENTICATION_TYPE_SSO' }, 'authentication'],
    [{ name: 'Authz.control-planes/abc', event_class_id: 'identity' }, 'authorization'],
    [{ name: 'Ingress', event_class_id: 'KongGateway' }, 'access'],
    [{ name: 'Other', event_class_id: 'x', granted: true }, 'authorization'],
    [{ name: 'Other', event_class_id: 'x', status: 200 }, 'access'],
    [{ name: 'Other', event_class_id: 'x', success: true }, 'authentication'],
    [{ name: 'Other', event_class_id: 'x' }, undefined],
  ])('%j → %p', (event, type) => {
    expect(konnectEventType(event)).toBe(type);
  });
});

describe('toKonnectEvent', () => {
  it.each(KONNECT_EXAMPLES.map((e) => [e.title, e] as const))('parse → JSON shape → Konnect line gives the signed bytes back: %s', (_title, example) => {
    const result = parseCef(example.line);
    if (!result.ok) throw new Error(result.error.message);
    const event = toKonnectEvent(result.event);
    expect(event.sig).toBeUndefined();
    expect(formatKonnectCef(event)).toBe(withoutSignature(example.line));
  });
});
