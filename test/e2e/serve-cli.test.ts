import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { CEF_AUTHZ_LIST, CEF_PORTAL_AUTH, JSON_ACCESS } from '../helpers/konnect-examples';
import { CLI, spawnCli } from '../helpers/spawn-cli';
import { readNdjson } from '../helpers/test-receiver';

const run = promisify(execFile);

async function waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function processIsRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('audit-relay serve, as a process', () => {
  let directory: string;
  beforeEach(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'serve-cli-'));
  });
  afterEach(() => fs.rmSync(directory, { recursive: true, force: true }));

  it('starts with `npm start`, prints a generated credential and a working curl example, and takes a gzip\'d Konnect batch from curl', async () => {
    const eventsFile = path.join(directory, 'events.ndjson');
    const cli = spawnCli('npm', ['start', '--', '--listen', '127.0.0.1:0', '--sink', 'stdout', '--sink', `file:${eventsFile}`, '--dead-letter', path.join(directory, 'dl.ndjson')]);
    try {
      const [, url] = await cli.waitForStderr(/receiving at (http:\/\/127\.0\.0\.1:\d+\/audit-logs)/);
      const [, credential] = await cli.waitForStderr(/Authorization: (Bearer [A-Za-z0-9_-]+)/);
      const [, curlExample] = await cli.waitForStderr(/^ {2}(curl .*)$/m);
      const [, receiverPid] = await cli.waitForStderr(/"message":"receiver started".*"pid":(\d+)/);

      // The banner's own example works as printed.
      const example = await run('sh', ['-c', curlExample!]);
      expect(JSON.parse(example.stdout)).toEqual({ accepted: 1, rejected: 0 });

      // A Konnect-shaped delivery: gzip'd NDJSON, text/plain, Content-Encoding: gzip.
      const batchFile = path.join(directory, 'batch.gz');
      fs.writeFileSync(batchFile, zlib.gzipSync(`${[CEF_AUTHZ_LIST, CEF_PORTAL_AUTH, JSON_ACCESS].join('\n')}\n`));
      const delivery = await run('curl', [
        '-sS', '--fail-with-body', url!,
        '-H', `Authorization: ${credential}`,
        '-H', 'Content-Type: text/plain',
        '-H', 'Content-Encoding: gzip',
        '--data-binary', `@${batchFile}`,
      ]);
      expect(JSON.parse(delivery.stdout)).toEqual({ accepted: 3, rejected: 0 });

      const written = readNdjson(eventsFile);
      expect(written.map((record) => record.raw).slice(1)).toEqual([CEF_AUTHZ_LIST, CEF_PORTAL_AUTH, JSON_ACCESS]);
      // stdout is a sink: it carries exactly the same records and, but for npm's own
      // "> audit-relay@… start" banner, nothing else (service logs go to stderr).
      await cli.waitForStdout(/(?:\{.*\n){4}/);
      const stdoutLines = cli.stdout().split('\n').filter((line) => line !== '' && !line.startsWith('> '));
      expect(stdoutLines.join('\n') + '\n').toBe(fs.readFileSync(eventsFile, 'utf8'));
      // The generated credential is printed once, and never in a log line.
      expect(cli.stderr().split(credential!).length - 1).toBe(2);
      expect(cli.stderr().split('\n').filter((line) => line.startsWith('{')).join('\n')).not.toContain(credential!.split(' ')[1]);
      // SIGTERM to npm, as a supervisor or `kill %1` sends it, must reach the receiver (npm's
      // shell execs it): a clean stop, exit 0 passed on, and no receiver left holding the port.
      process.kill(cli.child.pid!, 'SIGTERM');
      expect(await cli.exited).toBe(0);
      expect(processIsRunning(Number(receiverPid))).toBe(false);
      await expect(fetch(url!.replace('/audit-logs', '/healthz'))).rejects.toThrow();
    } finally {
      await cli.stop('SIGKILL');
    }
  });

  it('warns at start when the stdout sink leads to /dev/null (stdout closed), and not when stdout has a reader', async () => {
    const serveArgs = (name: string) => [CLI, 'serve', '--listen', '127.0.0.1:0', '--authorization', 'Bearer x', '--sink', 'stdout', '--dead-letter', path.join(directory, `${name}.ndjson`)];
    const warning = /"message":"stdout is \/dev\/null \(closed, or sent there\): events written to the stdout sink are thrown away/;
    const discarded = spawn('node', serveArgs('a'), { stdio: ['ignore', 'ignore', 'pipe'] });
    const piped = spawnCli('node', serveArgs('b'));
    try {
      let stderr = '';
      discarded.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no warning; stderr:\n${stderr}`)), 20_000);
        discarded.stderr!.on('data', () => warning.test(stderr) && (clearTimeout(timer), resolve()));
      });
      await piped.waitForStderr(/"message":"receiver started"/);
      expect(piped.stderr()).not.toMatch(/stdout is \/dev\/null/);
    } finally {
      discarded.kill('SIGKILL');
      await piped.stop('SIGKILL');
    }
  });

  it('reads --authorization-file again on SIGHUP: a rotated credential without a restart; a file that cannot serve keeps the old values', async () => {
    const authFile = path.join(directory, 'auth');
    const [oldValue, newValue] = ['Bearer old-rotated-secret', 'Splunk new-rotated-secret'];
    fs.writeFileSync(authFile, `${oldValue}\n`);
    const cli = spawnCli('node', [CLI, 'serve', '--listen', '127.0.0.1:0', '--authorization-file', authFile, '--sink', `file:${path.join(directory, 'events.ndjson')}`, '--dead-letter', path.join(directory, 'dl.ndjson')]);
    try {
      const [, url] = await cli.waitForStderr(/receiving at (http:\/\/\S+)/);
      const send = async (authorization: string) => {
        const response = await fetch(url!, { method: 'POST', headers: { authorization }, body: CEF_AUTHZ_LIST });
        return { status: response.status, challenge: response.headers.get('www-authenticate') };
      };
      const reloads = () => cli.stderr().split('\n').filter((line) => line.includes('"signal":"SIGHUP"') && line.includes('authorization'));
      const hangUp = async (count: number) => {
        cli.child.kill('SIGHUP');
        await waitUntil(() => reloads().length === count);
      };
      expect(await send(oldValue)).toMatchObject({ status: 200 });
      expect(await send(newValue)).toMatchObject({ status: 401, challenge: 'Bearer realm="audit-relay"' });

      // Rotation: both values for the switch-over, then the new one alone.
      fs.writeFileSync(authFile, `${oldValue}\n${newValue}\n`);
      await hangUp(1);
      expect(await send(oldValue)).toMatchObject({ status: 200 });
      expect(await send(newValue)).toMatchObject({ status: 200 });
      fs.writeFileSync(authFile, `${newValue}\n`);
      await hangUp(2);
      expect(await send(oldValue)).toMatchObject({ status: 401, challenge: 'Splunk realm="audit-relay"' });
      expect(await send(newValue)).toMatchObject({ status: 200 });

      // Emptied or unreadable: never nobody and never anybody; the values read before stay.
      fs.writeFileSync(authFile, '\n');
      await hangUp(3);
      fs.rmSync(authFile);
      await hangUp(4);
      expect(await send(newValue)).toMatchObject({ status: 200 });
      expect(await send('')).toMatchObject({ status: 401 });
      const logged = reloads().map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(logged.map(({ level, message, authorization_values: count }) => ({ level, message, count }))).toEqual([
        { level: 'info', message: 'authorization values reloaded', count: 2 },
        { level: 'info', message: 'authorization values reloaded', count: 1 },
        { level: 'error', message: 'authorization file not reloaded; the values read before are still accepted', count: undefined },
        { level: 'error', message: 'authorization file not reloaded; the values read before are still accepted', count: undefined },
      ]);
      expect(logged[2]!.error).toBe(`--authorization-file: ${authFile} holds no values (one per line)`);
      expect(logged[3]!.error).toBe(`--authorization-file: cannot read ${authFile}: ENOENT`);
      expect(cli.stderr()).not.toContain('rotated-secret');
    } finally {
      await cli.stop();
    }
  });

  it('prints the package version with --version', async () => {
    const { stdout } = await run('node', [CLI, '--version']);
    expect(stdout.trim()).toBe(JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')).version);
  });

  it('documents every option with its environment variable in --help', async () => {
    const help = (await run('node', [CLI, 'serve', '--help'])).stdout.replace(/\s+/g, ' ');
    for (const [flag, env] of [
      ['--listen', 'AUDIT_RELAY_LISTEN'],
      ['--path', 'AUDIT_RELAY_PATH'],
      ['--authorization ', 'AUDIT_RELAY_AUTHORIZATION'],
      ['--authorization-file', 'AUDIT_RELAY_AUTHORIZATION_FILE'],
      ['--sink', 'AUDIT_RELAY_SINKS'],
      ['--dead-letter', 'AUDIT_RELAY_DEAD_LETTER'],
      ['--max-body', 'AUDIT_RELAY_MAX_BODY'],
      ['--tls-cert', 'AUDIT_RELAY_TLS_CERT'],
      ['--tls-key', 'AUDIT_RELAY_TLS_KEY'],
      ['--log-level', 'AUDIT_RELAY_LOG_LEVEL'],
    ]) {
      expect(help).toContain(flag);
      expect(help).toContain(`env: ${env}`);
    }
  });

  it('takes options from the environment, serves HTTPS with --tls-cert/--tls-key, and never logs the credential', async () => {
    const certFile = path.join(directory, 'cert.pem');
    const keyFile = path.join(directory, 'key.pem');
    await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=127.0.0.1']);
    const authFile = path.join(directory, 'auth');
    fs.writeFileSync(authFile, 'Splunk secret-from-file\n');
    const eventsFile = path.join(directory, 'events.ndjson');
    const cli = spawnCli('node', [CLI, 'serve', '--log-level', 'debug'], {
      AUDIT_RELAY_LISTEN: '127.0.0.1:0',
      AUDIT_RELAY_AUTHORIZATION_FILE: authFile,
      AUDIT_RELAY_SINKS: `file:${eventsFile}`,
      AUDIT_RELAY_DEAD_LETTER: path.join(directory, 'dl.ndjson'),
      AUDIT_RELAY_TLS_CERT: certFile,
      AUDIT_RELAY_TLS_KEY: keyFile,
    });
    try {
      const [, url] = await cli.waitForStderr(/receiving at (https:\/\/127\.0\.0\.1:\d+\/audit-logs)/);
      const ok = await run('curl', ['-sS', '--cacert', certFile, url!, '-H', 'Authorization: Splunk secret-from-file', '--data-binary', CEF_AUTHZ_LIST]);
      expect(JSON.parse(ok.stdout)).toEqual({ accepted: 1, rejected: 0 });
      const denied = await run('curl', ['-sS', '--cacert', certFile, url!, '-H', 'Authorization: Splunk wrong-guess', '--data-binary', CEF_AUTHZ_LIST]);
      expect(JSON.parse(denied.stdout).status).toBe(401);
      await cli.waitForStderr(/authorization failed/);
      expect(cli.stderr()).not.toContain('secret-from-file');
      expect(cli.stderr()).not.toContain('wrong-guess');
      expect(cli.stderr()).not.toContain('No --authorization was configured');
      expect(readNdjson(eventsFile)).toHaveLength(1);
    } finally {
      expect(await cli.stop('SIGTERM')).toBe(0);
    }
  });

  describe('bad option values exit non-zero with one line naming the option', () => {
    const expectOneLineError = async (args: string[], message: RegExp) => {
      const failure = await run('node', [CLI, 'serve', '--dead-letter', path.join(directory, 'dl'), ...args]).then(
        () => undefined,
        (error: { code: number; stderr: string; stdout: string }) => error,
      );
      expect(failure).toBeDefined();
      expect(failure!.code).toBe(2);
      expect(failure!.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(failure!.stderr).toMatch(message);
      expect(failure!.stdout).toBe('');
    };

    it('an unknown sink', () => expectOneLineError(['--sink', 'kafka://x'], /^audit-relay: --sink: unknown sink "kafka:\/\/x": use stdout or file:PATH/));
    it('an unreadable authorization file', () =>
      expectOneLineError(['--authorization-file', '/nonexistent/secret'], /^audit-relay: --authorization-file: cannot read \/nonexistent\/secret: ENOENT/));
    it('a malformed size', () => expectOneLineError(['--max-body', 'ten megs'], /^audit-relay: --max-body: "ten megs" is not a size/));
    it('a JWKS file that is not JSON (its quoted newline shown as \\n), with no log line about keys it never had', () => {
      const jwks = path.join(directory, 'not-json.jwks');
      fs.writeFileSync(jwks, 'nope\n');
      return expectOneLineError(
        ['--jwks', jwks, '--sink', `file:${path.join(directory, 'e')}`],
        /^audit-relay: --jwks: could not load JWKS from .*not-json\.jwks: JWKS is not valid JSON: .*"nope\\n" is not valid JSON\n/,
      );
    });
    it('a file sink that cannot be opened', () =>
      expectOneLineError(['--sink', 'file:/etc/hostname/events.ndjson'], /^audit-relay: --sink: cannot open file:\/etc\/hostname\/events.ndjson: \/etc\/hostname is not a directory/));
    it('a TLS key that is junk, encrypted, or not the certificate\'s; a certificate or client CA that is not one: each names its own option', async () => {
      const file = (name: string) => path.join(directory, name);
      const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-days', '1', '-subj', '/CN=127.0.0.1'];
      await run('openssl', ['req', '-x509', ...ec, '-nodes', '-keyout', file('key.pem'), '-out', file('cert.pem')]);
      await run('openssl', ['req', '-x509', ...ec, '-nodes', '-keyout', file('other-key.pem'), '-out', file('other-cert.pem')]);
      await run('openssl', ['pkey', '-in', file('key.pem'), '-aes256', '-passout', 'pass:secret', '-out', file('encrypted-key.pem')]);
      fs.writeFileSync(file('junk.pem'), 'not a pem\n');
      const tlsWith = (cert: string, key: string) => ['--tls-cert', file(cert), '--tls-key', file(key), '--sink', `file:${file('e')}`];
      await expectOneLineError(tlsWith('cert.pem', 'junk.pem'), /^audit-relay: --tls-key: is not a PEM private key: /);
      await expectOneLineError(tlsWith('cert.pem', 'encrypted-key.pem'), /^audit-relay: --tls-key: is encrypted; give the key without a passphrase/);
      await expectOneLineError(tlsWith('cert.pem', 'other-key.pem'), /^audit-relay: --tls-key: does not belong to the certificate in --tls-cert/);
      await expectOneLineError(tlsWith('key.pem', 'cert.pem'), /^audit-relay: --tls-cert: is not a PEM certificate: /);
      await expectOneLineError([...tlsWith('cert.pem', 'key.pem'), '--tls-client-ca', file('junk.pem')], /^audit-relay: --tls-client-ca: is not a PEM certificate bundle: /);
    });
    it('a port in use', async () => {
      const blocker = net.createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      const port = (blocker.address() as net.AddressInfo).port;
      try {
        // With events written before and stdout among the sinks, deduplication has something to say, but only once listening.
        fs.writeFileSync(path.join(directory, 'e'), `${JSON.stringify({ raw: 'x' })}\n`);
        await expectOneLineError(
          ['--listen', `127.0.0.1:${port}`, '--sink', 'stdout', '--sink', `file:${path.join(directory, 'e')}`],
          new RegExp(`^audit-relay: --listen: 127\\.0\\.0\\.1:${port} is already in use`),
        );
      } finally {
        blocker.close();
      }
    });
  });

  describe('usage errors exit 2 as well, in the same form as a bad value, naming the option and where the help is', () => {
    const usageError = (args: string[]) =>
      run('node', [CLI, ...args]).then(
        () => undefined,
        (error: { code: number; stderr: string; stdout: string }) => ({ code: error.code, stderr: error.stderr.trimEnd().split('\n'), stdout: error.stdout }),
      );

    it('an unknown option', async () => {
      expect(await usageError(['serve', '--max-bodies', '1mb'])).toEqual({
        code: 2,
        stderr: ["audit-relay: unknown option '--max-bodies'", '(Did you mean --max-body?)', '(see: audit-relay serve --help)'],
        stdout: '',
      });
    });
    it('an option without its value', async () => {
      expect(await usageError(['serve', '--max-body'])).toEqual({
        code: 2,
        stderr: ["audit-relay: option '--max-body <size>' argument missing", '(see: audit-relay serve --help)'],
        stdout: '',
      });
    });
    it('an unknown command', async () => {
      expect(await usageError(['sevre'])).toMatchObject({ code: 2, stderr: ["audit-relay: unknown command 'sevre'", '(Did you mean serve?)', '(see: audit-relay --help)'] });
    });
  });
});
