/**
 * TLS: --tls-self-signed prints a fingerprint that matches the certificate it serves, only
 * TLS 1.2 and 1.3 are spoken, and --tls-client-ca (mutual TLS) refuses a client without a
 * certificate, or with one its CA did not sign, at the TLS layer, while one it signed gets 200.
 * Certificates are made with the openssl CLI in a temp directory.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { AUTH, get, makeTempDir, numberedBatch, numberedEvent, post, removeDir, seqsOf, spawnReceiver, strictRecords, type SpawnedReceiver } from './support';

const run = promisify(execFile);

jest.setTimeout(40_000);

/** An EC P-256 CA, and a client certificate it signed. */
async function makeCa(directory: string, name: string): Promise<{ caCert: string; clientCert: string; clientKey: string }> {
  const file = (suffix: string) => path.join(directory, `${name}-${suffix}`);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run('openssl', ['req', '-x509', ...ec, '-keyout', file('ca.key'), '-out', file('ca.crt'), '-days', '1', '-subj', `/CN=${name} test CA`]);
  await run('openssl', ['req', ...ec, '-keyout', file('client.key'), '-out', file('client.csr'), '-subj', `/CN=${name} client`]);
  await run('openssl', [
    'x509', '-req', '-in', file('client.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial',
    '-out', file('client.crt'), '-days', '1',
  ]);
  return { caCert: file('ca.crt'), clientCert: file('client.crt'), clientKey: file('client.key') };
}

/** Connect with TLS and resolve with the server's certificate and protocol, or reject with the TLS error. */
function handshake(port: number, options: tls.ConnectionOptions = {}): Promise<{ fingerprint256: string; protocol: string | null }> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...options }, () => {
      const result = { fingerprint256: socket.getPeerCertificate().fingerprint256, protocol: socket.getProtocol() };
      socket.destroy();
      resolve(result);
    });
    socket.on('error', reject);
  });
}

