import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import request from 'supertest';
import { generateEd25519KeyPair, publishJwks, signJsonLine } from '../../src/signature';
import { CEF_ACCESS, CEF_AUTHZ_LIST, JSON_ACCESS, JSON_PORTAL_AUTH } from '../helpers/konnect-examples';
import { startTestReceiver, TEST_AUTHORIZATION, type TestReceiver } from '../helpers/test-receiver';

const send = (receiver: TestReceiver, lines: readonly string[]) =>
  request(receiver.origin)
    .post('/audit-logs')
    .set('Authorization', TEST_AUTHORIZATION)
    .set('Content-Type', 'text/plain')
    .set('Content-Encoding', 'gzip')
    .send(zlib.gzipSync(lines.join('\n')));

describe('deduplication (--dedup-window)', () => {
  let receiver: TestReceiver | undefined;
  /** Directories a test made besides the receiver's own. */
  const scratch: string[] = [];
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
    for (const directory of scratch.splice(0)) fs.rmSync(directory, { recursive: true, force: true });
  });

  it('acknowledges a batch sent again (a retry after an answer that was lost) without writing it twice, and says so', async () => {
    receiver = await startTestReceiver({ dedupWindow: '1000' });
    expect((await send(receiver, [CEF_AUTHZ_LIST, JSON_ACCESS])).body).toEqual({ accepted: 2, rejected: 0 });
    const again = await send(receiver, [CEF_AUTHZ_LIST, JSON_ACCESS]);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ accepted: 0, rejected: 0, duplicates: 2 });
    expect(receiver.events().map((record) => record.raw)).toEqual([CEF_AUTHZ_LIST, JSON_ACCESS]);
    const metrics = (await request(receiver.origin).get('/metrics')).text;
    expect(metrics).toContain('audit_relay_events_total{outcome="duplicate",format="cef",reason=""} 1');
    expect(metrics).toContain('audit_relay_events_total{outcome="duplicate",format="json",reason=""} 1');
    expect(metrics).toContain('audit_relay_events_total{outcome="accepted",format="cef",reason=""} 1');
  });

  it('writes only the new events of a replay that overlaps what was delivered, and every copy of a line repeated within one request', async () => {
    receiver = await startTestReceiver({ dedupWindow: '1000' });
    await send(receiver, [CEF_AUTHZ_LIST, CEF_ACCESS]);
    expect((await send(receiver, [CEF_ACCESS, JSON_PORTAL_AUTH, JSON_PORTAL_AUTH])).body).toEqual({ accepted: 2, rejected: 0, duplicates: 1 });
    expect(receiver.events().map((record) => record.raw)).toEqual([CEF_AUTHZ_LIST, CEF_ACCESS, JSON_PORTAL_AUTH, JSON_PORTAL_AUTH]);
  });

  it('writes one copy when two requests carry the same events at once, and answers both 200', async () => {
    receiver = await startTestReceiver({ dedupWindow: '1000' });
    const lines = Array.from({ length: 50 }, (_, index) => JSON_ACCESS.replace('"act":', `"line":${index},"act":`));
    const answers = await Promise.all([send(receiver, lines), send(receiver, lines)]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    expect(answers.map((answer) => answer.body.accepted).sort()).toEqual([0, 50]);
    expect(receiver.events()).toHaveLength(50);
  });

  it('knows an event by its exact line, whether or not its signature verified: a copy changed in any byte is a new event', async () => {
    const konnect = generateEd25519KeyPair();
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'dedup-jwks-'));
    scratch.push(directory);
    const jwks = path.join(directory, 'jwks.json');
    fs.writeFileSync(jwks, JSON.stringify(publishJwks([generateEd25519KeyPair().publicKey]))); // not yet Konnect's key
    receiver = await startTestReceiver({ dedupWindow: '1000', jwks, jwksRefetchInterval: '100ms' });
    const signed = signJsonLine(JSON_ACCESS.replace(/,"sig":"[^"]*"/, ''), konnect.privateKey);
    expect((await send(receiver, [signed])).body).toEqual({ accepted: 1, rejected: 0 });

    // The JWKS now holds the key: the same line verifies this time, and is still the same event.
    fs.writeFileSync(jwks, JSON.stringify(publishJwks([konnect.publicKey])));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect((await send(receiver, [signed])).body).toEqual({ accepted: 0, rejected: 0, duplicates: 1 });

    // A changed copy that kept the signature is another event, and fails it.
    const changed = signed.replace('"status":', '"status":5');
    expect((await send(receiver, [changed])).body).toEqual({ accepted: 1, rejected: 0 });
    expect(receiver.events().map((record) => [record.raw === signed, record.signature])).toEqual([
      [true, 'invalid'],
      [false, 'invalid'],
    ]);
  });

  it('writes every copy with --dedup-window 0', async () => {
    receiver = await startTestReceiver({ dedupWindow: '0' });
    await send(receiver, [CEF_AUTHZ_LIST]);
    expect((await send(receiver, [CEF_AUTHZ_LIST])).body).toEqual({ accepted: 1, rejected: 0 });
    expect(receiver.events()).toHaveLength(2);
  });
});
