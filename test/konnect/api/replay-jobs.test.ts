import request from 'supertest';
import { startCaptureServer, type CaptureServer } from '../support/capture-server';
import { AUTH, startTestStandIn, stopTestStandIn, waitFor, type TestStandIn } from '../support/stand-in';

const PORTAL = '3e551b39-227d-4297-b911-e68fd5d77c17';
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('replay job API (§5)', () => {
  let standIn: TestStandIn;
  let receiver: CaptureServer | undefined;
  beforeEach(async () => {
    standIn = await startTestStandIn({ allowHttp: true });
  });
  afterEach(async () => {
    await stopTestStandIn(standIn);
    await receiver?.close();
    receiver = undefined;
  });

  const api = () => request(standIn.url);

  it.each(['v2', 'v3'])('GET /%s/audit-log-replay-job starts out unconfigured with zero times', async (version) => {
    const response = await api().get(`/${version}/audit-log-replay-job`).set('authorization', AUTH);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ start_at: '0001-01-01T00:00:00Z', end_at: '0001-01-01T00:00:00Z', status: 'unconfigured', updated_at: '0001-01-01T00:00:00Z' });
  });

  describe('PUT validation (400 with invalid_parameters)', () => {
    const now = Date.now();
    const cases: Array<[string, Record<string, unknown>, Array<Record<string, unknown>>]> = [
      ['both fields missing', {}, [{ field: 'start_at', rule: 'required' }, { field: 'end_at', rule: 'required' }]],
      ['end_at missing', { start_at: iso(now - HOUR) }, [{ field: 'end_at', rule: 'required' }]],
      ['not date-times', { start_at: 'yesterday', end_at: 1700000000 }, [{ field: 'start_at', rule: 'is_date_time' }, { field: 'end_at', rule: 'is_date_time' }]],
      ['a day the month does not have (Date.parse would take it for March 2)', { start_at: '2026-02-30T00:00:00Z', end_at: iso(now) }, [{ field: 'start_at', rule: 'is_date_time' }]],
      ['start_at more than 7 days ago', { start_at: iso(now - 8 * DAY), end_at: iso(now - HOUR) }, [{ field: 'start_at', reason: 'must be within the last 7 days' }]],
      ['both more than 7 days ago', { start_at: iso(now - 9 * DAY), end_at: iso(now - 8 * DAY) }, [{ field: 'start_at' }, { field: 'end_at', reason: 'must be within the last 7 days' }]],
      ['end_at in the future', { start_at: iso(now - HOUR), end_at: iso(now + DAY) }, [{ field: 'end_at', reason: 'must not be in the future' }]],
      ['end_at before start_at', { start_at: iso(now - HOUR), end_at: iso(now - 2 * HOUR) }, [{ field: 'end_at', reason: 'must not be before start_at' }]],
      ['an unknown field', { start_at: iso(now - HOUR), end_at: iso(now), region: 'us' }, [{ field: 'region', rule: 'unknown_property' }]],
    ];
    it.each(cases)('%s', async (_name, body, expected) => {
      const response = await api().put('/v3/audit-log-replay-job').set('authorization', AUTH).send(body);
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body.invalid_parameters).toEqual(expected.map((item) => expect.objectContaining(item)));
      expect((await api().get('/v3/audit-log-replay-job').set('authorization', AUTH)).body.status).toBe('unconfigured');
    });
  });

  it('takes an end_at in whole seconds as that whole second: a start_at within it is not after it', async () => {
    const second = Math.floor((Date.now() - HOUR) / 1000) * 1000;
    const body = { start_at: new Date(second + 500).toISOString(), end_at: new Date(second).toISOString().replace('.000Z', 'Z') };
    expect((await api().put('/v3/audit-log-replay-job').set('authorization', AUTH).send(body)).status).toBe(202);
  });

  it('PUT answers 202 accepted; the job goes on to failed when no webhook is enabled', async () => {
    const body = { start_at: iso(Date.now() - 6 * DAY), end_at: iso(Date.now()) };
    const response = await api().put('/v2/audit-log-replay-job').set('authorization', AUTH).send(body);
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ ...body, status: 'accepted', updated_at: expect.any(String) });
    const final = await waitFor(async () => {
      const job = await api().get('/v3/audit-log-replay-job').set('authorization', AUTH);
      return ['completed', 'failed'].includes(job.body.status) && job.body;
    });
    expect(final).toMatchObject({ ...body, status: 'failed' });
  });

  it('a second PUT while a job is under way gets 409 "A replay job is currently running"; afterwards a new one is accepted', async () => {
    receiver = await startCaptureServer([{ status: 200, delayMs: 600 }]);
    await api().patch('/v2/audit-log-destinations').set('authorization', AUTH).send({ endpoint: receiver.url, authorization: 'Bearer r', log_format: 'json' });
    await api().post('/stand-in/events').set('authorization', AUTH).send({ generate: 3 });
    await waitFor(() => receiver!.deliveries.length === 1);
    // Milliseconds matter: the events were made within the current second.
    const window = { start_at: iso(Date.now() - HOUR), end_at: new Date(Date.now() + 1000).toISOString() };
    expect((await api().put('/v3/audit-log-replay-job').set('authorization', AUTH).send(window)).status).toBe(202);
    const conflictWhileAccepted = await api().put('/v3/audit-log-replay-job').set('authorization', AUTH).send(window);
    expect(conflictWhileAccepted.status).toBe(409);
    expect(conflictWhileAccepted.body.detail).toBe('A replay job is currently running'); // Konnect's text, even before it runs
    await waitFor(async () => (await api().get('/v3/audit-log-replay-job').set('authorization', AUTH)).body.status === 'running', 10_000, 'running');
    const conflict = await api().put('/v2/audit-log-replay-job').set('authorization', AUTH).send(window);
    expect(conflict.status).toBe(409);
    expect(conflict.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(conflict.body).toMatchObject({ status: 409, title: 'Resource Conflict', detail: 'A replay job is currently running' });
    await waitFor(async () => (await api().get('/v3/audit-log-replay-job').set('authorization', AUTH)).body.status === 'completed', 10_000, 'completed');
    expect((await api().put('/v3/audit-log-replay-job').set('authorization', AUTH).send(window)).status).toBe(202);
  });

  it.each(['v2', 'v3'])('the Dev Portal variant /%s/portals/{portalId}/audit-log-replay-job is separate from the org job', async (version) => {
    const path = `/${version}/portals/${PORTAL}/audit-log-replay-job`;
    const window = { start_at: iso(Date.now() - HOUR), end_at: iso(Date.now()) };
    const response = await api().put(path).set('authorization', AUTH).send(window);
    expect(response.status).toBe(202);
    expect((await api().get(path).set('authorization', AUTH)).body.status).not.toBe('unconfigured');
    expect((await api().get('/v3/audit-log-replay-job').set('authorization', AUTH)).body.status).toBe('unconfigured');
    expect((await api().put(`/${version}/portals/not-a-portal/audit-log-replay-job`).set('authorization', AUTH).send(window)).status).toBe(404);
    const bad = await api().put(path).set('authorization', AUTH).send({ start_at: window.start_at });
    expect(bad.status).toBe(400);
    await waitFor(async () => (await api().get(path).set('authorization', AUTH)).body.status === 'failed');
  });
});