describe('TLS', () => {
  const receivers: SpawnedReceiver[] = [];
  let directory: string;
  beforeEach(() => {
    directory = makeTempDir('tls');
  });
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((receiver) => receiver.cleanup()));
    removeDir(directory);
  });

  it('--tls-self-signed prints a SHA-256 fingerprint that matches the served certificate, and speaks TLS 1.2+ only', async () => {
    const receiver = await spawnReceiver({ directory, flags: ['--tls-self-signed'] });
    receivers.push(receiver);
    expect(receiver.url).toMatch(/^https:\/\//);
    const [, printed] = await receiver.waitForStderr(/SHA-256 fingerprint ((?:[0-9A-F]{2}:){31}[0-9A-F]{2})\b/);
    const served = await handshake(receiver.port);
    expect(served.fingerprint256).toBe(printed);

    // A client that pins the printed fingerprint gets through.
    const pinned = await post(receiver.url, numberedEvent(2), {
      agent: false,
      tls: {
        rejectUnauthorized: false,
        checkServerIdentity: (_host, certificate) =>
          certificate.fingerprint256 === printed ? undefined : new Error('fingerprint mismatch'),
      },
    });
    expect(pinned.status).toBe(200);

    for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
      expect((await handshake(receiver.port, { minVersion: version, maxVersion: version })).protocol).toBe(version);
    }
    for (const version of ['TLSv1', 'TLSv1.1'] as const) {
      // The client offers the old version (security level lowered so it may); the server refuses it.
      await expect(handshake(receiver.port, { minVersion: version, maxVersion: version, ciphers: 'DEFAULT@SECLEVEL=0' })).rejects.toThrow(
        /alert protocol version|unsupported protocol|wrong version/i,
      );
    }
  });

  it('cuts a connection that does not finish its TLS handshake at --header-timeout, writes no HTTP into it, and counts no request', async () => {
    const receiver = await spawnReceiver({ directory, flags: ['--tls-self-signed', '--header-timeout', '1s'] });
    receivers.push(receiver);
    const started = Date.now();
    // One sends nothing; one sends the first bytes of a ClientHello and stops.
    const outcomes = await Promise.all(
      [Buffer.alloc(0), Buffer.from([0x16, 0x03, 0x01, 0x02])].map(
        (sent) =>
          new Promise<{ bytes: number; ms: number }>((resolve, reject) => {
            const socket = net.connect(receiver.port, '127.0.0.1', () => socket.write(sent));
            let bytes = 0;
            socket.on('data', (chunk: Buffer) => (bytes += chunk.length));
            socket.on('error', () => undefined); // a reset is a cut too
            socket.on('close', () => resolve({ bytes, ms: Date.now() - started }));
            setTimeout(() => reject(new Error('the connection was never cut')), 8000).unref();
          }),
      ),
    );
    for (const outcome of outcomes) {
      expect(outcome.bytes).toBe(0);
      expect(outcome.ms).toBeGreaterThanOrEqual(900);
      expect(outcome.ms).toBeLessThan(6000);
    }
    const metrics = (await get(`${receiver.origin}/metrics`, { agent: false, tls: { rejectUnauthorized: false } })).text;
    expect(metrics).not.toMatch(/audit_relay_http_requests_total\{code="400"\}/);
  });

  it('answers plain HTTP sent to the HTTPS port with a 400 problem+json that says to use https://, and counts it', async () => {
    const receiver = await spawnReceiver({ directory, flags: ['--tls-self-signed'] });
    receivers.push(receiver);
    const answer = await post(receiver.url.replace('https://', 'http://'), numberedEvent(2));
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(answer.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.json()).toMatchObject({ status: 400, detail: 'this port speaks HTTPS: send the request to https://, not http://' });
    const metrics = (await get(`${receiver.origin}/metrics`, { agent: false, tls: { rejectUnauthorized: false } })).text;
    expect(metrics).toMatch(/audit_relay_http_requests_total\{code="400"\} 1\b/);
    expect(strictRecords(receiver.eventsFile)).toEqual([]);
  });

  it('on SIGTERM, every pipelined request over TLS that is written is answered, and none that is not answered is written', async () => {
    const counts = [3, 20_000, 3, 3, 3];
    const firsts = counts.map((_, index) => counts.slice(0, index).reduce((sum, count) => sum + count, 0));
    for (const delayMs of [0, 20, 100]) {
      const receiver = await spawnReceiver({ flags: ['--tls-self-signed', '--dedup-window', '0'] });
      receivers.push(receiver);
      const requests = counts.map((count, index) => {
        const body = numberedBatch(firsts[index]!, count);
        const head = `POST /audit-logs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${AUTH}\r\nContent-Encoding: gzip\r\nContent-Length: ${body.length}\r\n\r\n`;
        return Buffer.concat([Buffer.from(head), body]);
      });
      const answer = await new Promise<string>((resolve) => {
        const socket = tls.connect({ host: '127.0.0.1', port: receiver.port, rejectUnauthorized: false }, () => {
          socket.write(Buffer.concat(requests));
          setTimeout(() => receiver.child.kill('SIGTERM'), delayMs);
        });
        let received = '';
        socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
        socket.on('error', () => undefined);
        socket.on('close', () => resolve(received));
      });
      expect(await receiver.exited).toBe(0);
      const answered = (answer.match(/HTTP\/1\.1 200 /g) ?? []).length;
      const written = counts.slice(0, answered).reduce((sum, count) => sum + count, 0);
      expect({ delayMs, written: strictRecords(receiver.eventsFile).length }).toEqual({ delayMs, written });
    }
  });

  it('shuts down at once with a TLS handshake left hanging: it owes no answer', async () => {
    const receiver = await spawnReceiver({ directory, flags: ['--tls-self-signed', '--header-timeout', '60s', '--shutdown-timeout', '20s'] });
    receivers.push(receiver);
    const socket = net.connect(receiver.port, '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('connect', resolve));
    const stoppedAt = Date.now();
    expect(await receiver.stop('SIGTERM')).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(5000); // far from the 20 s deadline
    expect(receiver.stderr()).not.toMatch(/shutdown timeout reached/);
    socket.destroy();
  });

  it('--tls-client-ca: no client certificate, or one from another CA, is refused at the TLS layer; one the CA signed gets 200', async () => {
    const trusted = await makeCa(directory, 'trusted');
    const rogue = await makeCa(directory, 'rogue');
    const receiver = await spawnReceiver({ directory, flags: ['--tls-self-signed', '--tls-client-ca', trusted.caCert] });
    receivers.push(receiver);
    const send = (options: { cert?: string; key?: string }) =>
      post(receiver.url, numberedEvent(2), {
        agent: false,
        tls: {
          rejectUnauthorized: false,
          ...(options.cert ? { cert: fs.readFileSync(options.cert), key: fs.readFileSync(options.key!) } : {}),
        },
      });

    // Refused during or right after the handshake: no HTTP answer at all, nothing written.
    // (With TLS 1.3 the client may finish its side first; then it sees the alert or the reset.)
    const refusal = /alert certificate required|alert unknown ca|socket hang up|ECONNRESET/i;
    for (let attempt = 0; attempt < 3; attempt++) {
      await expect(send({})).rejects.toThrow(refusal);
      await expect(send({ cert: rogue.clientCert, key: rogue.clientKey })).rejects.toThrow(refusal);
    }
    // The same refusal seen from a bare TLS connection that then tries to speak HTTP.
    const bare = await new Promise<string>((resolve) => {
      const socket = tls.connect({ host: '127.0.0.1', port: receiver.port, rejectUnauthorized: false }, () => {
        socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      });
      let received = '';
      socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
      socket.on('error', (error) => resolve(`error: ${error.message}`));
      socket.on('close', () => resolve(received === '' ? 'closed without an answer' : received));
    });
    expect(bare).not.toMatch(/HTTP\/1\.1 200/);

    const accepted = await send({ cert: trusted.clientCert, key: trusted.clientKey });
    expect(accepted.status).toBe(200);
    expect(accepted.json()).toEqual({ accepted: 1, rejected: 0 });
    expect(await receiver.stop('SIGTERM')).toBe(0);
    expect(seqsOf(strictRecords(receiver.eventsFile))).toEqual([2]);
  });
});
