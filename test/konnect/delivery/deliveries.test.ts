import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { verifyLine, publicKeyFromJwk } from '../../../src/signature';
import { startCaptureServer, type CaptureServer } from '../support/capture-server';
import { AUTH, startTestStandIn, stopTestStandIn, waitFor, type TestStandIn } from '../support/stand-in';

describe('deliveries from the stand-in: batching, status after every attempt, retries', () => {
  let standIn: TestStandIn | undefined;
  let receiver: CaptureServer | undefined;
  afterEach(async () => {
    await stopTestStandIn(standIn);
    await receiver?.close();
    standIn = undefined;
    receiver = undefined;
  });

  const api = () => request(standIn!.url);
  const configure = async (body: Record<string, unknown>) => {
    const response = await api().patch('/v2/audit-log-destinations').set('authorization', AUTH).send(body);
    expect(response.status).toBe(200);
    return response.body.id as string;
  };
  const status = async () => (await api().get('/v3/audit-log-webhook/status').set('authorization', AUTH)).body;
  const inject = async (count: number) => {
    const response = await api().post('/stand-in/events').set('authorization', AUTH).send({ generate: count });
    expect(response.status).toBe(202);
    return response.body.trace_ids as string[];
  };

  it('500, then 429 with Retry-After, then 200: one batch, three attempts, status updated after each', async () => {
    receiver = await startCaptureServer([
      { status: 500, body: 'internal error' },
      { status: 429, body: 'too many', headers: { 'retry-after': '1' } },
      { status: 200, body: '{"accepted":2}' },
    ]);
    // A first wait long enough for the 500 to be seen in /status before the retry.
    standIn = await startTestStandIn({ allowHttp: true, retry: { maxRetries: 4, waitMinMs: 500, waitMaxMs: 2000 } });
    await configure({ endpoint: receiver.url, authorization: 'Bearer siem', log_format: 'cef' });
    await inject(2);

    await waitFor(() => receiver!.deliveries.length >= 1, 5000, 'first attempt');
    expect(await waitFor(async () => ((await status()).last_response_code === 500 ? status() : undefined), 5000, 'status 500')).toMatchObject({
      webhook_enabled: true,
      webhook_status: 'active',
      last_response_code: 500,
      last_response_message: 'internal error',
      last_attempt_at: expect.any(String),
    });
    expect(await waitFor(async () => ((await status()).last_response_code === 429 ? status() : undefined), 5000, 'status 429')).toMatchObject({
      last_response_code: 429,
      last_response_message: 'too many',
    });
    await waitFor(() => receiver!.deliveries.length === 3, 5000, 'third attempt');
    expect(await waitFor(async () => ((await status()).last_response_code === 200 ? status() : undefined), 5000, 'status 200')).toEqual({
      webhook_enabled: true,
      webhook_status: 'active',
      last_attempt_at: expect.any(String),
      last_response_code: 200,
      last_response_message: '{"accepted":2}',
    });
    const [first, second, third] = receiver.deliveries;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(500);
    expect(third!.at - second!.at).toBeGreaterThanOrEqual(1000);
    expect(first!.lines).toHaveLength(2);
    expect(new Set(receiver.deliveries.map((delivery) => delivery.text)).size).toBe(1);
    await standIn.idle();
    expect(receiver.deliveries).toHaveLength(3);
  });

  it('401: no retry; the webhook becomes inactive with last_response_code 401; the next success makes it active again', async () => {
    receiver = await startCaptureServer([{ status: 401, body: '' }]);
    standIn = await startTestStandIn({ allowHttp: true });
    await configure({ endpoint: receiver.url, authorization: 'Bearer wrong', log_format: 'json' });
    await inject(3);
    const inactive = await waitFor(async () => {
      const current = await status();
      return current.webhook_status === 'inactive' && current;
    }, 5000, 'inactive');
    expect(inactive).toEqual({
      webhook_enabled: true,
      webhook_status: 'inactive',
      last_attempt_at: expect.any(String),
      last_response_code: 401,
      last_response_message: 'Unauthorized',
    });
    await standIn.idle();
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(receiver.deliveries).toHaveLength(1);
    expect(standIn.logs()).toContain('batch failed; the webhook is inactive');

    receiver.setAnswers([{ status: 202 }]);
    await inject(1);
    await waitFor(async () => (await status()).webhook_status === 'active', 5000, 'active again');
    expect((await status()).last_response_code).toBe(202);
  });

  it('batches: every flush interval, at most max-batch events per POST, each line signed with the published key', async () => {
    receiver = await startCaptureServer();
    standIn = await startTestStandIn({ allowHttp: true, maxBatch: 4, flushIntervalMs: 300 });
    await configure({ endpoint: receiver.url, authorization: 'Bearer siem', log_format: 'json' });
    const traceIds = await inject(10);
    await waitFor(() => receiver!.lines().length === 10, 5000, 'ten lines');
    expect(receiver.deliveries.map((delivery) => delivery.lines.length)).toEqual([4, 4, 2]);
    // The two full batches go at once; the rest waits for the interval.
    expect(receiver.deliveries[2]!.at - receiver.deliveries[0]!.at).toBeGreaterThanOrEqual(100);
    const jwks = await api().get('/v2/audit-log-webhook/jwks.json');
    const key = publicKeyFromJwk(jwks.body.keys[0]);
    for (const line of receiver.lines()) expect(verifyLine(line, 'json', [key])).toBe('valid');
    expect(traceIds.every((id) => receiver!.lines().some((line) => line.includes(`"trace_id":${id},`)))).toBe(true);
  });

  it.each(['cef', 'json', 'cps'] as const)('sends %s lines as the destination says, signed the way Konnect does', async (format) => {
    receiver = await startCaptureServer();
    standIn = await startTestStandIn({ allowHttp: true });
    await configure({ endpoint: receiver.url, authorization: 'Bearer siem', log_format: format });
    await inject(5);
    await waitFor(() => receiver!.lines().length === 5, 5000, 'five lines');
    for (const line of receiver.lines()) {
      expect(verifyLine(line, format, [standIn.publicKey])).toBe('valid');
      if (format === 'cef') expect(line).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z konghq\.com CEF:0\|KongInc\|Konnect\|1\.0\|[^|]+\|[^|]+\|\d+\|rt=\d{13} .* sig=[A-Za-z0-9_-]{86}$/);
      if (format === 'json') expect(line).toMatch(/^\{"[a-z_]+":.*,"trace_id":\d{19},.*"sig":"[A-Za-z0-9_-]{86}"\}$/);
      if (format === 'cps') expect(line).toMatch(/^\{"event":\{.*,"sig":"[A-Za-z0-9_-]{86}"\}\}$/);
    }
  });

  it('sends nothing while the webhook is disabled, and the events of a Dev Portal go to that portal\'s webhook only', async () => {
    receiver = await startCaptureServer();
    const portalReceiver = await startCaptureServer();
    try {
      standIn = await startTestStandIn({ allowHttp: true });
      await configure({ endpoint: receiver.url, authorization: 'Bearer org', log_format: 'json' });
      await api().patch('/v3/audit-log-webhook').set('authorization', AUTH).send({ enabled: false });
      await inject(3);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(receiver.deliveries).toHaveLength(0);

      const portal = '3e551b39-227d-4297-b911-e68fd5d77c17';
      const portalDestination = await api()
        .post('/v3/audit-log-destinations')
        .set('authorization', AUTH)
        .send({ name: 'portal', endpoint: portalReceiver.url, authorization: 'Bearer portal', log_format: 'cef' });
      await api().patch(`/v3/portals/${portal}/audit-log-webhook`).set('authorization', AUTH).send({ audit_log_destination_id: portalDestination.body.id, enabled: true });
      await api().patch('/v3/audit-log-webhook').set('authorization', AUTH).send({ enabled: true });
      await api().post('/stand-in/events').set('authorization', AUTH).send({ generate: 2, type: 'dev-portal', portal_id: portal });
      await api().post('/stand-in/events').set('authorization', AUTH).send({ generate: 2, type: 'authorization' });
      await waitFor(() => portalReceiver.lines().length === 2 && receiver!.lines().length === 2, 5000, 'both webhooks');
      expect(portalReceiver.deliveries[0]!.headers['authorization']).toBe('Bearer portal');
      for (const line of portalReceiver.lines()) expect(line).toMatch(/CEF:0\|KongInc\|Dev-Portal\|1\.0\|AUTHENTICATION_TYPE_[A-Z]+\|AUTHENTICATION_OUTCOME_[A-Z_]+\|\d\|.* portal_id=3e551b39-227d-4297-b911-e68fd5d77c17 /);
      for (const line of receiver.lines()) expect(line).toContain('"name":"Authz.');
      const portalStatus = await api().get(`/v3/portals/${portal}/audit-log-webhook/status`).set('authorization', AUTH);
      expect(portalStatus.body).toMatchObject({ webhook_status: 'active', last_response_code: 202 });
    } finally {
      await portalReceiver.close();
    }
  });

  it('synthetic traffic flows at --events-per-second', async () => {
    receiver = await startCaptureServer();
    standIn = await startTestStandIn({ allowHttp: true, eventsPerSecond: 50, flushIntervalMs: 100 });
    await configure({ endpoint: receiver.url, authorization: 'Bearer siem', log_format: 'cef' });
    const started = Date.now();
    await waitFor(() => receiver!.lines().length >= 40, 5000, '40 synthetic events');
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    for (const line of receiver.lines()) expect(verifyLine(line, 'cef', [standIn.publicKey])).toBe('valid');
  });

  it('labels every batch with --content-encoding', async () => {
    receiver = await startCaptureServer();
    standIn = await startTestStandIn({ allowHttp: true, contentEncoding: 'application/gzip', flushIntervalMs: 100 });
    await configure({ endpoint: receiver.url, authorization: 'Bearer siem', log_format: 'json' });
    await inject(2);
    await waitFor(() => receiver!.lines().length === 2, 5000, 'a batch');
    expect(receiver.deliveries.map((delivery) => delivery.headers['content-encoding'])).toEqual(['application/gzip']);
  });

  it('never logs the authorization value', async () => {
    receiver = await startCaptureServer([{ status: 500 }, { status: 200 }]);
    standIn = await startTestStandIn({ allowHttp: true });
    await configure({ endpoint: receiver.url, authorization: 'Bearer do-not-log-me', log_format: 'cef' });
    await api().patch('/v2/audit-log-webhook').set('authorization', AUTH).send({ authorization: 'Bearer nor-me' });
    await inject(2);
    await waitFor(() => receiver!.deliveries.length === 2, 5000, 'retry');
    await standIn.idle();
    expect(standIn.logs()).toContain('org webhook updated');
    expect(standIn.logs()).not.toMatch(/do-not-log-me|nor-me/);
  });
});

