import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CEF_AUTHZ_LIST } from '../helpers/konnect-examples';
import { CLI, spawnCli } from '../helpers/spawn-cli';

describe('service logs', () => {
  it('stay on stderr as JSON lines with a request id while stdout carries only events, and never contain a credential', async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'service-logs-'));
    const secret = 'Bearer s3cr3t-credential-value';
    const guesses = ['Bearer wrong-guess-value', 'Basic dXNlcjpwYXNzd29yZA=='];
    const authFile = path.join(directory, 'auth');
    fs.writeFileSync(authFile, `${secret}\n`);
    const cli = spawnCli('node', [CLI, 'serve', '--listen', '127.0.0.1:0', '--authorization-file', authFile, '--sink', 'stdout', '--dead-letter', path.join(directory, 'dl.ndjson'), '--log-level', 'debug']);
    try {
      const [, url] = await cli.waitForStderr(/receiving at (http:\/\/\S+)/);
      const send = (authorization: string, body: string) =>
        fetch(url!, { method: 'POST', headers: { authorization }, body }).then((response) => response.status);
      expect(await send(secret, `${CEF_AUTHZ_LIST}\nnot an event\n`)).toBe(200);
      for (const guess of guesses) expect(await send(guess, CEF_AUTHZ_LIST)).toBe(401);
      await cli.waitForStderr(/authorization failed[\s\S]*authorization failed/);

      const stdoutLines = cli.stdout().trimEnd().split('\n');
      expect(stdoutLines).toHaveLength(1);
      expect(JSON.parse(stdoutLines[0]!)).toMatchObject({ format: 'cef', raw: CEF_AUTHZ_LIST });

      const logLines = cli.stderr().split('\n').filter((line) => line.startsWith('{'));
      const logs = logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(logs.find((log) => log.message === 'receiver started')).toMatchObject({
        authorization_values: 1,
        authorization_generated: false,
        log_level: 'debug',
        keep_raw: true,
        max_events: 100000,
        metrics_url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/),
      });
      const failures = logs.filter((log) => log.message === 'authorization failed');
      expect(failures).toHaveLength(2);
      for (const failure of failures) {
        expect(failure).toMatchObject({ level: 'warn', client: '127.0.0.1', reason: 'mismatch' });
        expect(failure.request_id).toMatch(/^[0-9a-f-]{36}$/);
      }
      expect(logs.find((log) => log.message === 'events rejected to the dead letter')?.request_id).toMatch(/^[0-9a-f-]{36}$/);
      for (const credential of [secret, ...guesses]) {
        const token = credential.split(' ')[1]!;
        expect(cli.stderr()).not.toContain(token);
        expect(cli.stdout()).not.toContain(token);
      }
    } finally {
      await cli.stop('SIGKILL');
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });

  it('never show a JWKS URL\'s query values, which may hold a token: not in the banner, the summary or the retry warnings', async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'service-logs-'));
    const jwks = 'http://127.0.0.1:1/jwks.json?token=SUPERSECRET';
    const cli = spawnCli('node', [CLI, 'serve', '--listen', '127.0.0.1:0', '--authorization', 'Bearer x', '--jwks', jwks, '--sink', `file:${path.join(directory, 'ev.ndjson')}`, '--dead-letter', path.join(directory, 'dl.ndjson')]);
    try {
      await cli.waitForStderr(/JWKS could not be loaded/);
      await cli.waitForStderr(/receiving at/);
      expect(cli.stderr()).toContain('/jwks.json?***');
      expect(cli.stderr()).not.toContain('SUPERSECRET');
    } finally {
      await cli.stop('SIGKILL');
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });
});
