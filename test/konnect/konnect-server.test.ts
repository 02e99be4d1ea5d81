import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { ConfigError } from '../../src/config/config-error';
import { generateEd25519KeyPair, publicKeyToJwk, verifyLine, writePrivateKeyFile } from '../../src/signature';
import { startCaptureServer, type CaptureServer } from './support/capture-server';
import { AUTH, startTestStandIn, waitFor, type TestStandIn } from './support/stand-in';

describe('the stand-in across restarts (data dir)', () => {
  let directory: string;
  let standIn: TestStandIn | undefined;
  let receiver: CaptureServer | undefined;
  beforeEach(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'konnect-restart-'));
  });
  afterEach(async () => {
    await standIn?.close();
    await receiver?.close();
    standIn = undefined;
    receiver = undefined;
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it('keeps destinations, webhook settings, status, the signing key and the event store', async () => {
    receiver = await startCaptureServer([{ status: 401 }]);
    standIn = await startTestStandIn({ allowHttp: true }, { directory });
    expect(standIn.signingKeyGenerated).toBe(true);
    expect(fs.statSync(path.join(directory, 'signing-key.pem')).mode & 0o777).toBe(0o600);
    const jwks = (await request(standIn.url).get('/v2/audit-log-webhook/jwks.json')).body;
    const created = await request(standIn.url)
      .patch('/v2/audit-log-destinations')
      .set('authorization', AUTH)
      .send({ endpoint: receiver.url, authorization: 'Bearer persisted', log_format: 'json' });
    const portal = '3e551b39-227d-4297-b911-e68fd5d77c17';
    await request(standIn.url).patch(`/v3/portals/${portal}/audit-log-webhook`).set('authorization', AUTH).send({ audit_log_destination_id: created.body.id });
    // Org events only: with a portal webhook configured, unspecified traffic may include Dev Portal events.
    const injected = await request(standIn.url).post('/stand-in/events').set('authorization', AUTH).send({ generate: 3, type: 'authorization' });
    await waitFor(async () => (await request(standIn!.url).get('/v3/audit-log-webhook/status').set('authorization', AUTH)).body.webhook_status === 'inactive');
    await standIn.close();

    receiver.setAnswers([{ status: 200 }]);
    standIn = await startTestStandIn({ allowHttp: true }, { directory });
    expect(standIn.signingKeyGenerated).toBe(false);
    const api = () => request(standIn!.url);
    expect((await api().get('/v2/audit-log-webhook/jwks.json')).body).toEqual(jwks);
    expect((await api().get('/v2/audit-log-destinations').set('authorization', AUTH)).body).toEqual(created.body);
    expect((await api().get('/v3/audit-log-webhook').set('authorization', AUTH)).body).toEqual({ audit_log_destination_id: created.body.id, enabled: true });
    expect((await api().get(`/v3/portals/${portal}/audit-log-webhook`).set('authorization', AUTH)).body).toEqual({ audit_log_destination_id: created.body.id, enabled: false });
    expect((await api().get('/v3/audit-log-webhook/status').set('authorization', AUTH)).body).toMatchObject({ webhook_status: 'inactive', last_response_code: 401 });

    // The authorization survived too: the replay of the stored events goes out with it.
    const before = receiver.deliveries.length;
    await api().put('/v3/audit-log-replay-job').set('authorization', AUTH).send({ start_at: new Date(Date.now() - 60_000).toISOString(), end_at: new Date(Date.now() + 1000).toISOString() });
    await waitFor(async () => (await api().get('/v3/audit-log-replay-job').set('authorization', AUTH)).body.status === 'completed', 10_000, 'replay');
    const replayed = receiver.deliveries.slice(before);
    expect(replayed).toHaveLength(1);
    expect(replayed[0]!.headers['authorization']).toBe('Bearer persisted');
    expect(replayed[0]!.lines).toEqual(receiver.deliveries[0]!.lines);
    for (const id of injected.body.trace_ids) expect(replayed[0]!.text).toContain(`"trace_id":${id},`);
  });

  it('sends nothing to an http:// endpoint saved by a run with --allow-http once restarted without it, and says why in the status', async () => {
    receiver = await startCaptureServer();
    standIn = await startTestStandIn({ allowHttp: true }, { directory });
    await request(standIn.url).patch('/v2/audit-log-destinations').set('authorization', AUTH).send({ endpoint: receiver.url, authorization: 'Bearer x', log_format: 'json' });
    await request(standIn.url).post('/stand-in/events').set('authorization', AUTH).send({ generate: 1, type: 'authorization' });
    await waitFor(() => receiver!.deliveries.length === 1);
    await standIn.close();

    standIn = await startTestStandIn({ allowHttp: false }, { directory });
    await request(standIn.url).post('/stand-in/events').set('authorization', AUTH).send({ generate: 2, type: 'authorization' });
    const status = await waitFor(async () => {
      const body = (await request(standIn!.url).get('/v3/audit-log-webhook/status').set('authorization', AUTH)).body;
      return body.webhook_status === 'inactive' ? body : undefined; // active after the first run's delivery
    });
    expect(status.last_response_message).toContain('not started to allow (--allow-http); nothing was sent');
    expect(status.last_response_code).toBe(0);
    expect(receiver.deliveries).toHaveLength(1);
    expect(standIn.logs()).toContain('batch failed; the webhook is inactive');
  });

  it('marks a replay job that a restart interrupted as failed', async () => {
    standIn = await startTestStandIn({ allowHttp: true, replayStepMs: 60_000 }, { directory });
    await request(standIn.url).put('/v3/audit-log-replay-job').set('authorization', AUTH).send({ start_at: new Date(Date.now() - 60_000).toISOString(), end_at: new Date().toISOString() });
    expect((await request(standIn.url).get('/v3/audit-log-replay-job').set('authorization', AUTH)).body.status).toBe('accepted');
    await standIn.close();
    standIn = await startTestStandIn({ allowHttp: true }, { directory });
    expect((await request(standIn.url).get('/v3/audit-log-replay-job').set('authorization', AUTH)).body.status).toBe('failed');
    expect(standIn.logs()).toContain('interrupted by a restart');
  });

  it('signs with --signing-key when given, and publishes that key', async () => {
    receiver = await startCaptureServer();
    const { privateKey } = generateEd25519KeyPair();
    const keyFile = path.join(directory, 'my-key.pem');
    await writePrivateKeyFile(keyFile, privateKey);
    standIn = await startTestStandIn({ allowHttp: true, signingKeyPath: keyFile }, { directory: path.join(directory, 'data') });
    expect(standIn.signingKeyPath).toBe(keyFile);
    expect(fs.existsSync(path.join(directory, 'data', 'signing-key.pem'))).toBe(false);
    expect((await request(standIn.url).get('/v2/audit-log-webhook/jwks.json')).body).toEqual({ keys: [publicKeyToJwk(privateKey)] });
    await request(standIn.url).patch('/v2/audit-log-destinations').set('authorization', AUTH).send({ endpoint: receiver.url, authorization: 'Bearer x', log_format: 'cef' });
    await request(standIn.url).post('/stand-in/events').set('authorization', AUTH).send({ generate: 2 });
    await waitFor(() => receiver!.lines().length === 2);
    for (const line of receiver.lines()) expect(verifyLine(line, 'cef', [privateKey])).toBe('valid');
  });

  it('refuses an unreadable --signing-key, a port in use and an unusable data dir with ConfigErrors naming the option', async () => {
    await expect(startTestStandIn({ signingKeyPath: path.join(directory, 'missing.pem') }, { directory })).rejects.toMatchObject({ option: '--signing-key' });
    standIn = await startTestStandIn({}, { directory });
    const port = standIn.port;
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'konnect-other-'));
    try {
      const inUse = await startTestStandIn({ listen: { host: '127.0.0.1', port } }, { directory: other }).catch((error: unknown) => error);
      expect(inUse).toBeInstanceOf(ConfigError);
      expect((inUse as ConfigError).message).toBe(`--listen: 127.0.0.1:${port} is already in use`);
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
    const file = path.join(directory, 'a-file');
    fs.writeFileSync(file, '');
    await expect(startTestStandIn({}, { directory: file })).rejects.toMatchObject({ option: '--data-dir' });
  });
});
