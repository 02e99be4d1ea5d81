import request from 'supertest';
import type { ReplayStatus, TargetKey } from '../../src/konnect/model';
import { verifyLine } from '../../src/signature';
import { startCaptureServer, type CaptureServer } from './support/capture-server';
import { AUTH, startTestStandIn, stopTestStandIn, waitFor, type TestStandIn } from './support/stand-in';

describe('replay (§5): stored signed lines re-sent to the webhook configured now', () => {
  let standIn: TestStandIn | undefined;
  let receiver: CaptureServer | undefined;
  let transitions: Array<[TargetKey, ReplayStatus]>;
  beforeEach(() => {
    transitions = [];
  });
  afterEach(async () => {
    await stopTestStandIn(standIn);
    await receiver?.close();
    standIn = undefined;
    receiver = undefined;
  });

  const start = async (overrides = {}) => {
    standIn = await startTestStandIn({ allowHttp: true, replayStepMs: 150, ...overrides }, { hooks: { onReplayStatus: (target, status) => transitions.push([target, status]) } });
  };
  const api = () => request(standIn!.url);
  const job = async () => (await api().get('/v3/audit-log-replay-job').set('authorization', AUTH)).body;
  const window = (fromMs: number) => ({ start_at: new Date(fromMs).toISOString(), end_at: new Date(Date.now() + 1000).toISOString() });

  it('delivers events, then a replay job re-delivers the very same signed lines, through accepted → pending → running → completed', async () => {
    receiver = await startCaptureServer([{ status: 202 }]);
    await start({ maxBatch: 4 });
    const before = Date.now() - 1000;
    await api().patch('/v2/audit-log-destinations').set('authorization', AUTH).send({ endpoint: receiver.url, authorization: 'Bearer siem', log_format: 'json' });
    await api().post('/stand-in/events').set('authorization', AUTH).send({ generate: 10 });
    await waitFor(() => receiver!.lines().length === 10, 5000, 'live delivery');
    const live = receiver.lines();
    const liveBatches = receiver.deliveries.length;
    // The receiver now holds the replay's batches long enough for `running` to be seen.
    receiver.setAnswers([{ status: 202, delayMs: 300 }]);

    const accepted = await api().put('/v3/audit-log-replay-job').set('authorization', AUTH).send(window(before));
    expect(accepted.status).toBe(202);
    expect(accepted.body.status).toBe('accepted');

    const seen = new Set<string>();
    await waitFor(async () => {
      const current = await job();
      seen.add(current.status);
      return current.status === 'completed' && current;
    }, 15_000, 'completed');
    expect([...seen]).toEqual(expect.arrayContaining(['accepted', 'pending', 'running', 'completed']));
    expect(transitions).toEqual([['org', 'accepted'], ['org', 'pending'], ['org', 'running'], ['org', 'completed']]);

    const replayed = receiver.lines().slice(10);
    expect(replayed).toEqual(live);
    expect(receiver.deliveries.length - liveBatches).toBe(3); // 4 + 4 + 2, max-batch applies
    for (const delivery of receiver.deliveries) {
      expect(delivery.headers['authorization']).toBe('Bearer siem');
      expect(delivery.headers['content-encoding']).toBe('gzip');
    }
    for (const line of replayed) expect(verifyLine(line, 'json', [standIn!.publicKey])).toBe('valid');
  });

  it('replays events that went out nowhere (no webhook yet), in the format configured at replay time, and only within the window', async () => {
    receiver = await startCaptureServer([{ status: 200 }]);
    await start();
    const early = await api().post('/stand-in/events').set('authorization', AUTH).send({ events: [{ name: 'Authz.usage', event_ts: new Date(Date.now() - 3 * 3_600_000).toISOString() }] });
    const inWindow = await api().post('/stand-in/events').set('authorization', AUTH).send({ generate: 3 });
    await api().patch('/v2/audit-log-destinations').set('authorization', AUTH).send({ endpoint: receiver.url, authorization: 'Bearer siem', log_format: 'cef' });
    expect(receiver.deliveries).toHaveLength(0);

    await api().put('/v2/audit-log-replay-job').set('authorization', AUTH).send(window(Date.now() - 3_600_000));
    await waitFor(async () => (await job()).status === 'completed', 15_000, 'completed');
    const lines = receiver.lines();
    expect(lines).toHaveLength(3);
    for (const id of inWindow.body.trace_ids) expect(lines.some((line) => line.includes(`trace_id=${id} `))).toBe(true);
    expect(lines.some((line) => line.includes(early.body.trace_ids[0]))).toBe(false);
    for (const line of lines) expect(verifyLine(line, 'cef', [standIn!.publicKey])).toBe('valid');
  });

  it('takes an end_at in whole seconds to name that whole second: start_at = end_at replays the events of that second', async () => {
    receiver = await startCaptureServer([{ status: 200 }]);
    await start();
    const second = Math.floor((Date.now() - 60_000) / 1000) * 1000;
    const injected = await api()
      .post('/stand-in/events')
      .set('authorization', AUTH)
      .send({ events: [{ name: 'Authz.a', rt: second - 1 }, { name: 'Authz.b', rt: second }, { name: 'Authz.c', rt: second + 999 }, { name: 'Authz.d', rt: second + 1000 }] });
    expect(injected.status).toBe(202);
    await api().patch('/v2/audit-log-destinations').set('authorization', AUTH).send({ endpoint: receiver.url, authorization: 'Bearer siem', log_format: 'json' });
    const at = new Date(second).toISOString().replace('.000Z', 'Z');
    expect((await api().put('/v3/audit-log-replay-job').set('authorization', AUTH).send({ start_at: at, end_at: at })).status).toBe(202);
    await waitFor(async () => (await job()).status === 'completed', 15_000, 'completed');
    expect(receiver.lines().map((line) => JSON.parse(line).name)).toEqual(['Authz.b', 'Authz.c']);
  });

  it('fails when a batch cannot be delivered after its retries', async () => {
    receiver = await startCaptureServer([{ status: 400, body: 'nope' }]);
    await start();
    await api().post('/stand-in/events').set('authorization', AUTH).send({ generate: 2 });
    await api().patch('/v2/audit-log-destinations').set('authorization', AUTH).send({ endpoint: receiver.url, authorization: 'Bearer siem', log_format: 'json' });
    await api().put('/v3/audit-log-replay-job').set('authorization', AUTH).send(window(Date.now() - 60_000));
    await waitFor(async () => (await job()).status === 'failed', 15_000, 'failed');
    expect(transitions.map(([, status]) => status)).toEqual(['accepted', 'pending', 'running', 'failed']);
    const status = (await api().get('/v3/audit-log-webhook/status').set('authorization', AUTH)).body;
    expect(status).toMatchObject({ webhook_status: 'inactive', last_response_code: 400, last_response_message: 'nope' });
  });

  it('fails when the webhook is not enabled at the time the job runs', async () => {
    receiver = await startCaptureServer();
    await start();
    await api().patch('/v2/audit-log-destinations').set('authorization', AUTH).send({ endpoint: receiver.url, authorization: 'Bearer siem', log_format: 'json' });
    await api().patch('/v2/audit-log-webhook').set('authorization', AUTH).send({ enabled: false });
    await api().put('/v3/audit-log-replay-job').set('authorization', AUTH).send(window(Date.now() - 60_000));
    await waitFor(async () => (await job()).status === 'failed', 15_000, 'failed');
    expect(standIn!.logs()).toContain('the webhook must be enabled');
    expect(receiver.deliveries).toHaveLength(0);
  });

  it('a Dev Portal replay re-sends that portal\'s events only', async () => {
    receiver = await startCaptureServer();
    await start();
    const portal = '3e551b39-227d-4297-b911-e68fd5d77c17';
    await api().post('/stand-in/events').set('authorization', AUTH).send({ generate: 2, portal_id: portal });
    await api().post('/stand-in/events').set('authorization', AUTH).send({ generate: 3, type: 'access' });
    const destination = await api().post('/v3/audit-log-destinations').set('authorization', AUTH).send({ name: 'p', endpoint: receiver.url, authorization: 'Bearer p', log_format: 'json' });
    await api().patch(`/v3/portals/${portal}/audit-log-webhook`).set('authorization', AUTH).send({ audit_log_destination_id: destination.body.id, enabled: true });
    const path = `/v3/portals/${portal}/audit-log-replay-job`;
    expect((await api().put(path).set('authorization', AUTH).send(window(Date.now() - 60_000))).status).toBe(202);
    await waitFor(async () => (await api().get(path).set('authorization', AUTH)).body.status === 'completed', 15_000, 'completed');
    expect(receiver.lines()).toHaveLength(2);
    for (const line of receiver.lines()) expect(line).toContain(`"portal_id":"${portal}"`);
    expect(transitions.every(([target]) => target === `portal:${portal}`)).toBe(true);
  });
});
