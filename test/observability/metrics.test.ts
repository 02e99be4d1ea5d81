import zlib from 'node:zlib';
import request from 'supertest';
import { startTestReceiver, TEST_AUTHORIZATION, type TestReceiver } from '../helpers/test-receiver';
import { CEF_AUTHZ_LIST, JSON_ACCESS } from '../helpers/konnect-examples';

/** The value of one sample line of a Prometheus text exposition, 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels);
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((pair) => [pair[1], pair[2]]));
    if (wanted.every(([key, value]) => present[key] === value) && Object.keys(present).length === wanted.length) return Number(match[3]);
  }
  return 0;
}

describe('GET /metrics', () => {
  let receiver: TestReceiver;
  afterEach(() => receiver.close());

  it('counts requests, events, bytes, auth failures, dead letters and sink writes after a known set of requests', async () => {
    receiver = await startTestReceiver({ authFailureLimit: '100' });
    const post = () => request(receiver.origin).post('/audit-logs');
    const body = zlib.gzipSync(`${CEF_AUTHZ_LIST}\n${JSON_ACCESS}\nnot an event\n{"broken":\n`);
    await post().send('x');
    await post().set('Authorization', 'Bearer nope').send('x');
    await post().set('Authorization', TEST_AUTHORIZATION).set('Content-Encoding', 'gzip').send(body);
    await post().set('Authorization', TEST_AUTHORIZATION).send(CEF_AUTHZ_LIST);
    const lenientCef = 'CEF:0|Acme|Proxy|2.1|100|request|3|request=/a?b=1'; // read with a warning
    await post().set('Authorization', TEST_AUTHORIZATION).send(lenientCef);
    await request(receiver.origin).get('/audit-logs');

    const scrape = await request(receiver.origin).get('/metrics');
    expect(scrape.status).toBe(200);
    expect(scrape.headers['content-type']).toMatch(/^text\/plain/);
    const text = scrape.text;
    expect(sample(text, 'audit_relay_http_requests_total', { code: '401' })).toBe(2);
    expect(sample(text, 'audit_relay_http_requests_total', { code: '200' })).toBe(3);
    expect(sample(text, 'audit_relay_http_requests_total', { code: '405' })).toBe(1);
    expect(sample(text, 'audit_relay_authorization_failures_total', { reason: 'missing' })).toBe(1);
    expect(sample(text, 'audit_relay_authorization_failures_total', { reason: 'mismatch' })).toBe(1);
    expect(sample(text, 'audit_relay_events_total', { outcome: 'accepted', format: 'cef', reason: '' })).toBe(3);
    expect(sample(text, 'audit_relay_events_with_warnings_total', { format: 'cef' })).toBe(1);
    expect(sample(text, 'audit_relay_events_total', { outcome: 'accepted', format: 'json', reason: '' })).toBe(1);
    expect(sample(text, 'audit_relay_events_total', { outcome: 'rejected', format: 'unknown', reason: 'unknown_format' })).toBe(1);
    expect(sample(text, 'audit_relay_events_total', { outcome: 'rejected', format: 'json', reason: 'malformed_json' })).toBe(1);
    expect(sample(text, 'audit_relay_dead_letter_records_total')).toBe(2);
    const lenientBytes = Buffer.byteLength(lenientCef);
    expect(sample(text, 'audit_relay_request_bytes_total')).toBe(body.length + Buffer.byteLength(CEF_AUTHZ_LIST) + lenientBytes);
    expect(sample(text, 'audit_relay_decoded_bytes_total')).toBe(zlib.gunzipSync(body).length + Buffer.byteLength(CEF_AUTHZ_LIST) + lenientBytes);
    expect(sample(text, 'audit_relay_signatures_total', { outcome: 'unchecked' })).toBe(5);
    expect(sample(text, 'audit_relay_sink_write_seconds_count', { sink: `file:${receiver.eventsFile}` })).toBe(3);
    expect(sample(text, 'audit_relay_sink_write_seconds_count', { sink: `dead-letter:${receiver.deadLetterFile}` })).toBe(1);
    expect(sample(text, 'audit_relay_in_flight_bytes')).toBe(0);
    expect(text).toContain('audit_relay_process_resident_memory_bytes');
  });

  it('counts rate-limited authorizations and sink errors', async () => {
    receiver = await startTestReceiver({ authFailureLimit: '1', sink: ['file:/dev/full'] });
    await request(receiver.origin).post('/audit-logs').set('Authorization', TEST_AUTHORIZATION).send(CEF_AUTHZ_LIST);
    await request(receiver.origin).post('/audit-logs').set('Authorization', 'Bearer nope').send('x');
    const limited = await request(receiver.origin).post('/audit-logs').set('Authorization', 'Bearer nope').send('x');
    expect(limited.status).toBe(429);
    const text = (await request(receiver.origin).get('/metrics')).text;
    expect(sample(text, 'audit_relay_sink_errors_total', { sink: 'file:/dev/full' })).toBe(1);
    expect(sample(text, 'audit_relay_http_requests_total', { code: '503' })).toBe(1);
    expect(sample(text, 'audit_relay_authorization_failures_total', { reason: 'rate_limited' })).toBe(1);
  });

  it('counts dead-letter records once they are written, even when a sink then fails the request', async () => {
    receiver = await startTestReceiver({ sink: ['file:/dev/full'] });
    const answer = await request(receiver.origin).post('/audit-logs').set('Authorization', TEST_AUTHORIZATION).send(`${CEF_AUTHZ_LIST}\nnot an event\n`);
    expect(answer.status).toBe(503);
    expect(receiver.deadLetters()).toHaveLength(1);
    const text = (await request(receiver.origin).get('/metrics')).text;
    expect(sample(text, 'audit_relay_dead_letter_records_total')).toBe(1);
  });

  it('moves /metrics to --metrics-listen when given', async () => {
    receiver = await startTestReceiver({ metricsListen: '127.0.0.1:0' });
    expect((await request(receiver.origin).get('/metrics')).status).toBe(404);
    const scrape = await request(receiver.metricsUrl.replace(/\/metrics$/, '')).get('/metrics');
    expect(scrape.status).toBe(200);
    expect(scrape.text).toContain('audit_relay_http_requests_total');
    expect(scrape.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    // Its errors keep the receiver's contract: problem+json, helmet's headers, a request id.
    const metricsOrigin = receiver.metricsUrl.replace(/\/metrics$/, '');
    const unknown = await request(metricsOrigin).get('/nope');
    expect(unknown.status).toBe(404);
    expect(unknown.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(unknown.headers['x-content-type-options']).toBe('nosniff');
    expect(unknown.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const posted = await request(metricsOrigin).post('/metrics');
    expect(posted.status).toBe(405);
    expect(posted.headers.allow).toBe('GET, HEAD');
    expect(posted.body).toMatchObject({ status: 405, detail: 'POST is not served at /metrics; use GET' });
  });
});
