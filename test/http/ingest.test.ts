import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import zlib from 'node:zlib';
import request from 'supertest';
import { startTestReceiver, TEST_AUTHORIZATION, type TestReceiver } from '../helpers/test-receiver';
import { CEF_ACCESS, CEF_AUTHZ_LIST, CEF_BSD_AUTHZ, CEF_PORTAL_AUTH, JSON_ACCESS, JSON_PORTAL_AUTH } from '../helpers/konnect-examples';

const konnectBatch = (lines: string[]) => zlib.gzipSync(`${lines.join('\n')}\n`);

describe('POST /audit-logs', () => {
  let receiver: TestReceiver;
  beforeEach(async () => {
    receiver = await startTestReceiver({ maxBody: '2mb' });
  });
  afterEach(() => receiver.close());

  const post = (body: string | Buffer, headers: Record<string, string> = {}) => {
    let call = request(receiver.origin).post('/audit-logs').set('Authorization', TEST_AUTHORIZATION).set('Content-Type', 'text/plain');
    for (const [name, value] of Object.entries(headers)) call = call.set(name, value);
    return call.send(body);
  };

  describe('authorization', () => {
    it('answers 401 problem+json when the header is missing, and writes nothing', async () => {
      const response = await request(receiver.origin).post('/audit-logs').send(CEF_AUTHZ_LIST);
      expect(response.status).toBe(401);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ status: 401, title: 'Unauthorized', detail: 'the Authorization header is missing' });
      expect(receiver.events()).toEqual([]);
    });

    it.each([
      ['a wrong value', 'Bearer wrong-token'],
      ['a differently-cased value', TEST_AUTHORIZATION.toUpperCase()],
      ['a differently-cased scheme', TEST_AUTHORIZATION.replace('Bearer', 'bearer')],
      ['the token without its scheme', TEST_AUTHORIZATION.replace('Bearer ', '')],
      ['a doubled inner space', TEST_AUTHORIZATION.replace(' ', '  ')],
    ])('answers 401 for %s and never echoes it', async (_case, value) => {
      const response = await request(receiver.origin).post('/audit-logs').set('Authorization', value).send(CEF_AUTHZ_LIST);
      expect(response.status).toBe(401);
      expect(response.body.detail).toMatch(/does not match any configured value/);
      expect(JSON.stringify(response.headers) + response.text).not.toContain(value.trim());
      expect(receiver.events()).toEqual([]);
    });

    it('accepts any configured value whatever its scheme, so a rotation can overlap', async () => {
      const rotating = await startTestReceiver({ authorization: ['Splunk old-token', 'Basic dXNlcjpwYXNz'] });
      try {
        for (const value of ['Splunk old-token', 'Basic dXNlcjpwYXNz']) {
          const response = await request(rotating.origin).post('/audit-logs').set('Authorization', value).send(CEF_AUTHZ_LIST);
          expect(response.status).toBe(200);
        }
        expect(rotating.events()).toHaveLength(2);
      } finally {
        await rotating.close();
      }
    });
  });

  /** Write `head` (and then `body` in `pieces`, `pauseMs` apart) on a raw connection; resolves with all it got back once it closes. */
  const rawExchange = (port: number, head: string, body: string, pieces = 1, pauseMs = 0, untilMs = 5000) =>
    new Promise<string>((resolve, reject) => {
      let answer = '';
      const socket = net.connect(port, '127.0.0.1', async () => {
        socket.write(head);
        const size = Math.ceil(body.length / pieces);
        for (let at = 0; at < body.length && !socket.destroyed; at += size) {
          await new Promise((wait) => setTimeout(wait, pauseMs));
          if (!socket.destroyed) socket.write(body.slice(at, at + size));
        }
      });
      socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
      socket.on('error', () => undefined); // a reset after the answer is a close too
      socket.on('close', () => resolve(answer));
      setTimeout(() => reject(new Error(`still open after ${untilMs} ms; got:\n${answer}`)), untilMs).unref();
    });

  it('answers a sender that is not authorized before its body has arrived once, and closes: no second answer when the body times out', async () => {
    const receiver = await startTestReceiver({ requestTimeout: '1s', headerTimeout: '500ms' });
    try {
      const head = 'POST /audit-logs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n';
      const answer = await rawExchange(receiver.port, head, 'x'.repeat(40), 4, 300);
      expect(answer.match(/^HTTP\/1\.1 \d+/gm)).toEqual(['HTTP/1.1 401']);
      expect(answer).toMatch(/\r\nconnection: close\r\n/i);
      expect(answer).toMatch(/\r\nwww-authenticate: Bearer realm="audit-relay"\r\n/i);
    } finally {
      await receiver.close();
    }
  });

  it('keeps the connection open after an error answered to a request without a body', async () => {
    const head = 'Host: 127.0.0.1\r\n';
    const answer = await rawExchange(receiver.port, `GET /nope HTTP/1.1\r\n${head}\r\nGET /audit-logs HTTP/1.1\r\n${head}\r\nGET /healthz HTTP/1.1\r\n${head}Connection: close\r\n\r\n`, '');
    expect(answer.match(/HTTP\/1\.1 \d{3}(?= )/g)).toEqual(['HTTP/1.1 404', 'HTTP/1.1 405', 'HTTP/1.1 200']); // each body runs into the next status line
  });

  it('asks for the body (100 Continue) only once the request is authorized and its length within --max-body', async () => {
    const head = (authorization: string, { expect = '100-continue', length = CEF_AUTHZ_LIST.length, version = '1.1' } = {}) =>
      `POST /audit-logs HTTP/${version}\r\nHost: 127.0.0.1\r\nAuthorization: ${authorization}\r\nExpect: ${expect}\r\nContent-Length: ${length}\r\nConnection: close\r\n\r\n`;
    // The body follows once the server asks, as a client that honours Expect does; `eager` sends it at once.
    const exchange = (request: string, eager = false) =>
      new Promise<string>((resolve) => {
        let answer = '';
        let sent = false;
        const socket = net.connect(receiver.port, '127.0.0.1', () => {
          socket.write(request);
          if (eager) sent = socket.write(CEF_AUTHZ_LIST) || true;
        });
        socket.on('data', (chunk) => {
          answer += chunk.toString('latin1');
          if (answer.startsWith('HTTP/1.1 100 Continue\r\n\r\n') && !sent) sent = socket.write(CEF_AUTHZ_LIST) || true;
        });
        socket.on('error', () => undefined);
        socket.on('close', () => resolve(answer));
      });
    const statuses = (answer: string) => answer.match(/^HTTP\/1\.1 \d+/gm);
    expect(statuses(await exchange(head('Bearer wrong')))).toEqual(['HTTP/1.1 401']);
    expect(statuses(await exchange(head(TEST_AUTHORIZATION, { length: 3 * 1024 * 1024 })))).toEqual(['HTTP/1.1 413']);
    expect(statuses(await exchange(head(TEST_AUTHORIZATION)))).toEqual(['HTTP/1.1 100', 'HTTP/1.1 200']);
    expect(statuses(await exchange(head(TEST_AUTHORIZATION, { expect: '100-continue, x-trace' })))).toEqual(['HTTP/1.1 100', 'HTTP/1.1 200']);
    // HTTP/1.0 knows no 100 Continue (RFC 9110 §10.1.1): the expectation is ignored.
    expect(statuses(await exchange(head(TEST_AUTHORIZATION, { version: '1.0' }), true))).toEqual(['HTTP/1.1 200']);
    expect(receiver.events()).toHaveLength(3);
  });

  it('names only the schemes of the configured values in WWW-Authenticate, never a value without one (all of it secret)', async () => {
    const configured = await startTestReceiver({ authorization: ['NoSchemeSecret123', 'Splunk hec-token', 'Bearer abc'] });
    try {
      const answer = await request(configured.origin).post('/audit-logs').send(CEF_AUTHZ_LIST);
      expect(answer.status).toBe(401);
      expect(answer.headers['www-authenticate']).toBe('Splunk realm="audit-relay", Bearer realm="audit-relay"');
      expect(JSON.stringify(answer.headers) + answer.text).not.toMatch(/NoSchemeSecret123|hec-token|abc"/);
    } finally {
      await configured.close();
    }
  });

  it('refuses several Authorization headers with 400, whichever comes first', async () => {
    for (const values of [[TEST_AUTHORIZATION, 'Bearer wrong'], ['Bearer wrong', TEST_AUTHORIZATION]]) {
      const head = `POST /audit-logs HTTP/1.1\r\nHost: 127.0.0.1\r\n${values.map((value) => `Authorization: ${value}\r\n`).join('')}Content-Length: ${CEF_AUTHZ_LIST.length}\r\nConnection: close\r\n\r\n`;
      const answer = await rawExchange(receiver.port, head, CEF_AUTHZ_LIST);
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      expect(answer).toContain('"detail":"several Authorization headers were sent; send exactly one"');
    }
    expect(receiver.events()).toEqual([]);
  });

  it('matches a configured value outside ASCII against the UTF-8 bytes a sender puts on the wire', async () => {
    const receiver = await startTestReceiver({ authorization: ['Bearer café'] });
    try {
      const post = (authorization: Buffer) =>
        new Promise<string>((resolve, reject) => {
          // A raw request, since Node's client re-encodes header strings: these are the exact bytes.
          const socket = net.connect(receiver.port, '127.0.0.1', () => {
            const head = `POST /audit-logs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${Buffer.byteLength(CEF_AUTHZ_LIST)}\r\nConnection: close\r\nAuthorization: `;
            socket.write(Buffer.concat([Buffer.from(head), authorization, Buffer.from(`\r\n\r\n${CEF_AUTHZ_LIST}`)]));
          });
          let answer = '';
          socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
          socket.on('end', () => resolve(answer.split('\r\n')[0]!));
          socket.on('error', reject);
        });
      expect(await post(Buffer.from('Bearer café', 'utf8'))).toBe('HTTP/1.1 200 OK');
      expect(await post(Buffer.from('Bearer café', 'latin1'))).toBe('HTTP/1.1 401 Unauthorized');
    } finally {
      await receiver.close();
    }
  });

  describe('method and path', () => {
    it.each(['get', 'put', 'delete', 'patch'] as const)('answers %s with 405 and Allow: POST', async (method) => {
      const response = await request(receiver.origin)[method]('/audit-logs').set('Authorization', TEST_AUTHORIZATION);
      expect(response.status).toBe(405);
      expect(response.headers.allow).toBe('POST');
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    });

    it('answers an unknown path with 404 problem+json', async () => {
      const response = await request(receiver.origin).post('/elsewhere').set('Authorization', TEST_AUTHORIZATION).send('x');
      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({ status: 404, detail: 'nothing is served at POST /elsewhere' });
    });

    it('puts helmet headers on successes and errors alike', async () => {
      for (const response of [await post(CEF_AUTHZ_LIST), await request(receiver.origin).get('/nope')]) {
        expect(response.headers['x-content-type-options']).toBe('nosniff');
        expect(response.headers['content-security-policy']).toBeDefined();
        expect(response.headers['x-powered-by']).toBeUndefined();
      }
    });
  });

  describe('health', () => {
    it('reports liveness on /healthz', async () => {
      const response = await request(receiver.origin).get('/healthz');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ status: 'ok' });
    });

    it('reports readiness on /readyz while every sink is writable, and not after', async () => {
      const ready = await request(receiver.origin).get('/readyz');
      expect(ready.status).toBe(200);
      expect(ready.body.status).toBe('ready');
      fs.rmSync(receiver.directory, { recursive: true });
      const notReady = await request(receiver.origin).get('/readyz');
      expect(notReady.status).toBe(503);
      expect(notReady.body.checks[`file:${receiver.eventsFile}`]).toMatch(/ENOENT/);
    });

    it.each(['/healthz', '/readyz', '/metrics'])('answers another method than GET on %s with 405 and Allow', async (path) => {
      const response = await request(receiver.origin).post(path).send('x');
      expect(response.status).toBe(405);
      expect(response.headers['allow']).toBe('GET, HEAD');
      expect(response.body).toMatchObject({ status: 405, detail: `POST is not served at ${path}; use GET`, instance: path });
      expect((await request(receiver.origin).head(path)).status).not.toBe(405);
    });
  });

  describe('decoding', () => {
    it.each(['gzip', 'x-gzip', 'application/gzip'])('decompresses Content-Encoding: %s', async (encoding) => {
      const response = await post(konnectBatch([CEF_AUTHZ_LIST, CEF_PORTAL_AUTH]), { 'Content-Encoding': encoding });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ accepted: 2, rejected: 0 });
    });

    it('decompresses gzip by its magic bytes when no Content-Encoding is sent', async () => {
      const response = await post(konnectBatch([CEF_AUTHZ_LIST]));
      expect(response.body).toEqual({ accepted: 1, rejected: 0 });
      expect(receiver.events()[0]!.raw).toBe(CEF_AUTHZ_LIST);
    });

    it('decompresses deflate', async () => {
      const response = await post(zlib.deflateSync(`${CEF_AUTHZ_LIST}\n`), { 'Content-Encoding': 'deflate' });
      expect(response.body).toEqual({ accepted: 1, rejected: 0 });
    });

    it('does not trust Content-Type', async () => {
      const response = await post(`${JSON_ACCESS}\n`, { 'Content-Type': 'application/x-www-form-urlencoded' });
      expect(response.body).toEqual({ accepted: 1, rejected: 0 });
    });

    it('answers an oversized body with 413 from its Content-Length, and writes nothing', async () => {
      const response = await post(`${CEF_AUTHZ_LIST}\n`.repeat(10000));
      expect(response.status).toBe(413);
      expect(response.body.detail).toBe('request body is 3900000 bytes; the limit is 2mb (--max-body)');
      expect(receiver.events()).toEqual([]);
    });

    it('answers an oversized chunked body with 413 while it streams in', async () => {
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const outgoing = http.request(`${receiver.origin}/audit-logs`, {
          method: 'POST',
          headers: { authorization: TEST_AUTHORIZATION, 'transfer-encoding': 'chunked' },
        });
        outgoing.on('response', (incoming) => {
          let body = '';
          incoming.on('data', (chunk: Buffer) => (body += chunk.toString()));
          incoming.on('end', () => resolve({ status: incoming.statusCode!, body }));
        });
        outgoing.on('error', reject);
        const chunk = `${CEF_AUTHZ_LIST}\n`.repeat(100);
        const writeMore = (remaining: number): void => {
          if (remaining === 0 || outgoing.destroyed) return void outgoing.end();
          outgoing.write(chunk, () => writeMore(remaining - 1));
        };
        writeMore(100);
      });
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body).detail).toBe('request body exceeds the limit of 2mb (--max-body)');
      expect(receiver.events()).toEqual([]);
    });

    it('answers a gzip bomb (1 GB of zeros) with 413 and keeps memory bounded', async () => {
      const gigabyteOfZeros = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024));
      const bomb = Buffer.concat(Array.from({ length: 16 }, () => gigabyteOfZeros));
      const before = process.memoryUsage().rss;
      const response = await post(bomb, { 'Content-Encoding': 'gzip' });
      expect(response.status).toBe(413);
      expect(response.body.detail).toBe('decompressed body exceeds the limit of 2mb (--max-body)');
      expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
    });

    it('answers broken gzip with 400', async () => {
      const response = await post(konnectBatch([CEF_AUTHZ_LIST]).subarray(0, 30), { 'Content-Encoding': 'gzip' });
      expect(response.status).toBe(400);
      expect(response.body.detail).toMatch(/^body is not valid gzip data: /);
    });

    it('answers an unsupported Content-Encoding with 415', async () => {
      const response = await post('x', { 'Content-Encoding': 'compress' });
      expect(response.status).toBe(415);
      expect(response.body.detail).toMatch(/"compress" is not supported/);
    });

    it.each([
      ['an empty body', '', 'the request body is empty; send one event per line'],
      ['a body of blank lines', '\r\n\n  \n', 'the request body holds only blank lines; send one event per line'],
    ])('answers %s with 400', async (_case, body, detail) => {
      const response = await post(body);
      expect(response.status).toBe(400);
      expect(response.body.detail).toBe(detail);
    });
  });

  describe('framing and the dead letter', () => {
    it('accepts the good lines of a mixed batch, dead-letters the bad ones, and counts both', async () => {
      const lines = [CEF_AUTHZ_LIST, 'hello world', JSON_ACCESS, '{"broken":', 'Apr 14 host CEF:0|only|three', CEF_PORTAL_AUTH];
      const response = await post(konnectBatch(lines), { 'Content-Encoding': 'gzip' });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ accepted: 3, rejected: 3 });
      expect(response.body.errors.map((error: { line: number }) => error.line)).toEqual([2, 4, 5]);
      expect(receiver.events().map((event) => event.raw)).toEqual([CEF_AUTHZ_LIST, JSON_ACCESS, CEF_PORTAL_AUTH]);
      const deadLetters = receiver.deadLetters();
      expect(deadLetters.map((record) => record.raw)).toEqual(['hello world', '{"broken":', 'Apr 14 host CEF:0|only|three']);
      for (const record of deadLetters) {
        expect(record.received_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
        expect(typeof record.reason).toBe('string');
      }
      expect(deadLetters[0]!.reason).toMatch(/^line is neither a JSON object nor CEF \(no "CEF:" found\); it comes right after a CEF line/);
      expect(deadLetters[2]!.reason).toMatch(/^invalid CEF: /);
    });

    it('never joins a line to the CEF line before it, as a junk line must not change a good event; the dead letter says a raw line break may have split one', async () => {
      const response = await post(`${JSON_ACCESS}\nplain words\nCEF:0|Acme|Proxy|2.1|100|request|3|msg=line1\nline2 src=10.0.0.1\n`);
      expect(response.body).toMatchObject({ accepted: 2, rejected: 2 });
      expect(receiver.events().map((event) => event.raw)).toEqual([JSON_ACCESS, 'CEF:0|Acme|Proxy|2.1|100|request|3|msg=line1']);
      const [afterJson, afterCef] = receiver.deadLetters();
      expect(afterJson).toMatchObject({ raw: 'plain words', line: 2, reason: 'line is neither a JSON object nor CEF (no "CEF:" found)' });
      expect(afterCef).toMatchObject({
        raw: 'line2 src=10.0.0.1',
        line: 4,
        reason:
          'line is neither a JSON object nor CEF (no "CEF:" found); it comes right after a CEF line, so it may be the rest of that line\'s event, cut at a raw line break in a value (CEF writes one as \\n)',
      });
    });

    it('accepts CRLF line endings and keeps each raw line without its CR', async () => {
      const response = await post(`${CEF_AUTHZ_LIST}\r\n${JSON_ACCESS}\r\n`);
      expect(response.body).toEqual({ accepted: 2, rejected: 0 });
      expect(receiver.events().map((event) => event.raw)).toEqual([CEF_AUTHZ_LIST, JSON_ACCESS]);
    });

    it('accepts a single JSON object, a JSON array, stacked objects and CPS lines', async () => {
      const cps = `{"event":${JSON_ACCESS}}`;
      const pretty = JSON.stringify(JSON.parse(JSON_PORTAL_AUTH.replace('3360194145499877252', '1')), null, 2);
      for (const [body, count] of [
        [JSON_ACCESS, 1],
        [`[${JSON_ACCESS},${JSON_PORTAL_AUTH}]`, 2],
        [`${JSON_ACCESS}${JSON_PORTAL_AUTH} ${cps}`, 3],
        [`${cps}\n${cps}\n`, 2],
        [pretty, 1],
      ] as const) {
        const response = await post(body);
        expect(response.body).toEqual({ accepted: count, rejected: 0 });
      }
      const formats = receiver.events().map((event) => event.format);
      expect(formats).toEqual(['json', 'json', 'json', 'json', 'json', 'cps', 'cps', 'cps', 'json']);
    });

    it('writes an event as deep as the largest --max-json-depth allows (1000, objects and arrays mixed), and refuses one level more with 400', async () => {
      await receiver.close();
      receiver = await startTestReceiver({ maxBody: '2mb', maxJsonDepth: '1000' });
      const nested = (levels: number) => `${'{"a":['.repeat(levels / 2)}1${']}'.repeat(levels / 2)}`;
      const deepest = `{"id":"deep","a":${nested(998)}}`; // 999 levels; the event's own object is the 1000th
      expect((await post(`${deepest}\n`)).body).toEqual({ accepted: 1, rejected: 0 });
      expect(receiver.events()[0]!.raw).toBe(deepest);
      const tooDeep = await post(`{"id":"deeper","a":${nested(1000)}}\n`);
      expect(tooDeep.status).toBe(400);
      expect(tooDeep.body.detail).toBe("line 1: JSON nests deeper than 1000 levels (--max-json-depth)");
    });

    it('dead-letters a line that is not UTF-8 with its exact bytes', async () => {
      const bad = Buffer.from([0x43, 0x45, 0x46, 0xff, 0x0a]);
      const response = await post(Buffer.concat([Buffer.from(`${CEF_AUTHZ_LIST}\n`), bad]));
      expect(response.body).toMatchObject({ accepted: 1, rejected: 1 });
      expect(receiver.deadLetters()[0]).toMatchObject({ reason: 'line is not valid UTF-8', raw_base64: bad.subarray(0, 4).toString('base64') });
    });
  });

  describe('output contract', () => {
    it('writes one JSON line per event: received_at, format, event, signature, raw', async () => {
      await post(konnectBatch([CEF_AUTHZ_LIST]), { 'Content-Encoding': 'gzip' });
      const line = fs.readFileSync(receiver.eventsFile, 'utf8');
      expect(line.endsWith('\n')).toBe(true);
      const record = JSON.parse(line);
      expect(Object.keys(record)).toEqual(['received_at', 'format', 'event', 'signature', 'raw']);
      expect(record.received_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(record).toMatchObject({ format: 'cef', signature: 'unchecked', raw: CEF_AUTHZ_LIST });
      expect(record.event).toEqual({
        action: 'list',
        cef_version: 0,
        event_class_id: 'konnect',
        event_product: 'Konnect',
        event_ts: '2025-06-18T21:02:36Z',
        event_vendor: 'KongInc',
        event_version: '1.0',
        granted: true,
        name: 'Authz.control-planes',
        org_id: '777db3e4-5cb7-4dd5-b51c-9878096a6999',
        principal_id: 'eb999f01-5976-4f4b-9fbc-dd5d514bd675',
        rt: 1750280466889,
        severity: 1,
        sig: 'KbLaBhQFnggT_8CyC95b777R1_fGvvLVDn7awjZK8eZLdGPrSvnS-sxJw63j930eKr-VTsQv8-TQTD_GVmAPAQ',
        src: '127.0.0.6',
        trace_id: '3959872677347089807',
        user_agent: 'grpc-node-js/1.12.4',
      });
    });

    it('with --keep-raw false, leaves raw out of every record, and only raw: the events are the same; dead letters keep it', async () => {
      // A CEF line with a quote takes the escaping path; a plain one the direct one.
      const quoted = CEF_ACCESS.replace('act=', 'msg=say "hi" act=');
      const body = konnectBatch([CEF_AUTHZ_LIST, quoted, JSON_ACCESS, 'not an event']);
      await post(body, { 'Content-Encoding': 'gzip' });
      const withoutRaw = await startTestReceiver({ keepRaw: 'false' });
      try {
        const answer = await request(withoutRaw.origin)
          .post('/audit-logs')
          .set('Authorization', TEST_AUTHORIZATION)
          .set('Content-Encoding', 'gzip')
          .send(body);
        expect(answer.body).toMatchObject({ accepted: 3, rejected: 1 });
        const records = withoutRaw.events();
        const kept = receiver.events();
        // The quoted line's msg is read into request's value, with a warning, in both.
        expect(records.map((record) => Object.keys(record))).toEqual(kept.map((record) => Object.keys(record).filter((key) => key !== 'raw')));
        expect(records.map((record) => Object.keys(record).at(-1))).toEqual(['signature', 'warnings', 'signature']);
        expect(kept.map((record) => record.raw)).toEqual([CEF_AUTHZ_LIST, quoted, JSON_ACCESS]);
        expect(records.map(({ format, event, signature, warnings }) => ({ format, event, signature, warnings }))).toEqual(
          kept.map(({ format, event, signature, warnings }) => ({ format, event, signature, warnings })),
        );
        expect(withoutRaw.deadLetters().map((record) => record.raw)).toEqual(['not an event']);
      } finally {
        await withoutRaw.close();
      }
    });

    it('lists what the CEF parser read leniently in warnings, between signature and raw, with where in raw it was seen; with --keep-raw false too', async () => {
      const lenient = 'CEF:0|Acme|Proxy|2.1|100|request|3|request=http://x/a?b=1&c=2 msg=first msg=second';
      const quoted = 'CEF:0|Acme|Proxy|2.1|100|request|42|msg=say "hi"';
      await post(`${lenient}\n${quoted}\n${CEF_AUTHZ_LIST}\n`);
      const [first, second, konnect] = receiver.events();
      expect(Object.keys(first!)).toEqual(['received_at', 'format', 'event', 'signature', 'warnings', 'raw']);
      expect(first!.warnings).toEqual([
        `unescaped "=" kept in the value of request (at character ${lenient.indexOf('b=1') + 2})`,
        `repeated key msg: the last value wins (at character ${lenient.indexOf('msg=second') + 1})`,
      ]);
      expect(first!.event).toMatchObject({ request: 'http://x/a?b=1&c=2', msg: 'second' });
      expect(first!.raw).toBe(lenient);
      expect(second!.warnings).toEqual([expect.stringMatching(/^severity "42" is neither 0–10/)]);
      // At most ten listed, then how many more: a line can be built to warn at every word.
      await post(`CEF:0|V|P|1|100|name|5|${Array.from({ length: 31 }, () => 'a=1').join(' ')}`);
      const many = receiver.events().at(-1)!.warnings as string[];
      expect(many).toHaveLength(11);
      expect(many[0]).toBe('repeated key a: the last value wins (at character 28)');
      expect(many[10]).toBe('and 20 more warnings');
      // Characters as a person counts them: each emoji is one.
      await post('CEF:0|V|P|1|100|name|5|a=1 😀😀 b=x=y');
      expect(receiver.events().at(-1)!.warnings).toEqual(['unescaped "=" kept in the value of b (at character 34)']);
      expect(second!.raw).toBe(quoted);
      expect(Object.keys(konnect!)).toEqual(['received_at', 'format', 'event', 'signature', 'raw']);

      const withoutRaw = await startTestReceiver({ keepRaw: 'false' });
      try {
        await request(withoutRaw.origin).post('/audit-logs').set('Authorization', TEST_AUTHORIZATION).send(lenient);
        const [record] = withoutRaw.events();
        expect(Object.keys(record!)).toEqual(['received_at', 'format', 'event', 'signature', 'warnings']);
        expect(record!.warnings).toEqual(first!.warnings);
      } finally {
        await withoutRaw.close();
      }
    });

    it('normalizes the same Konnect event sent as CEF and as JSON to the identical event', async () => {
      await post(`${CEF_PORTAL_AUTH}\n${JSON_PORTAL_AUTH}\n`);
      const [fromCef, fromJson] = receiver.events();
      expect(fromCef!.format).toBe('cef');
      expect(fromJson!.format).toBe('json');
      expect(fromCef!.event).toEqual(fromJson!.event);
      expect(JSON.stringify(fromCef!.event)).toBe(JSON.stringify(fromJson!.event));
      expect(fromJson!.event).toMatchObject({ success: true, rt: 1750688927556, trace_id: '3360194145499877252', user_agent: '' });
    });

    it('keeps every digit of a 19-digit trace_id from JSON', async () => {
      await post(JSON_ACCESS);
      expect(receiver.events()[0]!.event.trace_id).toBe('6891110586028963295');
      expect(fs.readFileSync(receiver.eventsFile, 'utf8')).toContain('"trace_id":"6891110586028963295"');
    });

    it('takes the year of a BSD timestamp from rt', async () => {
      await post(CEF_BSD_AUTHZ);
      expect(receiver.events()[0]!.event).toMatchObject({ event_ts: '2023-04-14T05:39:08Z', user_agent: 'grpc-node/1.24.11 grpc-c/8.0.0 (linux; chttp2; ganges)' });
    });

    it('keeps unescaped spaces and = inside CEF values (Konnect never escapes)', async () => {
      await post(CEF_ACCESS);
      expect(receiver.events()[0]!.event).toMatchObject({
        query: '{"end":"1684270800","start":"1684098000"}',
        status: 200,
        act: 'POST',
        user_agent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/113.0.0.0 Safari/537.36',
      });
    });

    it('keeps a value that breaks the typing rule as it came', async () => {
      await post('{"rt":"3958q3097698","success":"maybe","status":1.5,"severity":"7","trace_id":12}');
      expect(receiver.events()[0]!.event).toEqual({ rt: '3958q3097698', success: 'maybe', status: 1.5, severity: 7, trace_id: '12' });
    });
  });

  describe('sink failure', () => {
    it('answers 503 with Retry-After and reports nothing accepted when a sink cannot write', async () => {
      const full = await startTestReceiver({ sink: ['file:/dev/full'] });
      try {
        const response = await request(full.origin).post('/audit-logs').set('Authorization', TEST_AUTHORIZATION).send(CEF_AUTHZ_LIST);
        expect(response.status).toBe(503);
        expect(response.headers['retry-after']).toBe('5');
        expect(response.body.detail).toMatch(/^sink file:\/dev\/full failed: .*ENOSPC/);
        expect(response.body.accepted).toBeUndefined();
      } finally {
        await full.close();
      }
    });
  });
});
