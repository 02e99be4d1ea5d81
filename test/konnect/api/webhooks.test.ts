import request from 'supertest';
import { AUTH, startTestStandIn, stopTestStandIn, type TestStandIn } from '../support/stand-in';

const PORTAL = '3e551b39-227d-4297-b911-e68fd5d77c17';
const MISSING = '6945c4c4-3e06-4c5c-87e0-726d0cda4e05';

describe('webhook API', () => {
  let standIn: TestStandIn;
  beforeEach(async () => {
    standIn = await startTestStandIn();
  });
  afterEach(() => stopTestStandIn(standIn));

  const api = () => request(standIn.url);
  const createDestination = async (name = 'siem') => {
    const response = await api()
      .post('/v3/audit-log-destinations')
      .set('authorization', AUTH)
      .send({ name, endpoint: 'https://siem.example.com/audit-logs', authorization: 'Bearer s3cret', log_format: 'json' });
    expect(response.status).toBe(201);
    return response.body.id as string;
  };

  describe('org webhook, v2 (endpoint settings inline)', () => {
    it('reads {"enabled":false,"endpoint":"unconfigured"} before it is configured', async () => {
      const response = await api().get('/v2/audit-log-webhook').set('authorization', AUTH);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ enabled: false, endpoint: 'unconfigured' });
    });

    it('PATCH sets endpoint, authorization, enabled, log_format and skip_ssl_verification; authorization is never returned', async () => {
      const response = await api()
        .patch('/v2/audit-log-webhook')
        .set('authorization', AUTH)
        .send({ endpoint: 'https://siem.example.com/in', authorization: 'Bearer topsecret', enabled: true, log_format: 'cps', skip_ssl_verification: true });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        endpoint: 'https://siem.example.com/in',
        enabled: true,
        log_format: 'cps',
        skip_ssl_verification: true,
        audit_log_destination_id: expect.any(String),
        updated_at: expect.any(String),
      });
      expect(response.text).not.toContain('topsecret');
      const read = await api().get('/v2/audit-log-webhook').set('authorization', AUTH);
      expect(read.body).toEqual(response.body);
      expect(read.text).not.toContain('topsecret');

      // Partial updates keep the rest; enabled:false is the Terraform "destroy".
      const disabled = await api().patch('/v2/audit-log-webhook').set('authorization', AUTH).send({ enabled: false });
      expect(disabled.body).toMatchObject({ endpoint: 'https://siem.example.com/in', enabled: false, log_format: 'cps' });
      const format = await api().patch('/v2/audit-log-webhook').set('authorization', AUTH).send({ log_format: 'cef' });
      expect(format.body).toMatchObject({ enabled: false, log_format: 'cef', skip_ssl_verification: true });
    });

    it('enabled defaults to false for a first configuration (§1.4)', async () => {
      const response = await api()
        .patch('/v2/audit-log-webhook')
        .set('authorization', AUTH)
        .send({ endpoint: 'https://siem.example.com/in', authorization: 'Bearer x' });
      expect(response.body).toMatchObject({ enabled: false, log_format: 'cef', skip_ssl_verification: false });
    });

    it('shows the bound destination when v3 bound one, and edits that destination', async () => {
      const id = await createDestination();
      await api().patch('/v3/audit-log-webhook').set('authorization', AUTH).send({ audit_log_destination_id: id, enabled: true });
      const read = await api().get('/v2/audit-log-webhook').set('authorization', AUTH);
      expect(read.body).toMatchObject({ endpoint: 'https://siem.example.com/audit-logs', enabled: true, log_format: 'json', audit_log_destination_id: id });
      await api().patch('/v2/audit-log-webhook').set('authorization', AUTH).send({ log_format: 'cef' });
      const destination = await api().get(`/v3/audit-log-destinations/${id}`).set('authorization', AUTH);
      expect(destination.body.log_format).toBe('cef');
    });

    it('validates like a destination: https, log_format, booleans, unknown fields, and enabling needs an endpoint', async () => {
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ endpoint: 'http://siem.example.com/in', authorization: 'Bearer x' }, 'endpoint'],
        [{ endpoint: 'not a url', authorization: 'Bearer x' }, 'endpoint'],
        [{ endpoint: 'https://siem.example.com/in', authorization: '' }, 'authorization'],
        [{ log_format: 'leef' }, 'log_format'],
        [{ enabled: 'yes' }, 'enabled'],
        [{ audit_log_destination_id: MISSING }, 'audit_log_destination_id'],
        [{ enabled: true }, 'endpoint'],
        [{ endpoint: 'https://siem.example.com/in' }, 'authorization'],
      ];
      for (const [body, field] of cases) {
        const response = await api().patch('/v2/audit-log-webhook').set('authorization', AUTH).send(body);
        expect(response.status).toBe(400);
        expect(response.body.invalid_parameters.map((item: { field: string }) => item.field)).toContain(field);
      }
      expect((await api().get('/v2/audit-log-webhook').set('authorization', AUTH)).body).toEqual({ enabled: false, endpoint: 'unconfigured' });
    });

    it('warns about a bare-token authorization', async () => {
      const response = await api()
        .patch('/v2/audit-log-webhook')
        .set('authorization', AUTH)
        .send({ endpoint: 'https://siem.example.com/in', authorization: 'justatoken' });
      expect(response.status).toBe(200);
      expect(response.headers['warning']).toContain('no scheme');
    });
  });

  describe('org webhook, v3 (bound to a destination)', () => {
    it('PATCH binds and enables; GET reads it; DELETE clears it (204) and leaves it disabled with an empty id', async () => {
      expect((await api().get('/v3/audit-log-webhook').set('authorization', AUTH)).status).toBe(404);
      const id = await createDestination();
      const patched = await api().patch('/v3/audit-log-webhook').set('authorization', AUTH).send({ audit_log_destination_id: id, enabled: true });
      expect(patched.status).toBe(200);
      expect(patched.body).toEqual({ audit_log_destination_id: id, enabled: true });
      expect((await api().get('/v3/audit-log-webhook').set('authorization', AUTH)).body).toEqual({ audit_log_destination_id: id, enabled: true });

      const off = await api().patch('/v3/audit-log-webhook').set('authorization', AUTH).send({ enabled: false });
      expect(off.body).toEqual({ audit_log_destination_id: id, enabled: false });

      const deleted = await api().delete('/v3/audit-log-webhook').set('authorization', AUTH);
      expect(deleted.status).toBe(204);
      expect((await api().get('/v3/audit-log-webhook').set('authorization', AUTH)).body).toEqual({ audit_log_destination_id: '', enabled: false });
    });

    it('refuses a malformed id (400, as §1.5 shows), an unknown destination (404), unknown fields and enabling with nothing bound', async () => {
      const malformed = await api().patch('/v3/audit-log-webhook').set('authorization', AUTH).send({ audit_log_destination_id: 'abc', enabled: true });
      expect(malformed.status).toBe(400);
      expect(malformed.body.invalid_parameters).toEqual([
        { field: 'audit_log_destination_id', rule: 'is_uuid', reason: 'destination id format is invalid' },
      ]);
      const unknown = await api().patch('/v3/audit-log-webhook').set('authorization', AUTH).send({ audit_log_destination_id: MISSING });
      expect(unknown.status).toBe(404);
      expect(unknown.body.detail).toContain(MISSING);
      const extra = await api().patch('/v3/audit-log-webhook').set('authorization', AUTH).send({ endpoint: 'https://x.example.com' });
      expect(extra.status).toBe(400);
      expect(extra.body.invalid_parameters[0]).toMatchObject({ field: 'endpoint', rule: 'unknown_property' });
      const nothing = await api().patch('/v3/audit-log-webhook').set('authorization', AUTH).send({ enabled: true });
      expect(nothing.status).toBe(400);
      expect(nothing.body.invalid_parameters[0].field).toBe('audit_log_destination_id');
      expect((await api().delete('/v3/audit-log-webhook').set('authorization', AUTH)).status).toBe(404);
    });
  });

  describe('status (§1.6)', () => {
    it('reads unconfigured, then enabled/active with no attempt yet, then disabled/active', async () => {
      for (const version of ['v2', 'v3']) {
        const response = await api().get(`/${version}/audit-log-webhook/status`).set('authorization', AUTH);
        expect(response.status).toBe(200);
        expect(response.body).toEqual({ webhook_enabled: false, webhook_status: 'unconfigured' });
      }
      const id = await createDestination();
      await api().patch('/v3/audit-log-webhook').set('authorization', AUTH).send({ audit_log_destination_id: id, enabled: true });
      expect((await api().get('/v3/audit-log-webhook/status').set('authorization', AUTH)).body).toEqual({ webhook_enabled: true, webhook_status: 'active' });
      await api().patch('/v2/audit-log-webhook').set('authorization', AUTH).send({ enabled: false });
      expect((await api().get('/v2/audit-log-webhook/status').set('authorization', AUTH)).body).toEqual({ webhook_enabled: false, webhook_status: 'active' });
    });
  });

  describe('Dev Portal webhooks (§1.7), under /v3 and /v2 /portals/{portalId}', () => {
    it.each([
      ['v3', PORTAL],
      ['v2', '9cb77dc2-ff99-4d47-84ab-7c5c1b3ef939'],
    ])('%s: PATCH, GET, status and DELETE per portal, independent of the org webhook and of other portals', async (version, portal) => {
      const id = await createDestination();
      const base = `/${version}/portals/${portal}/audit-log-webhook`;
      expect((await api().get(base).set('authorization', AUTH)).status).toBe(404);
      expect((await api().get(`${base}/status`).set('authorization', AUTH)).body).toEqual({ webhook_enabled: false, webhook_status: 'unconfigured' });
      const patched = await api().patch(base).set('authorization', AUTH).send({ audit_log_destination_id: id, enabled: true });
      expect(patched.status).toBe(200);
      expect(patched.body).toEqual({ audit_log_destination_id: id, enabled: true });
      expect((await api().get(base).set('authorization', AUTH)).body).toEqual({ audit_log_destination_id: id, enabled: true });
      expect((await api().get(`${base}/status`).set('authorization', AUTH)).body).toEqual({ webhook_enabled: true, webhook_status: 'active' });
      // The org webhook and another portal are untouched.
      expect((await api().get('/v3/audit-log-webhook/status').set('authorization', AUTH)).body.webhook_status).toBe('unconfigured');
      expect((await api().get('/v3/portals/00000000-0000-4000-8000-000000000000/audit-log-webhook').set('authorization', AUTH)).status).toBe(404);
      // Both versions show the same portal.
      const other = version === 'v3' ? 'v2' : 'v3';
      expect((await api().get(`/${other}/portals/${portal}/audit-log-webhook`).set('authorization', AUTH)).body).toEqual(patched.body);
      expect((await api().delete(base).set('authorization', AUTH)).status).toBe(204);
      expect((await api().get(base).set('authorization', AUTH)).body).toEqual({ audit_log_destination_id: '', enabled: false });
    });

    it('a portal id that is not a UUID is a 404; a bad body a 400', async () => {
      expect((await api().get('/v3/portals/my-portal/audit-log-webhook').set('authorization', AUTH)).status).toBe(404);
      const bad = await api().patch(`/v3/portals/${PORTAL}/audit-log-webhook`).set('authorization', AUTH).send({ enabled: 'true' });
      expect(bad.status).toBe(400);
      expect(bad.body.invalid_parameters[0]).toMatchObject({ field: 'enabled', rule: 'is_boolean' });
    });
  });
});
