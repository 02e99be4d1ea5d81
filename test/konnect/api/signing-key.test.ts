import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import request from 'supertest';
import { PREVIOUS_KEYS_FILE } from '../../../src/konnect/signing-key';
import { startTestReceiver, TEST_AUTHORIZATION, type TestReceiver } from '../../helpers/test-receiver';
import { AUTH, startTestStandIn, stopTestStandIn, waitFor, type TestStandIn } from '../support/stand-in';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('POST /stand-in/signing-key/rotate: a key rotation, end to end with the receiver', () => {
  let standIn: TestStandIn | undefined;
  let receiver: TestReceiver | undefined;
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
    await stopTestStandIn(standIn);
    standIn = undefined;
  });

  const api = () => request(standIn!.url);
  const kidsOf = (body: { keys: Array<{ kid: string }> }) => body.keys.map((key) => key.kid);
  const deliverTo = (target: TestReceiver) =>
    api()
      .patch('/v2/audit-log-destinations')
      .set('authorization', AUTH)
      .send({ endpoint: `${target.origin}/audit-logs`, authorization: TEST_AUTHORIZATION, log_format: 'json' })
      .expect(200);

  it('rotates on a POST with no body at all, as the docs show it (curl -X POST)', async () => {
    standIn = await startTestStandIn({ allowHttp: true });
    const before = kidsOf((await api().get('/v2/audit-log-webhook/jwks.json')).body);
    const { hostname: host, port } = new URL(standIn.url);
    // No Content-Length and no Transfer-Encoding: a request without a body, which supertest cannot send.
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), host, () => {
        socket.write(`POST /stand-in/signing-key/rotate HTTP/1.1\r\nHost: ${host}\r\nAuthorization: ${AUTH}\r\nConnection: close\r\n\r\n`);
      });
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString('utf8')));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
    const after = kidsOf((await api().get('/v2/audit-log-webhook/jwks.json')).body);
    expect(after).toHaveLength(2);
    expect(after[1]).toBe(before[0]);
  });

  it('signs new events with a new key, keeps the old one published until it is retired, and the receiver follows', async () => {
    standIn = await startTestStandIn({ allowHttp: true });
    receiver = await startTestReceiver({ jwks: standIn.jwksUrl, jwksRefetchInterval: '100ms' });
    await deliverTo(receiver);
    const deliver = async (count: number) => {
      const before = receiver!.events().length;
      await api().post('/stand-in/events').set('authorization', AUTH).send({ generate: count }).expect(202);
      await waitFor(() => receiver!.events().length === before + count, 10_000, `${count} events at the receiver`);
    };
    const firstKid = kidsOf((await api().get('/v2/audit-log-webhook/jwks.json')).body);
    await deliver(2);

    const rotated = await api().post('/stand-in/signing-key/rotate').set('authorization', AUTH).expect(200);
    expect(kidsOf(rotated.body)).toHaveLength(2);
    expect(kidsOf(rotated.body)[1]).toBe(firstKid[0]); // the new key first, the previous one kept
    expect((await api().get('/v2/audit-log-webhook/jwks.json')).body).toEqual(rotated.body);
    expect(fs.existsSync(path.join(standIn.directory, PREVIOUS_KEYS_FILE))).toBe(true);
    await sleep(150); // the receiver may fetch the keys again by now
    await deliver(2);
    // The receiver picked up the new key at the first signature it could not verify.
    expect(receiver.events().map((event) => event.signature)).toEqual(['valid', 'valid', 'valid', 'valid']);

    const retired = await api().post('/stand-in/signing-key/rotate').set('authorization', AUTH).send({ retire_previous: true }).expect(200);
    expect(kidsOf(retired.body)).toHaveLength(1);
    expect(kidsOf(rotated.body)).not.toContain(kidsOf(retired.body)[0]);
    expect(fs.existsSync(path.join(standIn.directory, PREVIOUS_KEYS_FILE))).toBe(false); // nothing left from before
    // A receiver that loads the keys now (this one would still hold the retired ones until its
    // next refresh) gets a replay of the four events as they were signed: by keys no longer published.
    await receiver.close();
    receiver = await startTestReceiver({ jwks: standIn.jwksUrl, jwksRefetchInterval: '100ms' });
    await deliverTo(receiver);
    await sleep(150);
    const now = Date.now();
    await api()
      .put('/v3/audit-log-replay-job')
      .set('authorization', AUTH)
      .send({ start_at: new Date(now - 3_600_000).toISOString(), end_at: new Date(now).toISOString() })
      .expect(202);
    await waitFor(() => receiver!.events().length === 4, 10_000, 'the replayed events');
    expect(receiver.events().map((event) => event.signature)).toEqual(['invalid', 'invalid', 'invalid', 'invalid']);
  });

  it('keeps a rotation across a restart, and refuses a body it does not know', async () => {
    standIn = await startTestStandIn({ allowHttp: true });
    const rotated = await api().post('/stand-in/signing-key/rotate').set('authorization', AUTH).expect(200);
    const bad = await api().post('/stand-in/signing-key/rotate').set('authorization', AUTH).send({ retire: 'yes' });
    expect(bad.status).toBe(400);
    expect(bad.body.invalid_parameters).toEqual([{ field: 'retire', rule: 'unknown_property', reason: 'is not a known property' }]);
    const directory = standIn.directory;
    await standIn.close();
    standIn = await startTestStandIn({ allowHttp: true }, { directory });
    expect((await api().get('/v2/audit-log-webhook/jwks.json')).body).toEqual(rotated.body);
  });
});
