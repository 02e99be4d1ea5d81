import { randomUUID } from 'node:crypto';
import { EventGenerator, traceId } from '../../../src/konnect/events/generator';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const org = { org_id: randomUUID(), principal_ids: [randomUUID(), randomUUID()], control_plane_ids: [randomUUID()] };
const AUTH_TYPES = ['_INVALID', '_BASIC', '_SSO', '_PAT', '_SPAT', '_GOOGLE', '_GITHUB', '_WINDOWSLIVE', '_FEDERATED'].map((suffix) => `AUTHENTICATION_TYPE${suffix}`);
const OUTCOME_SEVERITY: Record<string, number> = {
  AUTHENTICATION_OUTCOME_SUCCESS: 0,
  AUTHENTICATION_OUTCOME_NOT_FOUND: 1,
  AUTHENTICATION_OUTCOME_INVALID_PASSWORD: 1,
  AUTHENTICATION_OUTCOME_TOKEN_EXPIRED: 1,
  AUTHENTICATION_OUTCOME_LOCKED: 6,
  AUTHENTICATION_OUTCOME_DISABLED: 6,
  AUTHENTICATION_OUTCOME_INVALID: 7,
};

describe('synthetic events (§3)', () => {
  const events = new EventGenerator({ org }).generate(5000);
  const byKind = (name: (value: string) => boolean) => events.filter((event) => name(event.name));
  const auth = byKind((name) => name.startsWith('AUTHENTICATION_OUTCOME_'));
  const authz = byKind((name) => name.startsWith('Authz.'));
  const access = byKind((name) => name === 'Ingress');

  it('come in realistic proportions: mostly authorization, then access, then authentication', () => {
    expect(auth.length + authz.length + access.length).toBe(events.length);
    expect(authz.length / events.length).toBeGreaterThan(0.6);
    expect(access.length / events.length).toBeGreaterThan(0.1);
    expect(auth.length / events.length).toBeGreaterThan(0.07);
    expect(authz.length).toBeGreaterThan(access.length);
    expect(access.length).toBeGreaterThan(auth.length * 0.9);
  });

  it('carry the constant header fields, real UUIDs and 19-digit trace ids', () => {
    const traceIds = new Set<bigint>();
    for (const event of events) {
      expect(event).toMatchObject({ cef_version: 0, event_vendor: 'KongInc', event_product: 'Konnect', event_version: '1.0', org_id: org.org_id });
      expect(event.event_ts).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      expect(typeof event.rt).toBe('number');
      expect(Math.floor((event.rt as number) / 1000)).toBe(Date.parse(event.event_ts!) / 1000);
      expect(org.principal_ids).toContain(event.principal_id);
      expect(typeof event.trace_id).toBe('bigint');
      expect(String(event.trace_id)).toMatch(/^[1-9]\d{18}$/);
      expect(event.trace_id as bigint).toBeGreaterThan(2n ** 53n);
      expect(event.trace_id as bigint).toBeLessThan(2n ** 63n);
      traceIds.add(event.trace_id as bigint);
    }
    expect(traceIds.size).toBe(events.length);
  });

  it('authentication: §3.3 types, outcomes and severities, success matching the outcome', () => {
    const outcomes = new Set<string>();
    for (const event of auth) {
      expect(AUTH_TYPES).toContain(event.event_class_id);
      expect(event.severity).toBe(OUTCOME_SEVERITY[event.name]);
      expect(event.success).toBe(event.severity === 0);
      expect(event.request).toMatch(/^\/api\//);
      expect(event).not.toHaveProperty('kong_initiated');
      outcomes.add(event.name);
    }
    expect(outcomes.has('AUTHENTICATION_OUTCOME_SUCCESS')).toBe(true);
    expect(outcomes.size).toBeGreaterThanOrEqual(4);
    expect(auth.filter((event) => event.name === 'AUTHENTICATION_OUTCOME_SUCCESS').length / auth.length).toBeGreaterThan(0.7);
  });

  it('authorization: Authz.<resource> names, service classes, severity 1 granted and 6 denied, kong_initiated only when true', () => {
    for (const event of authz) {
      expect(event.name).toMatch(/^Authz\.[a-z-]+(\/[0-9a-f-]{36})?$/);
      expect(['konnect', 'identity', 'portal', 'analytics']).toContain(event.event_class_id);
      expect(event.severity).toBe(event.granted ? 1 : 6);
      expect(['list', 'retrieve', 'read', 'edit', 'create', 'delete']).toContain(event.action);
      if ('kong_initiated' in event) expect(event.kong_initiated).toBe(true);
    }
    expect(authz.some((event) => event.granted === false)).toBe(true);
    expect(authz.some((event) => event.name.startsWith('Authz.control-planes/'))).toBe(true);
  });

  it('access: Ingress from KongGateway, writes only, severity 1 / 6 for 401-403 / 10 for 500', () => {
    for (const event of access) {
      expect(event.event_class_id).toBe('KongGateway');
      expect(['POST', 'PUT', 'PATCH', 'DELETE']).toContain(event.act);
      const status = event.status as number;
      expect(event.severity).toBe(status === 500 ? 10 : status === 401 || status === 403 ? 6 : 1);
      expect(event.request).toContain(org.control_plane_ids[0]);
      expect(() => JSON.parse(event.query as string)).not.toThrow();
    }
    expect(access.some((event) => event.severity === 6 || event.severity === 10)).toBe(true);
  });

  it('now and then have an empty user_agent, mostly not', () => {
    const empty = events.filter((event) => event.user_agent === '').length;
    expect(empty).toBeGreaterThan(0);
    expect(empty / events.length).toBeLessThan(0.15);
  });

  it('makes Dev Portal authentication events for the portals given, with their portal_id', () => {
    const portal = randomUUID();
    const generator = new EventGenerator({ org, portalIds: () => [portal] });
    const mixed = generator.generate(2000);
    const portalEvents = mixed.filter((event) => event.event_product === 'Dev-Portal');
    expect(portalEvents.length).toBeGreaterThan(100);
    expect(portalEvents.length).toBeLessThan(400);
    for (const event of portalEvents) {
      expect(event.portal_id).toBe(portal);
      expect(event.name).toMatch(/^AUTHENTICATION_OUTCOME_/);
      expect(event.request).toBe('/api/v2/developer/authenticate');
      expect(event.principal_id).toMatch(UUID);
    }
    expect(new EventGenerator({ org }).generate(1000).some((event) => event.event_product === 'Dev-Portal')).toBe(false);
    expect(generator.generate(3, 'dev-portal', portal).every((event) => event.portal_id === portal)).toBe(true);
  });

  it('generates one type on request', () => {
    const generator = new EventGenerator({ org });
    expect(generator.generate(50, 'access').every((event) => event.name === 'Ingress')).toBe(true);
    expect(generator.generate(50, 'authentication').every((event) => event.name.startsWith('AUTHENTICATION_OUTCOME_'))).toBe(true);
    expect(generator.generate(50, 'authorization').every((event) => event.name.startsWith('Authz.'))).toBe(true);
  });

  it('traceId() is always 19 digits', () => {
    for (let index = 0; index < 2000; index += 1) expect(traceId().toString()).toHaveLength(19);
  });
});
