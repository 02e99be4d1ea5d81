import request from 'supertest';
import { AUTH, startTestStandIn, stopTestStandIn, type TestStandIn } from '../support/stand-in';

const SEED_BODY = '{"endpoint":"https://example.com/audit-logs","authorization":"Bearer example-token","log_format":"cef"}';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

describe('destinations API', () => {
  let standIn: TestStandIn;
  beforeEach(async () => {
    standIn = await startTestStandIn();
  });
  afterEach(() => stopTestStandIn(standIn));

  const api = () => request(standIn.url);
  const create = (body: Record<string, unknown>) =>
    api().post('/v3/audit-log-destinations').set('authorization', AUTH).send(body);
  const valid = { name: 'splunk', endpoint: 'https://siem.example.com/audit-logs', authorization: 'Splunk abc123', log_format: 'json' };

  describe("the seed's calls, verbatim", () => {
    it('PATCH /v2/audit-log-destinations answers 200 and the seed-shaped object, without authorization', async () => {
      const response = await api()
        .patch('/v2/audit-log-destinations')
        .set('Content-Type', 'application/json')
        .set('Authorization', AUTH)
        .send(SEED_BODY);
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(Object.keys(response.body)).toEqual(['id', 'endpoint', 'log_format', 'skip_ssl_verification', 'updated_at']);
      expect(response.body).toMatchObject({ endpoint: 'https://example.com/audit-logs', log_format: 'cef', skip_ssl_verification: false });
      expect(response.body.id).toMatch(UUID);
      expect(response.body.updated_at).toMatch(TIME);
      expect(response.text).not.toContain('example-token');
    });

    it('GET /v2/audit-log-destinations returns that same object; a second PATCH updates it in place', async () => {
      const first = await api().patch('/v2/audit-log-destinations').set('Content-Type', 'application/json').set('Authorization', AUTH).send(SEED_BODY);
      const read = await api().get('/v2/audit-log-destinations').set('Authorization', AUTH);
      expect(read.status).toBe(200);
      expect(read.body).toEqual(first.body);

      const second = await api()
        .patch('/v2/audit-log-destinations')
        .set('Authorization', AUTH)
        .send({ log_format: 'json', skip_ssl_verification: true });
      expect(second.status).toBe(200);
      expect(second.body).toMatchObject({ id: first.body.id, endpoint: 'https://example.com/audit-logs', log_format: 'json', skip_ssl_verification: true });
      expect((await api().get('/v2/audit-log-destinations').set('Authorization', AUTH)).body).toEqual(second.body);
      // It is an ordinary destination too, named "default".
      const list = await api().get('/v3/audit-log-destinations').set('Authorization', AUTH);
      expect(list.body.data).toEqual([expect.objectContaining({ id: first.body.id, name: 'default', log_format: 'json' })]);
    });

    it('binds and enables a never-configured org webhook, as the seed describes "the webhook\'s configuration details"', async () => {
      const created = await api().patch('/v2/audit-log-destinations').set('Authorization', AUTH).set('Content-Type', 'application/json').send(SEED_BODY);
      const webhook = await api().get('/v3/audit-log-webhook').set('Authorization', AUTH);
      expect(webhook.body).toEqual({ audit_log_destination_id: created.body.id, enabled: true });
    });

    it('GET before any PATCH is a 404 problem; the first PATCH needs endpoint and authorization', async () => {
      const before = await api().get('/v2/audit-log-destinations').set('Authorization', AUTH);
      expect(before.status).toBe(404);
      expect(before.headers['content-type']).toMatch(/^application\/problem\+json/);
      const partial = await api().patch('/v2/audit-log-destinations').set('Authorization', AUTH).send({ log_format: 'json' });
      expect(partial.status).toBe(400);
      expect(partial.body.invalid_parameters.map((item: { field: string }) => item.field)).toEqual(['endpoint', 'authorization']);
    });
  });

  describe('POST and GET /v3/audit-log-destinations', () => {
    it('creates a destination: 201 with the full object and no authorization', async () => {
      const response = await create(valid);
      expect(response.status).toBe(201);
      expect(response.body).toEqual({
        id: expect.stringMatching(UUID),
        name: 'splunk',
        endpoint: 'https://siem.example.com/audit-logs',
        log_format: 'json',
        skip_ssl_verification: false,
        created_at: expect.stringMatching(TIME),
        updated_at: expect.stringMatching(TIME),
      });
      expect(response.text).not.toContain('abc123');
    });

    it('POST /v2/audit-log-destinations creates one too (as SPEC-V2 has it)', async () => {
      const response = await api().post('/v2/audit-log-destinations').set('authorization', AUTH).send(valid);
      expect(response.status).toBe(201);
      expect(response.body.name).toBe('splunk');
    });

    it('lists destinations page by page with next/previous cursors, and filters by name', async () => {
      for (let index = 0; index < 5; index += 1) {
        expect((await create({ ...valid, name: `dest-${index}` })).status).toBe(201);
      }
      const first = await api().get('/v3/audit-log-destinations?page[size]=2').set('authorization', AUTH);
      expect(first.status).toBe(200);
      expect(first.body.data.map((item: { name: string }) => item.name)).toEqual(['dest-0', 'dest-1']);
      expect(first.body.meta).toEqual({ next: expect.stringMatching(/^\/v3\/audit-log-destinations\?page%5Bsize%5D=2&page%5Bafter%5D=/), previous: null, size: 2 });
      expect(first.text).not.toContain('abc123');

      const second = await api().get(first.body.meta.next).set('authorization', AUTH);
      expect(second.body.data.map((item: { name: string }) => item.name)).toEqual(['dest-2', 'dest-3']);
      const third = await api().get(second.body.meta.next).set('authorization', AUTH);
      expect(third.body.data.map((item: { name: string }) => item.name)).toEqual(['dest-4']);
      expect(third.body.meta.next).toBeNull();
      const back = await api().get(third.body.meta.previous).set('authorization', AUTH);
      expect(back.body.data.map((item: { name: string }) => item.name)).toEqual(['dest-2', 'dest-3']);

      const all = await api().get('/v3/audit-log-destinations').set('authorization', AUTH);
      expect(all.body.meta).toEqual({ next: null, previous: null, size: 10 });
      expect(all.body.data).toHaveLength(5);

      const exact = await api().get('/v3/audit-log-destinations?filter[name]=dest-3').set('authorization', AUTH);
      expect(exact.body.data.map((item: { name: string }) => item.name)).toEqual(['dest-3']);
      const eq = await api().get('/v3/audit-log-destinations?filter[name][eq]=dest-1').set('authorization', AUTH);
      expect(eq.body.data.map((item: { name: string }) => item.name)).toEqual(['dest-1']);
      const contains = await api().get('/v3/audit-log-destinations?filter[name][contains]=st-4').set('authorization', AUTH);
      expect(contains.body.data.map((item: { name: string }) => item.name)).toEqual(['dest-4']);
    });

    it('refuses a bad page size and a cursor that did not come from a page', async () => {
      for (const query of ['page[size]=0', 'page[size]=101', 'page[size]=abc']) {
        const response = await api().get(`/v3/audit-log-destinations?${query}`).set('authorization', AUTH);
        expect(response.status).toBe(400);
        expect(response.body.invalid_parameters).toEqual([expect.objectContaining({ field: 'page[size]', rule: 'is_integer' })]);
      }
      const cursor = await api().get('/v3/audit-log-destinations?page[after]=nonsense').set('authorization', AUTH);
      expect(cursor.status).toBe(400);
      expect(cursor.body.invalid_parameters[0].field).toBe('page[after]');
    });

    it('refuses a parameter it does not take, or one given twice, instead of answering as if it were not there', async () => {
      const unknown = await api().get('/v3/audit-log-destinations?filter%5Bname%5D%5Bneq%5D=x').set('authorization', AUTH);
      expect(unknown.status).toBe(400);
      expect(unknown.body.invalid_parameters).toEqual([expect.objectContaining({ field: 'filter[name][neq]', rule: 'unknown_property' })]);
      const twice = await api().get('/v3/audit-log-destinations?page[size]=2&page[size]=3').set('authorization', AUTH);
      expect(twice.status).toBe(400);
      expect(twice.body.invalid_parameters).toEqual([{ field: 'page[size]', rule: 'invalid', reason: 'is given more than once' }]);
      const bothSpellings = await api().get('/v3/audit-log-destinations?filter[name]=d1&filter[name][eq]=d2').set('authorization', AUTH);
      expect(bothSpellings.status).toBe(400);
      expect(bothSpellings.body.invalid_parameters).toEqual([expect.objectContaining({ field: 'filter[name][eq]', rule: 'dependent_fields' })]);
    });

    it('refuses a duplicate name with 409', async () => {
      await create(valid);
      const again = await create({ ...valid, endpoint: 'https://other.example.com/x' });
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ title: 'Resource Conflict' }); // as Konnect titles its 409s
      expect(again.body.detail).toContain('already exists');
    });
  });

  describe('validation (400 with invalid_parameters)', () => {
    const expectInvalid = async (body: unknown, expected: Array<Record<string, unknown>>) => {
      const response = await api()
        .post('/v3/audit-log-destinations')
        .set('authorization', AUTH)
        .set('content-type', 'application/json')
        .send(typeof body === 'string' ? body : JSON.stringify(body));
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ status: 400, title: 'Bad Request', instance: expect.stringMatching(/^kong:trace:\d{19}$/) });
      expect(typeof response.body.detail).toBe('string');
      expect(response.body.invalid_parameters).toEqual(expected.map((item) => expect.objectContaining(item)));
      return response;
    };

    it('a missing endpoint', () => expectInvalid({ ...valid, endpoint: undefined }, [{ field: 'endpoint', rule: 'required' }]));
    it('a blank endpoint', () => expectInvalid({ ...valid, endpoint: '  ' }, [{ field: 'endpoint', reason: 'cannot be blank' }]));
    it('a missing authorization', () => expectInvalid({ ...valid, authorization: undefined }, [{ field: 'authorization', rule: 'required' }]));
    it('a blank authorization', () => expectInvalid({ ...valid, authorization: '' }, [{ field: 'authorization', reason: 'cannot be blank' }]));
    it('an authorization with a line break', () =>
      expectInvalid({ ...valid, authorization: 'Bearer a\r\nX-Evil: 1' }, [{ field: 'authorization', rule: 'matches_regex' }]));
    it('an endpoint that is not a URL', () => expectInvalid({ ...valid, endpoint: 'example.com/audit' }, [{ field: 'endpoint', reason: 'must be a valid URL' }]));
    it('an http:// endpoint without --allow-http', () =>
      expectInvalid({ ...valid, endpoint: 'http://siem.example.com/audit-logs' }, [{ field: 'endpoint', reason: expect.stringContaining('https://') }]));
    it('an endpoint with a user name and password, which every GET would show', () =>
      expectInvalid({ ...valid, endpoint: 'https://user:hunter2@siem.example.com/x' }, [{ field: 'endpoint', rule: 'invalid', reason: expect.stringMatching(/^must not hold a user name or password/) }]));
    it('an endpoint that only parses by being rewritten (https:/x)', () => expectInvalid({ ...valid, endpoint: 'https:/siem.example.com/x' }, [{ field: 'endpoint', reason: 'must be a valid URL' }]));
    it.each(['https://siem.exa\tmple.com/x', 'https://siem.example.com/x ', ' https://siem.example.com/x', 'https://siem.example.com/a\nb'])(
      'an endpoint with a blank or control character a URL parser would drop (%j)',
      (endpoint) => expectInvalid({ ...valid, endpoint }, [{ field: 'endpoint', reason: 'must be a valid URL, without spaces or control characters' }]),
    );
    it('an endpoint of another scheme', () => expectInvalid({ ...valid, endpoint: 'ftp://siem.example.com/x' }, [{ field: 'endpoint', rule: 'invalid' }]));
    it('a log_format outside cef, json, cps', async () => {
      await expectInvalid({ ...valid, log_format: 'xml' }, [{ field: 'log_format', rule: 'enum', choices: ['cef', 'json', 'cps'] }]);
    });
    it('a missing name and log_format', () =>
      expectInvalid({ endpoint: valid.endpoint, authorization: valid.authorization }, [{ field: 'name' }, { field: 'log_format' }]));
    it('an unknown field', () => expectInvalid({ ...valid, colour: 'blue' }, [{ field: 'colour', rule: 'unknown_property' }]));
    it('a read-only field', () => expectInvalid({ ...valid, id: '07ec3858-066b-4629-bdc5-d4aa893b424d' }, [{ field: 'id', reason: 'is read-only' }]));
    it('a non-boolean skip_ssl_verification', () =>
      expectInvalid({ ...valid, skip_ssl_verification: 'yes' }, [{ field: 'skip_ssl_verification', rule: 'is_boolean' }]));
    it('a name that is not a string', () => expectInvalid({ ...valid, name: 7 }, [{ field: 'name', rule: 'is_string' }]));
    it('several problems at once, each listed', () =>
      expectInvalid({ endpoint: 'nope', log_format: 'x', extra: 1 }, [
        { field: 'extra' },
        { field: 'name' },
        { field: 'authorization' },
        { field: 'endpoint' },
        { field: 'log_format' },
      ]));
    it('a body that is not JSON', () => expectInvalid('{"endpoint":', [{ field: 'body', rule: 'is_object' }]));
    it('a body that is a JSON array', () => expectInvalid('[]', [{ field: 'body', rule: 'is_object' }]));
    it('an empty body', () => expectInvalid('', [{ field: 'body', rule: 'required' }]));

    it('a body that is not the gzip its Content-Encoding says, and a path with a broken %-escape (Express\'s own 400s)', async () => {
      const gzipClaimed = await api().post('/v3/audit-log-destinations').set('authorization', AUTH).set('content-encoding', 'gzip').send('{}');
      expect(gzipClaimed.status).toBe(400);
      expect(gzipClaimed.body).toMatchObject({
        instance: expect.stringMatching(/^kong:trace:\d{19}$/),
        detail: 'body is not compressed as its Content-Encoding header says',
        invalid_parameters: [{ field: 'body', reason: 'is not compressed as its Content-Encoding header says' }],
      });
      const badEscape = await api().get('/v3/audit-log-destinations/%ZZ').set('authorization', AUTH);
      expect(badEscape.status).toBe(400);
      expect(badEscape.body.invalid_parameters).toEqual([{ field: 'path', rule: 'invalid', reason: "holds a malformed %-escape (Failed to decode param '%ZZ')" }]);
      expect(badEscape.body.detail).toBe("path holds a malformed %-escape (Failed to decode param '%ZZ')");
    });

    it('http:// is accepted when the stand-in runs with --allow-http', async () => {
      await stopTestStandIn(standIn);
      standIn = await startTestStandIn({ allowHttp: true });
      const response = await create({ ...valid, endpoint: 'http://127.0.0.1:8080/audit-logs' });
      expect(response.status).toBe(201);
    });

    it('a bare token (no scheme) is accepted, with a Warning header and a log line that do not show it', async () => {
      const response = await create({ ...valid, authorization: 'abc123secret' });
      expect(response.status).toBe(201);
      expect(response.headers['warning']).toMatch(/^299 - ".*no scheme/);
      expect(response.headers['warning']).not.toContain('abc123secret');
      expect(standIn.logs()).toContain('authorization has no scheme');
      expect(standIn.logs()).not.toContain('abc123secret');
      const patched = await api().patch(`/v3/audit-log-destinations/${response.body.id}`).set('authorization', AUTH).send({ authorization: 'Bearer fine' });
      expect(patched.headers['warning']).toBeUndefined();
    });
  });

  describe('GET, PATCH and DELETE /v2|v3/audit-log-destinations/{id}', () => {
    it('reads, updates and deletes through both versions', async () => {
      const { body: created } = await create(valid);
      for (const version of ['v2', 'v3']) {
        const read = await api().get(`/${version}/audit-log-destinations/${created.id}`).set('authorization', AUTH);
        expect(read.status).toBe(200);
        expect(read.body).toEqual(created);
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
      const patched = await api()
        .patch(`/v2/audit-log-destinations/${created.id}`)
        .set('authorization', AUTH)
        .send({ endpoint: 'https://new.example.com/in', skip_ssl_verification: true, authorization: 'Bearer rotated' });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ id: created.id, name: 'splunk', endpoint: 'https://new.example.com/in', skip_ssl_verification: true, created_at: created.created_at });
      expect(patched.body.updated_at).not.toBe(created.updated_at);
      expect(patched.text).not.toContain('rotated');

      const invalid = await api().patch(`/v3/audit-log-destinations/${created.id}`).set('authorization', AUTH).send({ log_format: 'yaml', id: 'x' });
      expect(invalid.status).toBe(400);
      expect(invalid.body.invalid_parameters.map((item: { field: string }) => item.field).sort()).toEqual(['id', 'log_format']);

      const deleted = await api().delete(`/v3/audit-log-destinations/${created.id}`).set('authorization', AUTH);
      expect(deleted.status).toBe(204);
      expect(deleted.text).toBe('');
      expect((await api().get(`/v3/audit-log-destinations/${created.id}`).set('authorization', AUTH)).status).toBe(404);
    });

    it('answers 404 problems for an unknown or malformed id', async () => {
      for (const id of ['07ec3858-066b-4629-bdc5-d4aa893b424d', 'not-a-uuid']) {
        for (const method of ['get', 'patch', 'delete'] as const) {
          const response = await api()[method](`/v3/audit-log-destinations/${id}`).set('authorization', AUTH).send({});
          expect(response.status).toBe(404);
          expect(response.body).toMatchObject({ status: 404, title: 'Not Found', detail: expect.stringContaining(id) });
        }
      }
    });

    it('DELETE answers 409 "Destination is in use" while the org or a portal webhook is bound to it', async () => {
      const { body: created } = await create(valid);
      await api().patch('/v3/audit-log-webhook').set('authorization', AUTH).send({ audit_log_destination_id: created.id, enabled: false });
      const inUse = await api().delete(`/v3/audit-log-destinations/${created.id}`).set('authorization', AUTH);
      expect(inUse.status).toBe(409);
      expect(inUse.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(inUse.body.detail).toMatch(/destination is in use/i);

      await api().delete('/v3/audit-log-webhook').set('authorization', AUTH);
      const portal = '3e551b39-227d-4297-b911-e68fd5d77c17';
      await api().patch(`/v3/portals/${portal}/audit-log-webhook`).set('authorization', AUTH).send({ audit_log_destination_id: created.id });
      const portalInUse = await api().delete(`/v2/audit-log-destinations/${created.id}`).set('authorization', AUTH);
      expect(portalInUse.status).toBe(409);
      expect(portalInUse.body.detail).toContain(portal);

      await api().delete(`/v3/portals/${portal}/audit-log-webhook`).set('authorization', AUTH);
      expect((await api().delete(`/v3/audit-log-destinations/${created.id}`).set('authorization', AUTH)).status).toBe(204);
    });

    it('answers 405 with Allow for a method a path does not support', async () => {
      const response = await api().put('/v3/audit-log-destinations').set('authorization', AUTH).send({});
      expect(response.status).toBe(405);
      expect(response.headers['allow']).toBe('GET, POST');
    });
  });
});
