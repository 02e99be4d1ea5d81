import express from 'express';
import helmet from 'helmet';
import request from 'supertest';
import { securityHeaders } from '../../src/http/security-headers';
import { startTestReceiver, TEST_AUTHORIZATION, type TestReceiver } from '../helpers/test-receiver';
import { CEF_AUTHZ_LIST } from '../helpers/konnect-examples';

describe('securityHeaders', () => {
  it('puts exactly the headers helmet puts, with the same values', async () => {
    const withHelmet = express().use(helmet()).get('/', (_request, response) => void response.send('ok'));
    const withOurs = express().use(securityHeaders()).get('/', (_request, response) => void response.send('ok'));
    const [expected, actual] = await Promise.all([request(withHelmet).get('/'), request(withOurs).get('/')]);
    const pick = (headers: Record<string, string>) =>
      Object.fromEntries(Object.entries(headers).filter(([name]) => !['date', 'etag', 'content-length', 'content-type', 'connection', 'keep-alive'].includes(name)));
    expect(pick(actual.headers)).toEqual(pick(expected.headers));
    expect(actual.headers['content-security-policy']).toContain("default-src 'self'");
    expect(actual.headers['x-powered-by']).toBeUndefined();
  });
});

describe('the receiver: the ingest path (served outside Express) and the app answer alike', () => {
  let receiver: TestReceiver;
  beforeAll(async () => {
    receiver = await startTestReceiver();
  });
  afterAll(() => receiver.close());

  const contract = (headers: Record<string, string>) =>
    Object.fromEntries(Object.entries(headers).filter(([name]) => !['date', 'content-length', 'x-request-id', 'connection', 'keep-alive', 'www-authenticate', 'allow'].includes(name)));

  it('puts helmet headers, a request id and the same content types on ingest answers and app answers', async () => {
    const accepted = await request(receiver.origin).post('/audit-logs').set('Authorization', TEST_AUTHORIZATION).send(CEF_AUTHZ_LIST);
    const unauthorized = await request(receiver.origin).post('/audit-logs').send(CEF_AUTHZ_LIST);
    const wrongMethod = await request(receiver.origin).get('/audit-logs/?x=1');
    const notFound = await request(receiver.origin).post('/nowhere');
    expect([accepted.status, unauthorized.status, wrongMethod.status, notFound.status]).toEqual([200, 401, 405, 404]);
    for (const answer of [accepted, unauthorized, wrongMethod, notFound]) {
      expect(answer.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(answer.headers['x-powered-by']).toBeUndefined();
    }
    expect(accepted.headers['content-type']).toBe('application/json; charset=utf-8');
    // Problems from the ingest path and from Express are the same but for the body.
    expect(contract(unauthorized.headers)).toEqual(contract(notFound.headers));
    expect(contract(wrongMethod.headers)).toEqual(contract(notFound.headers));
    expect(notFound.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(wrongMethod.body).toMatchObject({ status: 405, instance: '/audit-logs/' });
    expect(wrongMethod.headers.allow).toBe('POST');
    const { ['content-type']: _json, ...acceptedRest } = contract(accepted.headers);
    const { ['content-type']: _problem, ...problemRest } = contract(notFound.headers);
    expect(acceptedRest).toEqual(problemRest);
  });

  it('answers HEAD on the ingest path with the 405 headers and no body', async () => {
    const answer = await request(receiver.origin).head('/audit-logs');
    expect(answer.status).toBe(405);
    expect(answer.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(Number(answer.headers['content-length'])).toBeGreaterThan(0);
    expect(answer.text ?? '').toBe('');
  });
});
