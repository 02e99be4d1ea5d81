import request from 'supertest';
import { publicKeyFromJwk } from '../../../src/signature';
import { API_TOKEN, AUTH, startTestStandIn, stopTestStandIn, type TestStandIn } from '../support/stand-in';

const PORTAL = '3e551b39-227d-4297-b911-e68fd5d77c17';
const ID = '07ec3858-066b-4629-bdc5-d4aa893b424d';

/** Every API endpoint, with a body where it takes one. */
const ENDPOINTS: Array<[string, string]> = [
  ['patch', '/v2/audit-log-destinations'],
  ['get', '/v2/audit-log-destinations'],
  ['post', '/v2/audit-log-destinations'],
  ['post', '/v3/audit-log-destinations'],
  ['get', '/v3/audit-log-destinations'],
  ['get', `/v3/audit-log-destinations/${ID}`],
  ['patch', `/v3/audit-log-destinations/${ID}`],
  ['delete', `/v3/audit-log-destinations/${ID}`],
  ['get', `/v2/audit-log-destinations/${ID}`],
  ['patch', `/v2/audit-log-destinations/${ID}`],
  ['delete', `/v2/audit-log-destinations/${ID}`],
  ['get', '/v2/audit-log-webhook'],
  ['patch', '/v2/audit-log-webhook'],
  ['get', '/v3/audit-log-webhook'],
  ['patch', '/v3/audit-log-webhook'],
  ['delete', '/v3/audit-log-webhook'],
  ['get', '/v2/audit-log-webhook/status'],
  ['get', '/v3/audit-log-webhook/status'],
  ['put', '/v2/audit-log-replay-job'],
  ['get', '/v2/audit-log-replay-job'],
  ['put', '/v3/audit-log-replay-job'],
  ['get', '/v3/audit-log-replay-job'],
  ['get', `/v3/portals/${PORTAL}/audit-log-webhook`],
  ['patch', `/v3/portals/${PORTAL}/audit-log-webhook`],
  ['delete', `/v3/portals/${PORTAL}/audit-log-webhook`],
  ['get', `/v3/portals/${PORTAL}/audit-log-webhook/status`],
  ['put', `/v3/portals/${PORTAL}/audit-log-replay-job`],
  ['get', `/v3/portals/${PORTAL}/audit-log-replay-job`],
  ['get', `/v2/portals/${PORTAL}/audit-log-webhook`],
  ['post', '/stand-in/events'],
];

describe('API authentication', () => {
  let standIn: TestStandIn;
  beforeAll(async () => {
    standIn = await startTestStandIn();
  });
  afterAll(() => stopTestStandIn(standIn));

  it.each(ENDPOINTS)('%s %s answers 401 problem+json without a token, or with a wrong one', async (method, path) => {
    for (const header of [undefined, 'Bearer wrong-token', API_TOKEN, `Basic ${API_TOKEN}`]) {
      let call = request(standIn.url)[method as 'get'](path);
      if (header !== undefined) call = call.set('authorization', header);
      const response = await call.send({ generate: 1 });
      expect(response.status).toBe(401);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(response.body).toEqual({
        status: 401,
        title: 'Unauthorized',
        type: 'https://httpstatuses.com/401',
        instance: expect.stringMatching(/^kong:trace:\d{19}$/),
        detail: 'Unauthorized',
      });
    }
  });

  it('nothing was changed by the refused calls', async () => {
    const destinations = await request(standIn.url).get('/v3/audit-log-destinations').set('authorization', AUTH);
    expect(destinations.body.data).toEqual([]);
  });

  it('accepts the scheme in any case', async () => {
    const response = await request(standIn.url).get('/v3/audit-log-destinations').set('authorization', `bearer ${API_TOKEN}`);
    expect(response.status).toBe(200);
  });

  it('serves GET /v2/audit-log-webhook/jwks.json without a token: the public half of its signing key', async () => {
    const response = await request(standIn.url).get('/v2/audit-log-webhook/jwks.json');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      keys: [{ kty: 'OKP', alg: 'EdDSA', kid: expect.any(String), crv: 'Ed25519', x: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) }],
    });
    const published = publicKeyFromJwk(response.body.keys[0]);
    expect(published.export({ format: 'jwk' })).toEqual(standIn.publicKey.export({ format: 'jwk' }));
  });

  it('GET /healthz needs no token', async () => {
    const response = await request(standIn.url).get('/healthz');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('an unknown path with a token is a 404 problem', async () => {
    const response = await request(standIn.url).get('/v3/nothing-here').set('authorization', AUTH);
    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});
