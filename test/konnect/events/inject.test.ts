import { completeInjectedEvent, type InvalidParameter } from '../../../src/konnect/events/inject';

const org = { org_id: 'b065b594-6afc-4658-9101-5d9cf3f36b7b', principal_ids: [], control_plane_ids: [] };
const NOW = Date.parse('2025-06-18T21:02:36.889Z');

const complete = (value: unknown) => {
  const problems: InvalidParameter[] = [];
  const event = completeInjectedEvent(value, 0, org, NOW, problems);
  return { event, problems };
};

describe('completing injected events', () => {
  it('fills the header and the usual fields from the name alone', () => {
    const { event, problems } = complete({ name: 'AUTHENTICATION_OUTCOME_DISABLED' });
    expect(problems).toEqual([]);
    expect(event).toMatchObject({
      event_ts: '2025-06-18T21:02:36Z',
      rt: NOW,
      cef_version: 0,
      event_vendor: 'KongInc',
      event_product: 'Konnect',
      event_version: '1.0',
      event_class_id: 'AUTHENTICATION_TYPE_PAT',
      name: 'AUTHENTICATION_OUTCOME_DISABLED',
      severity: 6,
      src: '127.0.0.6',
      org_id: org.org_id,
      user_agent: '',
    });
    expect(String(event!.trace_id)).toMatch(/^\d{19}$/);
  });

  it('derives severities per §3.3 and keeps what was given', () => {
    expect(complete({ name: 'Authz.portals', granted: false }).event!.severity).toBe(6);
    expect(complete({ name: 'Authz.portals', granted: true }).event!.severity).toBe(1);
    expect(complete({ name: 'Ingress', status: 403 }).event!.severity).toBe(6);
    expect(complete({ name: 'Ingress', status: 500 }).event!.severity).toBe(10);
    expect(complete({ name: 'AUTHENTICATION_OUTCOME_INVALID' }).event!.severity).toBe(7);
    expect(complete({ name: 'Ingress', severity: 3, event_class_id: 'X' }).event).toMatchObject({ severity: 3, event_class_id: 'X' });
  });

  it('takes the time from event_ts or rt, and a trace_id as digits', () => {
    expect(complete({ name: 'Ingress', event_ts: '2025-01-02T03:04:05Z' }).event).toMatchObject({ rt: Date.parse('2025-01-02T03:04:05Z'), event_ts: '2025-01-02T03:04:05Z' });
    expect(complete({ name: 'Ingress', rt: 1684196881193 }).event).toMatchObject({ event_ts: '2023-05-16T00:28:01Z' });
    expect(complete({ name: 'Ingress', trace_id: '6891110586028963295' }).event!.trace_id).toBe(6891110586028963295n);
    expect(complete({ name: 'Ingress', trace_id: 42 }).event!.trace_id).toBe(42n);
  });

  it('refuses an rt no date can hold and an event_ts that does not exist, and passes text that is no time through', () => {
    for (const rt of [8_640_000_000_000_001, 1e300, -1, 1.5, '99999999999999999999']) {
      expect(complete({ name: 'Authz.x', rt }).problems).toEqual([expect.objectContaining({ field: 'events[0].rt', rule: 'is_integer' })]);
    }
    expect(complete({ name: 'Authz.x', rt: 253_402_300_799_999 }).event).toMatchObject({ event_ts: '9999-12-31T23:59:59Z' });
    for (const eventTs of ['2026-02-30T00:00:00Z', '2026-01-01', 'Jan 1 2026', '9999-12-31T23:59:59-01:00', '0000-01-01T00:00:00Z']) {
      expect(complete({ name: 'Authz.x', event_ts: eventTs }).problems.map((problem) => problem.field)).toEqual(['events[0].event_ts']);
    }
    expect(complete({ name: 'Authz.x', rt: '3958q3097698' }).event).toMatchObject({ rt: '3958q3097698', event_ts: '2025-06-18T21:02:36Z' });
  });

  it('a portal_id makes a Dev Portal event', () => {
    expect(complete({ name: 'AUTHENTICATION_OUTCOME_SUCCESS', portal_id: 'p' }).event!.event_product).toBe('Dev-Portal');
  });

  it('reports each problem with its field', () => {
    const { event, problems } = complete({ sig: 'x', Name: 1, trace_id: 1.5, user_agent: 'a\rb', query: [1], event_ts: 'x', event_vendor: 3 });
    expect(event).toBeUndefined();
    expect(problems.map((problem) => problem.field).sort()).toEqual(
      ['events[0].Name', 'events[0].event_ts', 'events[0].event_vendor', 'events[0].name', 'events[0].query', 'events[0].sig', 'events[0].trace_id', 'events[0].user_agent'].sort(),
    );
  });
});
