/**
 * The whole delivery path on one machine, as two processes: `audit-relay konnect` (the stand-in)
 * delivers signed, gzip'd batches to `audit-relay serve` on HTTPS with a self-signed certificate,
 * which verifies them against the stand-in's JWKS. The stand-in is configured with the seed's
 * own curl calls (konnect-audit-logs seed page), with only the host and TOKEN replaced.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CLI, spawnCli, type SpawnedCli } from '../helpers/spawn-cli';
import { readNdjson } from '../helpers/test-receiver';

const run = promisify(execFile);
const SIEM_AUTHORIZATION = 'Bearer e2e-siem-token';

/** The seed's PATCH, as its curl arguments; `data` is the JSON it sends. */
const seedPatch = (host: string, token: string, data: string) => [
  '-i', '-sS', '-X', 'PATCH', `${host}/v2/audit-log-destinations`,
  '--header', 'Content-Type: application/json',
  '--header', `Authorization: Bearer ${token}`,
  '--data', data,
];
/** The seed's GET. */
const seedGet = (host: string, token: string) => ['-sS', `${host}/v2/audit-log-destinations`, '--header', `Authorization: Bearer ${token}`];

describe('the Konnect stand-in delivering to the receiver, two processes, HTTPS with a self-signed certificate', () => {
  let directory: string;
  let konnect: SpawnedCli;
  let siem: SpawnedCli;
  let host: string;
  let token: string;
  let siemUrl: string;
  let eventsFile: string;
  let lostTraceIds: string[] = [];

  const api = async (method: string, route: string, body?: unknown) => {
    const response = await fetch(`${host}${route}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };
  const inject = async (count: number) => {
    const response = await api('POST', '/stand-in/events', { generate: count });
    expect(response.status).toBe(202);
    return response.body.trace_ids as string[];
  };
  const received = () => readNdjson(eventsFile);
  const waitForRecords = async (traceIds: string[], timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const records = received().filter((record) => traceIds.includes(String(record.event?.trace_id)));
      if (records.length >= traceIds.length) return records;
      if (Date.now() > deadline) throw new Error(`only ${records.length} of ${traceIds.length} events arrived; siem stderr:\n${siem.stderr()}\nkonnect stderr:\n${konnect.stderr()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const waitForStatus = async (check: (status: Record<string, any>) => boolean, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { body } = await api('GET', '/v2/audit-log-webhook/status');
      if (check(body)) return body;
      if (Date.now() > deadline) throw new Error(`status never matched; last: ${JSON.stringify(body)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  beforeAll(async () => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'konnect-e2e-'));
    eventsFile = path.join(directory, 'events.ndjson');
    konnect = spawnCli('node', [CLI, 'konnect', '--listen', '127.0.0.1:0', '--data-dir', path.join(directory, 'konnect'), '--events-per-second', '0', '--flush-interval', '200ms']);
    [, host] = (await konnect.waitForStderr(/Konnect stand-in API at (http:\/\/127\.0\.0\.1:\d+)/)) as [string, string];
    [, token] = (await konnect.waitForStderr(/API token: (\S+)/)) as [string, string];
    siem = spawnCli('node', [
      CLI, 'serve',
      '--listen', '127.0.0.1:0',
      '--tls-self-signed',
      '--jwks', `${host}/v2/audit-log-webhook/jwks.json`,
      '--signatures', 'report',
      '--authorization', SIEM_AUTHORIZATION,
      '--sink', `file:${eventsFile}`,
      '--dead-letter', path.join(directory, 'dead-letter.ndjson'),
    ]);
    [, siemUrl] = (await siem.waitForStderr(/receiving at (https:\/\/127\.0\.0\.1:\d+\/audit-logs)/)) as [string, string];
    await siem.waitForStderr(/SHA-256 fingerprint [0-9A-F:]{95}/);
  }, 120_000);

  afterAll(async () => {
    const codes = await Promise.all([siem?.stop('SIGTERM'), konnect?.stop('SIGTERM')]);
    fs.rmSync(directory, { recursive: true, force: true });
    expect(codes).toEqual([0, 0]);
  });

  it("the seed's PATCH, verbatim (skip_ssl_verification left out, so false), fails against the self-signed receiver, and /status shows why", async () => {
    const patch = await run('curl', seedPatch(host, token, `{"endpoint":"${siemUrl}","authorization":"${SIEM_AUTHORIZATION}","log_format":"cef"}`));
    expect(patch.stdout).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    const created = JSON.parse(patch.stdout.slice(patch.stdout.indexOf('\r\n\r\n') + 4));
    expect(created).toEqual({ id: expect.any(String), endpoint: siemUrl, log_format: 'cef', skip_ssl_verification: false, updated_at: expect.any(String) });
    const get = await run('curl', seedGet(host, token));
    expect(JSON.parse(get.stdout)).toEqual(created);
    expect(patch.stdout + get.stdout).not.toContain('e2e-siem-token');

    lostTraceIds = await inject(5);
    const status = await waitForStatus((body) => body.webhook_status === 'inactive');
    expect(status).toEqual({
      webhook_enabled: true,
      webhook_status: 'inactive',
      last_attempt_at: expect.any(String),
      last_response_code: 0,
      last_response_message: expect.stringContaining('self-signed certificate'),
    });
    expect(received()).toEqual([]);
  });

  it('with skip_ssl_verification: true every CEF event arrives, parsed, with "signature":"valid"', async () => {
    const patch = await run('curl', seedPatch(host, token, `{"endpoint":"${siemUrl}","authorization":"${SIEM_AUTHORIZATION}","log_format":"cef","skip_ssl_verification":true}`));
    expect(patch.stdout).toMatch(/^HTTP\/1\.1 200 OK/);
    const traceIds = await inject(25);
    const records = await waitForRecords(traceIds);
    expect(records).toHaveLength(25);
    for (const record of records) {
      expect(record.format).toBe('cef');
      expect(record.signature).toBe('valid');
      expect(record.event).toMatchObject({ event_vendor: 'KongInc', event_product: 'Konnect', org_id: expect.any(String) });
      expect(record.raw).toMatch(/ konghq\.com CEF:0\|KongInc\|Konnect\|1\.0\|.* sig=[A-Za-z0-9_-]{86}$/);
    }
    expect(await waitForStatus((body) => body.webhook_status === 'active')).toMatchObject({ last_response_code: 200 });
  });

  it('after switching the destination to json, every JSON event arrives, parsed, 19-digit trace_id intact, "signature":"valid"', async () => {
    const patch = await run('curl', seedPatch(host, token, `{"endpoint":"${siemUrl}","authorization":"${SIEM_AUTHORIZATION}","log_format":"json","skip_ssl_verification":true}`));
    expect(patch.stdout).toMatch(/"log_format":"json"/);
    const traceIds = await inject(25);
    const records = await waitForRecords(traceIds);
    expect(records).toHaveLength(25);
    for (const record of records) {
      expect(record.format).toBe('json');
      expect(record.signature).toBe('valid');
      expect(String(record.event.trace_id)).toMatch(/^\d{19}$/);
      expect(record.raw).toContain(`"trace_id":${record.event.trace_id},`);
    }
  });

  it('a replay job recovers the events lost while TLS verification failed, signed as they were, and writes none twice', async () => {
    const before = received().length;
    const job = await api('PUT', '/v3/audit-log-replay-job', { start_at: new Date(Date.now() - 3_600_000).toISOString(), end_at: new Date(Date.now() + 1000).toISOString() });
    expect(job.status).toBe(202);
    const deadline = Date.now() + 30_000;
    let status = '';
    while (Date.now() < deadline && status !== 'completed' && status !== 'failed') {
      status = (await api('GET', '/v3/audit-log-replay-job')).body.status;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe('completed');
    const replayed = received().slice(before);
    // Everything of the last hour is resent, now in json. The 25 delivered in json before carry
    // the same signatures and are acknowledged as duplicates; the 25 delivered in CEF were signed
    // as CEF lines, so their json form is new.
    expect(replayed).toHaveLength(5 + 25);
    const everything = received().map((record) => record.raw);
    expect(new Set(everything).size).toBe(everything.length);
    for (const record of replayed) expect(record.signature).toBe('valid');
    const replayedIds = replayed.map((record) => String(record.event.trace_id));
    expect(lostTraceIds).toHaveLength(5);
    for (const id of lostTraceIds) expect(replayedIds).toContain(id);
  });

  it('`audit-relay send` posts one signed batch to the receiver and prints its answer, never the authorization', async () => {
    const { stdout, stderr } = await run('node', [
      CLI, 'send',
      '--endpoint', siemUrl,
      '--authorization', SIEM_AUTHORIZATION,
      '--format', 'json',
      '--count', '3',
      '--skip-ssl-verification',
      '--signing-key', path.join(directory, 'konnect', 'signing-key.pem'),
    ]);
    expect(stdout).toMatch(/^HTTP 200 OK\n/);
    expect(stdout).toContain('{"accepted":3,"rejected":0}');
    expect(stderr).toMatch(/POST https:\/\/127\.0\.0\.1:\d+\/audit-logs: 3 json event\(s\), \d+ bytes gzip'd, certificate not verified/);
    expect(stdout + stderr).not.toContain('e2e-siem-token');
    const last = received().slice(-3);
    expect(last.map((record) => record.signature)).toEqual(['valid', 'valid', 'valid']);
  });

  it('the stand-in never logged an authorization value', () => {
    expect(konnect.stderr()).not.toContain('e2e-siem-token');
  });
});
