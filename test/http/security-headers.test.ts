import express from 'express';
import helmet from 'helmet';
import request from 'supertest';
import { securityHeaders } from '../../src/http/security-headers';

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
