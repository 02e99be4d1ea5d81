import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { attemptDelivery } from '../../../src/konnect/delivery/attempt';
import { sendBatch } from '../../../src/konnect/delivery/sender';
import type { EndpointSettings } from '../../../src/konnect/model';
import { closedPort, selfSignedCertificate, startCaptureServer, type CaptureServer, type Certificate } from '../support/capture-server';

const FAST = { maxRetries: 4, waitMinMs: 20, waitMaxMs: 2000 };
const LINES = ['first line', 'second line with spaces', '{"json":true}'];

describe('sending one batch, with retries, to a real loopback server', () => {
  let server: CaptureServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const settings = (endpoint: string, extra: Partial<EndpointSettings> = {}): EndpointSettings => ({
    endpoint,
    authorization: 'Splunk 1234-abcd',
    log_format: 'cef',
    skip_ssl_verification: false,
    ...extra,
  });

  it('sends one POST with the exact Authorization, text/plain, and a gzip body of newline-terminated lines', async () => {
    server = await startCaptureServer([{ status: 202, body: '{"accepted":3}' }]);
    const outcome = await sendBatch(LINES, settings(server.url), { retry: FAST, timeoutMs: 5000 });
    expect(outcome).toMatchObject({ ok: true, attempts: 1, last: { kind: 'response', status: 202, message: '{"accepted":3}' } });
    expect(server.deliveries).toHaveLength(1);
    const [delivery] = server.deliveries;
    expect(delivery!.method).toBe('POST');
    expect(delivery!.url).toBe('/audit-logs');
    expect(delivery!.headers['authorization']).toBe('Splunk 1234-abcd');
    expect(delivery!.headers['content-type']).toBe('text/plain');
    expect(delivery!.headers['content-encoding']).toBe('gzip');
    expect(Number(delivery!.headers['content-length'])).toBe(delivery!.raw.length);
    expect(delivery!.raw.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(zlib.gunzipSync(delivery!.raw).toString('utf8')).toBe('first line\nsecond line with spaces\n{"json":true}\n');
  });

  it('labels the gzip body application/gzip or x-gzip when asked (Kong\'s docs state application/gzip)', async () => {
    server = await startCaptureServer([{ status: 200 }]);
    await sendBatch(LINES, settings(server.url), { retry: FAST, timeoutMs: 5000, contentEncoding: 'application/gzip' });
    await sendBatch(LINES, settings(server.url), { retry: FAST, timeoutMs: 5000, contentEncoding: 'x-gzip' });
    expect(server.deliveries.map((delivery) => delivery.headers['content-encoding'])).toEqual(['application/gzip', 'x-gzip']);
  });

  it('retries a 500, then a 429 after its Retry-After, and stops at the 200', async () => {
    server = await startCaptureServer([
      { status: 500, body: 'boom' },
      { status: 429, body: 'slow down', headers: { 'retry-after': '1' } },
      { status: 200, body: 'ok' },
    ]);
    const attempts: Array<[number, number]> = [];
    const outcome = await sendBatch(LINES, settings(server.url), {
      retry: FAST,
      timeoutMs: 5000,
      onAttempt: (result, attempt) => {
        attempts.push([attempt, result.kind === 'response' ? result.status : 0]);
      },
    });
    expect(outcome).toMatchObject({ ok: true, attempts: 3 });
    expect(attempts).toEqual([[1, 500], [2, 429], [3, 200]]);
    const [first, second, third] = server.deliveries;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(20); // the 1st backoff step
    expect(second!.at - first!.at).toBeLessThan(900);
    expect(third!.at - second!.at).toBeGreaterThanOrEqual(1000); // Retry-After: 1
    // Every attempt carries the same batch.
    expect(new Set(server.deliveries.map((delivery) => delivery.text)).size).toBe(1);
  });

  it('gives up after 4 retries (5 attempts) of 503, waiting 1x, 2x, 4x, 8x the base', async () => {
    server = await startCaptureServer([{ status: 503, body: 'down' }]);
    const outcome = await sendBatch(LINES, settings(server.url), { retry: FAST, timeoutMs: 5000 });
    expect(outcome).toMatchObject({ ok: false, attempts: 5, last: { kind: 'response', status: 503, message: 'down' } });
    const gaps = server.deliveries.slice(1).map((delivery, index) => delivery.at - server!.deliveries[index]!.at);
    expect(gaps).toHaveLength(4);
    [20, 40, 80, 160].forEach((wait, index) => expect(gaps[index]).toBeGreaterThanOrEqual(wait - 2));
  });

  it.each([401, 403, 400, 404, 501])('does not retry %i', async (status) => {
    server = await startCaptureServer([{ status, body: '' }]);
    const outcome = await sendBatch(LINES, settings(server.url), { retry: FAST, timeoutMs: 5000 });
    expect(outcome).toMatchObject({ ok: false, attempts: 1, last: { kind: 'response', status } });
    expect(server.deliveries).toHaveLength(1);
  });

  it('retries connection errors, then reports the last one', async () => {
    const port = await closedPort();
    const seen: string[] = [];
    const outcome = await sendBatch(LINES, settings(`http://127.0.0.1:${port}/x`), {
      retry: { maxRetries: 2, waitMinMs: 5, waitMaxMs: 20 },
      timeoutMs: 5000,
      onAttempt: (result) => {
        seen.push(result.kind === 'error' ? result.code : String(result.status));
      },
    });
    expect(outcome).toMatchObject({ ok: false, attempts: 3, last: { kind: 'error', code: 'ECONNREFUSED' } });
    expect(seen).toEqual(['ECONNREFUSED', 'ECONNREFUSED', 'ECONNREFUSED']);
  });

  it('times out an attempt that gets no answer, and retries it', async () => {
    server = await startCaptureServer([{ status: 200, delayMs: 1000 }, { status: 200 }]);
    const outcome = await sendBatch(LINES, settings(server.url), { retry: FAST, timeoutMs: 200 });
    expect(outcome).toMatchObject({ ok: true, attempts: 2 });
  });

  it('times out an attempt whose answer trickles in for longer than the timeout, however active the connection', async () => {
    const trickler = http.createServer((_request, response) => {
      response.writeHead(500, { 'content-type': 'text/plain' });
      const drip = setInterval(() => response.write('.'), 50);
      setTimeout(() => {
        clearInterval(drip);
        response.end();
      }, 3000);
      response.on('close', () => clearInterval(drip));
    });
    await new Promise<void>((resolve) => trickler.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = trickler.address() as AddressInfo;
      const startedAt = Date.now();
      const outcome = await attemptDelivery({ endpoint: `http://127.0.0.1:${port}/`, authorization: 'x', body: Buffer.from('a'), skipSslVerification: false, timeoutMs: 300 });
      expect(outcome).toMatchObject({ kind: 'error', code: 'ETIMEDOUT', message: 'no complete answer within 300 ms (ETIMEDOUT)' });
      expect(Date.now() - startedAt).toBeLessThan(2500);
    } finally {
      trickler.closeAllConnections();
      await new Promise((resolve) => trickler.close(resolve));
    }
  });

  it('stops waiting between retries when aborted', async () => {
    server = await startCaptureServer([{ status: 500 }]);
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);
    const outcome = await sendBatch(LINES, settings(server.url), { retry: { maxRetries: 4, waitMinMs: 5000, waitMaxMs: 5000 }, timeoutMs: 5000, signal: controller.signal });
    expect(outcome.ok).toBe(false);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  describe('TLS', () => {
    let certificate: Certificate;
    beforeAll(() => {
      certificate = selfSignedCertificate();
    });

    it('verifies the certificate: a self-signed receiver fails at once (no retry), with the reason', async () => {
      server = await startCaptureServer([{ status: 200 }], certificate);
      const outcome = await sendBatch(LINES, settings(server.url), { retry: FAST, timeoutMs: 5000 });
      expect(outcome).toMatchObject({ ok: false, attempts: 1, last: { kind: 'error', code: 'DEPTH_ZERO_SELF_SIGNED_CERT', message: expect.stringContaining('self-signed certificate') } });
      expect(server.deliveries).toHaveLength(0);
    });

    it('skip_ssl_verification: true delivers to the same receiver', async () => {
      server = await startCaptureServer([{ status: 200 }], certificate);
      const outcome = await sendBatch(LINES, settings(server.url, { skip_ssl_verification: true }), { retry: FAST, timeoutMs: 5000 });
      expect(outcome).toMatchObject({ ok: true, attempts: 1 });
      expect(server.deliveries[0]!.lines).toEqual(LINES);
    });
  });

  it('a single attempt reports the status, the body start and headers', async () => {
    server = await startCaptureServer([{ status: 401, body: '{"title":"Unauthorized",\n  "detail":"bad token"}', headers: { 'x-trace': 'abc' } }]);
    const result = await attemptDelivery({ endpoint: server.url, authorization: 'Bearer x', body: zlib.gzipSync('a\n'), skipSslVerification: false, timeoutMs: 5000 });
    expect(result).toMatchObject({ kind: 'response', status: 401, statusText: 'Unauthorized', message: '{"title":"Unauthorized", "detail":"bad token"}' });
    expect(result.kind === 'response' && result.headers['x-trace']).toBe('abc');
  });
});
