import net from 'node:net';
import zlib from 'node:zlib';
import request from 'supertest';
import { startTestReceiver, TEST_AUTHORIZATION, type TestReceiver } from '../helpers/test-receiver';

/** Sends raw bytes and gives back the whole answer, as Node's client would refuse to send these requests. */
function rawExchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(bytes));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

function parseAnswer(answer: string): { statusLine: string; headers: Record<string, string>; body: Record<string, unknown> } {
  const [head, body] = answer.split('\r\n\r\n', 2) as [string, string];
  const [statusLine, ...headerLines] = head.split('\r\n');
  const headers = Object.fromEntries(headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  return { statusLine: statusLine!, headers, body: JSON.parse(body) as Record<string, unknown> };
}

describe('requests Node refuses before Express sees them', () => {
  let receiver: TestReceiver;
  beforeAll(async () => {
    receiver = await startTestReceiver({ headerTimeout: '1s', requestTimeout: '2s' });
  });
  afterAll(async () => {
    await receiver.close();
  });

  const head = `POST /audit-logs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${TEST_AUTHORIZATION}\r\n`;

  it.each([
    ['a malformed chunk size', `${head}Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n`, 400, 'the chunked body has a chunk size that is not hexadecimal'],
    ['both Content-Length and Transfer-Encoding', `${head}Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n`, 400, 'Transfer-Encoding is not valid here (sent with a Content-Length, or not ending in chunked): send either Transfer-Encoding: chunked with no Content-Length, or a Content-Length alone'],
    ['a negative Content-Length', `${head}Content-Length: -1\r\n\r\n`, 400, 'Content-Length is not a valid length'],
    ['Content-Length twice', `${head}Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc`, 400, 'Content-Length was sent more than once; send it once'],
    ['headers over 16 kB', `${head}X-Padding: ${'x'.repeat(20_000)}\r\n\r\n`, 431, 'the request headers are larger than 16 kB'],
  ])('answers %s with problem+json, helmet headers and a request id', async (_case, bytes, status, detail) => {
    const answer = parseAnswer(await rawExchange(receiver.port, bytes));
    expect(answer.statusLine).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    expect(answer.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(answer.headers['connection']).toBe('close');
    expect(answer.body).toMatchObject({ status, detail });
  });

  it('answers an Expect it does not support with 417 problem+json', async () => {
    const answer = parseAnswer(await rawExchange(receiver.port, `${head}Expect: 200-ok\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc`));
    expect(answer.statusLine).toMatch(/^HTTP\/1\.1 417 /);
    expect(answer.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(answer.body).toMatchObject({ status: 417, detail: 'Expect: 200-ok is not supported; send Expect: 100-continue, or no Expect header' });
  });

  it('answers an HTTP/1.1 request without Host with 400 problem+json, helmet headers and a request id', async () => {
    const answer = parseAnswer(await rawExchange(receiver.port, `POST /audit-logs HTTP/1.1\r\nAuthorization: ${TEST_AUTHORIZATION}\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc`));
    expect(answer.statusLine).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(answer.body).toMatchObject({ status: 400, detail: 'the Host header is missing: HTTP/1.1 requires one', instance: '/audit-logs' });
  });

  it('reads every header line within the 16 kB, however many there are', async () => {
    const many = 'a:b\r\n'.repeat(2100); // 2,100 lines in 10 kB
    const answer = parseAnswer(await rawExchange(receiver.port, `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n${many}Connection: close\r\n\r\n`));
    expect(answer.statusLine).toMatch(/^HTTP\/1\.1 200 /);
    const authorized = await rawExchange(receiver.port, `POST /audit-logs HTTP/1.1\r\nHost: 127.0.0.1\r\n${many}Authorization: ${TEST_AUTHORIZATION}\r\nContent-Length: 4\r\nConnection: close\r\n\r\nx=1\n`);
    expect(authorized).not.toMatch(/^HTTP\/1\.1 401/);
  });

  it('counts them in the requests metric by status', async () => {
    await rawExchange(receiver.port, `${head}Content-Length: -1\r\n\r\n`);
    const metrics = await request(receiver.origin).get('/metrics');
    expect(metrics.text).toMatch(/audit_relay_http_requests_total\{code="400"\} [1-9]/);
    expect(metrics.text).toMatch(/audit_relay_http_requests_total\{code="431"\} [1-9]/);
  });
});

describe('pipelined requests, one answer each and in order', () => {
  const statusLines = (answer: string) => answer.match(/HTTP\/1\.1 \d{3}(?= )/g) ?? [];
  const post = (body: string, authorization = TEST_AUTHORIZATION) =>
    `POST /audit-logs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${authorization}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  const garbage = '\u0001\u0002garbage\r\n\r\n';

  it('a broken request behind one still being answered never takes its answer: that answer goes first, alone, and the connection closes', async () => {
    const healthy = await startTestReceiver();
    const failing = await startTestReceiver({ sink: ['file:/dev/full'] });
    try {
      expect(statusLines(await rawExchange(healthy.port, post('{"name":"ahead"}\n') + garbage))).toEqual(['HTTP/1.1 200']);
      expect(healthy.events().map((record) => record.event.name)).toEqual(['ahead']);
      // Every request ahead of it is answered, in order, not only the first.
      expect(statusLines(await rawExchange(healthy.port, post('{"name":"one"}\n') + post('{"name":"two"}\n') + garbage))).toEqual(['HTTP/1.1 200', 'HTTP/1.1 200']);
      expect(healthy.events().map((record) => record.event.name)).toEqual(['ahead', 'one', 'two']);
      // A 503 that arrived as a 400 would never be retried.
      expect(statusLines(await rawExchange(failing.port, post('{"name":"ahead"}\n') + garbage))).toEqual(['HTTP/1.1 503']);
      // A request after one that asked to close is not answered, nor processed.
      const closed = post('{"name":"asked-to-close"}\n').replace('\r\n\r\n', '\r\nConnection: close\r\n\r\n') + post('{"name":"after-close"}\n');
      expect(statusLines(await rawExchange(healthy.port, closed))).toEqual(['HTTP/1.1 200']);
      expect(healthy.events().map((record) => record.event.name)).toEqual(['ahead', 'one', 'two', 'asked-to-close']);
      // Two answered, then one that asked to close, then one more: the first three answered, the last not processed.
      const mixed = post('{"name":"m1"}\n') + post('{"name":"m2"}\n').replace('\r\n\r\n', '\r\nConnection: close\r\n\r\n') + post('{"name":"m3"}\n');
      expect(statusLines(await rawExchange(healthy.port, mixed))).toEqual(['HTTP/1.1 200', 'HTTP/1.1 200']);
      // A request behind a 417 (which closes the connection) is not processed either.
      const expectation = post('{"name":"e1"}\n').replace('\r\n\r\n', '\r\nExpect: bogus\r\n\r\n') + post('{"name":"e2"}\n');
      expect(statusLines(await rawExchange(healthy.port, expectation))).toEqual(['HTTP/1.1 417']);
      expect(healthy.events().map((record) => record.event.name)).toEqual(['ahead', 'one', 'two', 'asked-to-close', 'm1', 'm2']);
    } finally {
      await healthy.close();
      await failing.close();
    }
  });

  it('a request behind an answer that closes the connection (a 401 sent before its body was read) is neither answered nor processed', async () => {
    const receiver = await startTestReceiver();
    try {
      const answer = await rawExchange(receiver.port, post('{"name":"refused"}\n', 'Bearer wrong') + post('{"name":"behind"}\n'));
      // Whether the 401 closes depends on whether its body was all in when it went out; either
      // way the request behind it is written exactly when it is answered.
      const [refused, ...behind] = statusLines(answer);
      expect(refused).toBe('HTTP/1.1 401');
      expect(behind).toEqual(/\r\nconnection: close\r\n/i.test(answer) ? [] : ['HTTP/1.1 200']);
      expect(receiver.events().map((record) => record.event.name)).toEqual(behind.length === 1 ? ['behind'] : []);
    } finally {
      await receiver.close();
    }
  });

  it('a request behind one refused only once decompressed (413) is answered too', async () => {
    const receiver = await startTestReceiver({ maxBody: '1mb' });
    try {
      const bomb = zlib.gzipSync(`${'{"p":"'.concat('y'.repeat(1000), '"}\n').repeat(2000)}`); // 2 MB decoded
      const head = `POST /audit-logs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${TEST_AUTHORIZATION}\r\nContent-Encoding: gzip\r\nContent-Length: ${bomb.length}\r\n\r\n`;
      const answer = await new Promise<string>((resolve) => {
        const socket = net.connect(receiver.port, '127.0.0.1', () => socket.write(Buffer.concat([Buffer.from(head), bomb, Buffer.from(post('{"name":"behind"}\n').replace('\r\n\r\n', '\r\nConnection: close\r\n\r\n'))])));
        let received = '';
        socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
        socket.on('error', () => undefined);
        socket.on('close', () => resolve(received));
      });
      expect(statusLines(answer)).toEqual(['HTTP/1.1 413', 'HTTP/1.1 200']);
      expect(receiver.events().map((record) => record.event.name)).toEqual(['behind']);
    } finally {
      await receiver.close();
    }
  });

  it('a GET answered while its body still arrives closes the connection: no second, 408 answer later', async () => {
    const receiver = await startTestReceiver({ requestTimeout: '1s', headerTimeout: '500ms' });
    try {
      const answer = await new Promise<string>((resolve) => {
        const socket = net.connect(receiver.port, '127.0.0.1', () => socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n'));
        let received = '';
        const trickle = setInterval(() => !socket.destroyed && socket.write('x'), 200);
        socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
        socket.on('error', () => undefined);
        socket.on('close', () => {
          clearInterval(trickle);
          resolve(received);
        });
        setTimeout(() => socket.destroy(), 2500);
      });
      expect(statusLines(answer)).toEqual(['HTTP/1.1 200']);
      expect(answer).toMatch(/\r\nConnection: close\r\n/i);
    } finally {
      await receiver.close();
    }
  });

  it('says HTTP/2 is not served, in words', async () => {
    const receiver = await startTestReceiver();
    try {
      const answer = parseAnswer(await rawExchange(receiver.port, 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'));
      expect(answer.body).toMatchObject({ status: 400, detail: 'HTTP/2 is not served here: send HTTP/1.1 (curl --http1.1)' });
    } finally {
      await receiver.close();
    }
  });
});
