import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CLI, spawnCli } from '../helpers/spawn-cli';
import { startTestReceiver, TEST_AUTHORIZATION } from '../helpers/test-receiver';
import { REPO_ROOT } from '../helpers/spawn-cli';
import { selfSignedCertificate, startCaptureServer } from '../konnect/support/capture-server';
import { API_TOKEN, AUTH, startTestStandIn, stopTestStandIn, waitFor } from '../konnect/support/stand-in';

const run = promisify(execFile);

describe('audit-relay konnect and send, as processes', () => {
  let directory: string;
  beforeEach(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'konnect-cli-'));
  });
  afterEach(() => fs.rmSync(directory, { recursive: true, force: true }));

  it('documents every konnect option with its environment variable in --help', async () => {
    const { stdout } = await run('node', [CLI, 'konnect', '--help']);
    for (const [flag, env] of [
      ['--listen', 'AUDIT_RELAY_KONNECT_LISTEN'],
      ['--api-token', 'AUDIT_RELAY_KONNECT_API_TOKEN'],
      ['--signing-key', 'AUDIT_RELAY_KONNECT_SIGNING_KEY'],
      ['--data-dir', 'AUDIT_RELAY_KONNECT_DATA_DIR'],
      ['--events-per-second', 'AUDIT_RELAY_KONNECT_EVENTS_PER_SECOND'],
      ['--flush-interval', 'AUDIT_RELAY_KONNECT_FLUSH_INTERVAL'],
      ['--max-batch', 'AUDIT_RELAY_KONNECT_MAX_BATCH'],
      ['--allow-http', 'AUDIT_RELAY_KONNECT_ALLOW_HTTP'],
      ['--retry-wait-min', 'AUDIT_RELAY_KONNECT_RETRY_WAIT_MIN'],
      ['--retry-wait-max', 'AUDIT_RELAY_KONNECT_RETRY_WAIT_MAX'],
      ['--log-level', 'AUDIT_RELAY_KONNECT_LOG_LEVEL'],
    ]) {
      expect(stdout).toContain(flag);
      expect(stdout.replace(/\s+/g, ' ')).toContain(`env: ${env}`);
    }
  });

  it('a bad option value exits 2 with one line naming it', async () => {
    const failure = await run('node', [CLI, 'konnect', '--max-batch', 'lots', '--data-dir', directory]).catch((error: { code: number; stderr: string }) => error);
    expect(failure).toMatchObject({ code: 2, stderr: 'audit-relay: --max-batch: "lots" is not a whole number from 1 to 100000\n' });
  });

  it('takes its options from the environment, prints a generated token once and never logs it, and stops cleanly on SIGTERM', async () => {
    const cli = spawnCli('node', [CLI, 'konnect'], {
      AUDIT_RELAY_KONNECT_LISTEN: '127.0.0.1:0',
      AUDIT_RELAY_KONNECT_DATA_DIR: path.join(directory, 'data'),
      AUDIT_RELAY_KONNECT_EVENTS_PER_SECOND: '0',
    });
    try {
      const [, url] = await cli.waitForStderr(/Konnect stand-in API at (http:\/\/127\.0\.0\.1:\d+)/);
      const [, token] = await cli.waitForStderr(/API token: (kpat_\S+)/);
      await cli.waitForStderr(/konnect stand-in started/);
      const unauthorized = await fetch(`${url}/v3/audit-log-destinations`);
      expect(unauthorized.status).toBe(401);
      const authorized = await fetch(`${url}/v3/audit-log-destinations`, { headers: { authorization: `Bearer ${token}` } });
      expect(authorized.status).toBe(200);
      expect(cli.stderr().split(token!).length - 1).toBe(2); // the banner line and its curl example
      expect(cli.stderr().split('\n').filter((line) => line.startsWith('{')).join('\n')).not.toContain(token!);
      expect(fs.existsSync(path.join(directory, 'data', 'signing-key.pem'))).toBe(true);
    } finally {
      expect(await cli.stop('SIGTERM')).toBe(0);
    }
  });

  it('send prints a non-2xx answer and exits 1; a connection failure exits 1 with the reason', async () => {
    const receiver = await startCaptureServer([{ status: 401, body: '{"title":"Unauthorized"}' }]);
    try {
      const failure = await run('node', [CLI, 'send', '--endpoint', receiver.url, '--authorization', 'Bearer not-printed', '--format', 'cps', '--count', '2']).catch(
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
      expect(failure).toMatchObject({ code: 1 });
      const { stdout, stderr } = failure as { stdout: string; stderr: string };
      expect(stdout).toMatch(/^HTTP 401 Unauthorized\n/);
      expect(stdout).toContain('{"title":"Unauthorized"}');
      expect(stderr).toContain('throw-away key');
      expect(stdout + stderr).not.toContain('not-printed');
      expect(receiver.deliveries).toHaveLength(1);
      expect(receiver.deliveries[0]!.headers['authorization']).toBe('Bearer not-printed');
      expect(receiver.deliveries[0]!.lines).toHaveLength(2);
      for (const line of receiver.deliveries[0]!.lines) expect(line).toMatch(/^\{"event":\{.*"sig":"[A-Za-z0-9_-]{86}"\}\}$/);
    } finally {
      await receiver.close();
    }
    const refused = await run('node', [CLI, 'send', '--endpoint', 'http://127.0.0.1:9/x', '--authorization', 'Bearer y']).catch((error: { code: number; stderr: string }) => error);
    expect(refused).toMatchObject({ code: 1, stderr: expect.stringContaining('no response: connect ECONNREFUSED') });
  });

  it('send labels its body with each Content-Encoding spelling Konnect may use, and the receiver decodes every one; another is refused', async () => {
    const receiver = await startTestReceiver();
    try {
      for (const encoding of ['gzip', 'application/gzip', 'x-gzip']) {
        const { stdout } = await run('node', [CLI, 'send', '--endpoint', receiver.url, '--authorization', TEST_AUTHORIZATION, '--count', '3', '--content-encoding', encoding]);
        expect(stdout).toMatch(/^HTTP 200 OK\n/);
        expect(stdout).toContain('{"accepted":3,"rejected":0}');
      }
      expect(receiver.events()).toHaveLength(9);
      const refused = await run('node', [CLI, 'send', '--endpoint', receiver.url, '--authorization', 'Bearer y', '--content-encoding', 'br']).catch((error: { code: number; stderr: string }) => error);
      expect(refused).toMatchObject({ code: 2, stderr: 'audit-relay: --content-encoding: "br" is not one of gzip, application/gzip, x-gzip\n' });
    } finally {
      await receiver.close();
    }
  });

  it('send to a receiver with a self-signed certificate says how to get through', async () => {
    const receiver = await startCaptureServer([{ status: 202 }], selfSignedCertificate());
    try {
      const args = [CLI, 'send', '--endpoint', receiver.url, '--authorization', 'Bearer y'];
      const refused = await run('node', args).catch((error: { code: number; stderr: string }) => error);
      expect(refused).toMatchObject({ code: 1, stderr: expect.stringMatching(/no response: self-signed certificate.*add --skip-ssl-verification for a self-signed test receiver/) });
      expect(receiver.deliveries).toHaveLength(0);
      const { stdout } = await run('node', [...args, '--skip-ssl-verification']);
      expect(stdout).toMatch(/^HTTP 202 /);
    } finally {
      await receiver.close();
    }
  });

  it('scripts/configure-stand-in.sh waits for a stand-in started a moment later, then configures delivery to a self-signed HTTPS receiver with the docs\' curl calls', async () => {
    const receiver = await startCaptureServer([{ status: 202 }], selfSignedCertificate());
    const port = await freePort();
    // Started first, as the README's block does with the stand-in in the background.
    const script = run('sh', [path.join(REPO_ROOT, 'scripts', 'configure-stand-in.sh')], {
      env: {
        ...process.env,
        KONNECT_URL: `http://127.0.0.1:${port}`,
        KONNECT_API_TOKEN: API_TOKEN,
        SIEM_ENDPOINT: receiver.url,
        SIEM_AUTHORIZATION: 'Splunk script-secret',
        LOG_FORMAT: 'json',
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const standIn = await startTestStandIn({ listen: { host: '127.0.0.1', port } });
    try {
      const { stdout } = await script;
      expect(stdout).toMatch(/^HTTP\/1\.1 200 OK/);
      expect(stdout).toContain(`"endpoint":"${receiver.url}","log_format":"json","skip_ssl_verification":true`);
      expect(stdout).toMatch(/\{"audit_log_destination_id":"[0-9a-f-]{36}","enabled":true\}/);
      expect(stdout).not.toContain('script-secret');
      const injected = await fetch(`${standIn.url}/stand-in/events`, { method: 'POST', headers: { authorization: AUTH }, body: '{"generate":3}' });
      expect(injected.status).toBe(202);
      await waitFor(() => receiver.lines().length === 3, 10_000, 'three lines');
      expect(receiver.deliveries[0]!.headers['authorization']).toBe('Splunk script-secret');
      for (const line of receiver.lines()) expect(line).toMatch(/^\{.*"sig":"[A-Za-z0-9_-]{86}"\}$/);
    } finally {
      await stopTestStandIn(standIn);
      await receiver.close();
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}