/** The log lines that count the events shutdown left undelivered. */
function undeliveredWarnings(logs: string): unknown[] {
  const lines = logs.trim().split('\n').map((line) => JSON.parse(line) as { message: string });
  return lines.filter((line) => line.message.startsWith('shutting down with events not delivered'));
}

describe('shutting down during a delivery', () => {
  it('abandons the request and its retries quickly, without marking the webhook inactive', async () => {
    const receiver = await startCaptureServer([{ status: 500, body: 'first' }, { status: 200, delayMs: 5000 }]);
    const standIn = await startTestStandIn({ allowHttp: true, retry: { maxRetries: 4, waitMinMs: 10, waitMaxMs: 100 } });
    try {
      await request(standIn.url).patch('/v2/audit-log-destinations').set('authorization', AUTH).send({ endpoint: receiver.url, authorization: 'Bearer x', log_format: 'cef' });
      await request(standIn.url).post('/stand-in/events').set('authorization', AUTH).send({ generate: 1 });
      await waitFor(() => receiver.deliveries.length === 2, 5000, 'the second attempt');
      const started = Date.now();
      await standIn.close();
      expect(Date.now() - started).toBeLessThan(2000);
      const state = JSON.parse(fs.readFileSync(path.join(standIn.directory, 'state.json'), 'utf8'));
      expect(state.org_webhook.status).toMatchObject({ webhook_status: 'active', last_response_code: 500, last_response_message: 'first' });
      expect(undeliveredWarnings(standIn.logs())).toEqual([{ level: 'warn', events: 1, message: expect.stringMatching(/replay job/) }]);
    } finally {
      await stopTestStandIn(standIn);
      await receiver.close();
    }
  });

  it('says how many waiting events it did not send, and that a replay job sends them', async () => {
    const receiver = await startCaptureServer();
    const standIn = await startTestStandIn({ allowHttp: true, flushIntervalMs: 60_000 });
    try {
      await request(standIn.url).patch('/v2/audit-log-destinations').set('authorization', AUTH).send({ endpoint: receiver.url, authorization: 'Bearer x', log_format: 'json' });
      expect((await request(standIn.url).post('/stand-in/events').set('authorization', AUTH).send({ generate: 4 })).status).toBe(202);
      await standIn.close();
      expect(receiver.deliveries).toHaveLength(0);
      expect(undeliveredWarnings(standIn.logs())).toEqual([
        { level: 'warn', events: 4, message: 'shutting down with events not delivered; they are stored, and a replay job (PUT /v3/audit-log-replay-job) sends them' },
      ]);
    } finally {
      await stopTestStandIn(standIn);
      await receiver.close();
    }
  });
});
