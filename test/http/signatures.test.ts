import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import request from 'supertest';
import { generateEd25519KeyPair, publishJwks, signCefLine, signJsonLine } from '../../src/signature';
import { startTestReceiver, TEST_AUTHORIZATION, type TestReceiver } from '../helpers/test-receiver';

const CEF_UNSIGNED =
  '2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.control-planes|1|rt=1750280466889 src=127.0.0.6 action=list granted=true org_id=777db3e4-5cb7-4dd5-b51c-9878096a6999 principal_id=eb999f01-5976-4f4b-9fbc-dd5d514bd675 trace_id=3959872677347089807 user_agent=grpc-node-js/1.12.4';
const JSON_UNSIGNED =
  '{"action":"read","cef_version":"0","event_class_id":"identity","event_product":"Konnect","event_ts":"2023-04-28T20:52:09Z","event_vendor":"KongInc","event_version":"1.0","granted":true,"name":"Authz.identity-provider","org_id":"b065b594-6afc-4658-9101-5d9cf3f36b7b","principal_id":"87655c36-8d63-48fe-9a1e-53b28dfbc19b","rt":1682715129807,"severity":1,"src":"127.0.0.6","trace_id":3895213347334635099,"user_agent":"grpc-go/1.54.0"}';

/** A JWKS endpoint on loopback whose answer the test controls; `undefined` makes it hang. */
async function startJwksServer(): Promise<{ url: string; respond: (status: number, body?: string) => void; close: () => Promise<void> }> {
  let answer: { status: number; body?: string } = { status: 200, body: '{"keys":[]}' };
  const server = http.createServer((_request, response) => {
    if (answer.body === undefined) return; // hangs: the client's own timeout ends it
    response.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2/audit-log-webhook/jwks.json`,
    respond: (status, body) => (answer = { status, body }),
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('signature verification in the receiver', () => {
  const konnect = generateEd25519KeyPair();
  const stranger = generateEd25519KeyPair();
  const validCef = signCefLine(CEF_UNSIGNED, konnect.privateKey);
  const validJson = signJsonLine(JSON_UNSIGNED, konnect.privateKey);
  const forgedCef = signCefLine(CEF_UNSIGNED, stranger.privateKey);
  // One byte of the message changed after signing.
  const tamperedJson = validJson.replace('"action":"read"', '"action":"edit"');
  const batch = [validCef, forgedCef, CEF_UNSIGNED, validJson, tamperedJson, JSON_UNSIGNED];

  let jwks: Awaited<ReturnType<typeof startJwksServer>>;
  let receiver: TestReceiver | undefined;
  beforeEach(async () => {
    jwks = await startJwksServer();
    jwks.respond(200, JSON.stringify(publishJwks([konnect.publicKey])));
  });
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
    await jwks.close();
  });

  const deliver = (target: TestReceiver) =>
    request(target.origin)
      .post('/audit-logs')
      .set('Authorization', TEST_AUTHORIZATION)
      .set('Content-Type', 'text/plain')
      .set('Content-Encoding', 'gzip')
      .send(zlib.gzipSync(`${batch.join('\n')}\n`));

  it('marks each event of a gzip\'d Konnect batch valid, invalid or missing (report is the default with --jwks)', async () => {
    receiver = await startTestReceiver({ jwks: jwks.url });
    const response = await deliver(receiver);
    expect(response.body).toEqual({ accepted: 6, rejected: 0 });
    const events = receiver.events();
    expect(events.map((event) => [event.format, event.signature])).toEqual([
      ['cef', 'valid'],
      ['cef', 'invalid'],
      ['cef', 'missing'],
      ['json', 'valid'],
      ['json', 'invalid'],
      ['json', 'missing'],
    ]);
    // The 19-digit trace_id verified on bytes and kept every digit.
    expect(events[3]!.raw).toBe(validJson);
    expect(events[3]!.event.trace_id).toBe('3895213347334635099');
  });

  it('under require, dead-letters invalid and missing events with the reason once fresh keys confirm it, and answers 200', async () => {
    receiver = await startTestReceiver({ jwks: jwks.url, signatures: 'require', jwksRefetchInterval: '100ms' });
    await new Promise((resolve) => setTimeout(resolve, 150)); // the keys may be fetched again: a refetch settles the verdict
    const response = await deliver(receiver);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ accepted: 2, rejected: 4 });
    expect(receiver.events().map((event) => event.raw)).toEqual([validCef, validJson]);
    expect(receiver.deadLetters().map((record) => [record.raw, record.reason.split(':')[0]])).toEqual([
      [forgedCef, 'signature invalid'],
      [CEF_UNSIGNED, 'signature missing'],
      [tamperedJson, 'signature invalid'],
      [JSON_UNSIGNED, 'signature missing'],
    ]);
  });

  it('under require, refuses a batch with 503 while the keys are too recent to rule out a rotation, and takes it once a refetch finds the new key', async () => {
    receiver = await startTestReceiver({ jwks: jwks.url, signatures: 'require', jwksRefetchInterval: '3s' });
    const rotated = generateEd25519KeyPair();
    jwks.respond(200, JSON.stringify(publishJwks([konnect.publicKey, rotated.publicKey]))); // Konnect rotates
    const signedWithNewKey = zlib.gzipSync(`${signCefLine(CEF_UNSIGNED, rotated.privateKey)}\n${validJson}\n`);
    const send = () =>
      request(receiver!.origin).post('/audit-logs').set('Authorization', TEST_AUTHORIZATION).set('Content-Encoding', 'gzip').send(signedWithNewKey);

    const refused = await send();
    expect(refused.status).toBe(503);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(3);
    expect(refused.body.detail).toMatch(/^1 event has a signature no loaded key verifies; the keys are fetched again within \d s/);
    expect(receiver.events()).toEqual([]);
    expect(receiver.deadLetters()).toEqual([]);

    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 100));
    const delivered = await send();
    expect(delivered.body).toEqual({ accepted: 2, rejected: 0 });
    expect(receiver.events().map((event) => event.signature)).toEqual(['valid', 'valid']);
  });

  it('under require, dead-letters at once a sig that is no Ed25519 signature at all (wrong length, not base64url), since no refetched key could verify it', async () => {
    receiver = await startTestReceiver({ jwks: jwks.url, signatures: 'require', jwksRefetchInterval: '1h' }); // the keys stay too recent to rule out a rotation
    const malformed = [`${CEF_UNSIGNED} sig=AAAA`, JSON_UNSIGNED.replace(/}$/, ',"sig":"@@@@"}'), JSON_UNSIGNED.replace(/}$/, ',"sig":12345}')];
    const postLines = (lines: string[]) =>
      request(receiver!.origin).post('/audit-logs').set('Authorization', TEST_AUTHORIZATION).set('Content-Encoding', 'gzip').send(zlib.gzipSync(`${lines.join('\n')}\n`));
    const response = await postLines([validCef, ...malformed]);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ accepted: 1, rejected: 3 });
    expect(receiver.deadLetters().map((record) => [record.raw, record.reason.split(':')[0]])).toEqual(malformed.map((line) => [line, 'signature invalid']));
    // One well-formed sig that fails among them still waits for the keys to be confirmed.
    const withForged = await postLines([forgedCef, ...malformed]);
    expect(withForged.status).toBe(503);
    expect(withForged.body.detail).toMatch(/^1 event has a signature no loaded key verifies/);
  });

  it('under require, does not hold a request while a JWKS refetch hangs: 503 after 2 s, not after the fetch timeout', async () => {
    receiver = await startTestReceiver({ jwks: jwks.url, signatures: 'require', jwksRefetchInterval: '100ms' });
    await new Promise((resolve) => setTimeout(resolve, 150));
    jwks.respond(200); // hangs from now on
    const startedAt = Date.now();
    const refused = await deliver(receiver);
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('2');
    expect(Date.now() - startedAt).toBeLessThan(6000); // the fetch itself times out after 10 s
    expect(receiver.events()).toEqual([]);
  });

  it('under require, refuses batches with 503 until a key is loaded, writing nothing, then takes them', async () => {
    jwks.respond(500, 'upstream down');
    receiver = await startTestReceiver({ jwks: jwks.url, signatures: 'require', jwksRefetchInterval: '200ms' });
    const refused = await deliver(receiver);
    expect(refused.status).toBe(503);
    expect(Number(refused.headers['retry-after'])).toBe(1);
    expect(refused.body.detail).toBe(
      'no public key is loaded from the JWKS yet, so no signature can be checked (--signatures require); nothing was accepted, retry later',
    );
    expect(receiver.events()).toEqual([]);
    expect(receiver.deadLetters()).toEqual([]);

    jwks.respond(200, JSON.stringify(publishJwks([konnect.publicKey])));
    await new Promise((resolve) => setTimeout(resolve, 500)); // the next retry loads the key
    expect((await deliver(receiver)).body).toMatchObject({ accepted: 2, rejected: 4 });
  });

  it('writes "unchecked" when signatures are off', async () => {
    receiver = await startTestReceiver({ jwks: jwks.url, signatures: 'off' });
    await deliver(receiver);
    expect(new Set(receiver.events().map((event) => event.signature))).toEqual(new Set(['unchecked']));
  });

  it('under require, is not ready until keys are loaded', async () => {
    jwks.respond(500, 'upstream down');
    receiver = await startTestReceiver({ jwks: jwks.url, signatures: 'require' });
    const notReady = await request(receiver.origin).get('/readyz');
    expect(notReady.status).toBe(503);
    expect(notReady.body.checks.jwks).toMatch(/^no public keys loaded yet/);
  });

  it('is ready under report even while the JWKS cannot be fetched', async () => {
    jwks.respond(500, 'upstream down');
    receiver = await startTestReceiver({ jwks: jwks.url, signatures: 'report' });
    expect((await request(receiver.origin).get('/readyz')).status).toBe(200);
  });

  it('refuses to start with a JWKS file that holds a non-Ed25519 key, naming the problem', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'jwks-'));
    try {
      const file = path.join(directory, 'jwks.json');
      fs.writeFileSync(file, JSON.stringify({ keys: [{ kty: 'RSA', n: 'abc', e: 'AQAB' }] }));
      await expect(startTestReceiver({ jwks: file })).rejects.toThrow(/^--jwks: .*RSA/);
    } finally {
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });
});
