/**
 * Backpressure: more concurrent request data than --max-in-flight gets 503 with Retry-After,
 * answered while the bodies are still arriving (nothing is buffered past the bound), the budget
 * is given back afterwards, and the receiver's memory (RSS from /proc/PID/status) stays bounded
 * under a flood many times the bound, decompression bombs included.
 */
import http from 'node:http';
import net from 'node:net';
import zlib from 'node:zlib';
import { AUTH, eventually, get, memoryOf, numberedEvent, pool, post, sleep, spawnReceiver, strictRecords, type SpawnedReceiver } from './support';

jest.setTimeout(60_000);

const MB = 1024 * 1024;
const MAX_BODY = MB;
const MAX_IN_FLIGHT = 4 * MB;

/** One raw HTTP request that sends its headers and part of its body, then waits. */
interface HeldRequest {
  socket: net.Socket;
  /** Everything the server sent so far. */
  received(): string;
  closed: Promise<void>;
  finish(): void;
}

function holdRequest(port: number, body: Buffer, sendFirst: number): Promise<HeldRequest> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.write(
        `POST /audit-logs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${AUTH}\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
      );
      socket.write(body.subarray(0, sendFirst));
      resolve({
        socket,
        received: () => Buffer.concat(chunks).toString('latin1'),
        closed,
        finish: () => {
          if (!socket.destroyed) socket.write(body.subarray(sendFirst));
        },
      });
    });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined); // a reset after a 503 is fine; what was received counts
    const closed = new Promise<void>((done) => socket.on('close', () => done()));
    socket.once('error', (error) => (socket.connecting ? reject(error) : undefined));
  });
}

/** A body of valid NDJSON events, `bytes` long. */
function eventsBody(bytes: number, firstSeq: number): Buffer {
  const lines: string[] = [];
  let size = 0;
  for (let seq = firstSeq; size < bytes - 600; seq += 2) {
    const line = `${numberedEvent(seq)}\n`;
    lines.push(line);
    size += line.length;
  }
  const text = lines.join('');
  return Buffer.from(text + ' '.repeat(bytes - text.length - 1) + '\n');
}

describe('backpressure: the in-flight bound', () => {
  let receiver: SpawnedReceiver | undefined;
  afterEach(async () => {
    await receiver?.cleanup();
    receiver = undefined;
  });

  it('answers 503 with Retry-After once the bytes held pass --max-in-flight, before the bodies are complete, and gives the budget back', async () => {
    receiver = await spawnReceiver({ flags: ['--max-body', `${MAX_BODY}`, '--max-in-flight', `${MAX_IN_FLIGHT}`, '--log-level', 'warn'] });
    const body = eventsBody(MAX_BODY, 0);
    const held: HeldRequest[] = [];
    try {
      // 10 requests each hold 600 KB of their 1 MB body: 6 MB offered against a 4 MB bound.
      for (let index = 0; index < 10; index++) {
        held.push(await holdRequest(receiver.port, body, 600 * 1024));
        await sleep(30);
      }
      await eventually(
        () => held.filter((request) => request.received().startsWith('HTTP/1.1 503')).length >= 4,
        10_000,
        'the requests past the bound to be refused',
      );
      await sleep(300); // let every byte sent so far reach the receiver, then look once
      const refused = held.filter((request) => request.received().startsWith('HTTP/1.1 503'));
      const waiting = held.filter((request) => request.received() === '');
      for (const request of refused) {
        expect(request.received()).toMatch(/\r\nretry-after: [1-9]\d*\r\n/i);
        expect(request.received()).toMatch(/application\/problem\+json/);
        expect(request.received()).toMatch(/--max-in-flight/);
      }
      // The others are still waiting for the rest of their bodies: nothing answered them yet,
      // and what they sent is exactly what is held, within the bound.
      expect(refused.length + waiting.length).toBe(held.length);
      expect(waiting.length).toBeGreaterThanOrEqual(4);
      const metrics = (await get(`${receiver.origin}/metrics`)).text;
      const inFlight = Number(/^audit_relay_in_flight_bytes (\d+)/m.exec(metrics)?.[1]);
      expect(inFlight).toBe(waiting.length * 600 * 1024);
      expect(inFlight).toBeLessThanOrEqual(MAX_IN_FLIGHT);

      // The waiting ones finish, one at a time: each gets 200 or, if the bound is still in the way, 503.
      for (const request of waiting) {
        request.finish();
        await request.closed;
        expect(request.received()).toMatch(/^HTTP\/1\.1 (200|503) /);
      }
      expect(waiting.filter((request) => request.received().startsWith('HTTP/1.1 200')).length).toBeGreaterThan(0);
    } finally {
      held.forEach((request) => request.socket.destroy());
    }

    // Everything is given back: the gauge returns to 0 and a full-size request fits again.
    await eventually(async () => /^audit_relay_in_flight_bytes 0$/m.test((await get(`${receiver!.origin}/metrics`)).text), 5_000, 'in-flight bytes back to 0');
    expect((await post(receiver.url, body)).status).toBe(200);
  });

  it('keeps RSS bounded under a flood of concurrent bodies and decompression bombs many times the bound', async () => {
    const maxBody = 2 * MB;
    const maxInFlight = 8 * MB;
    // Every body is the same: with deduplication off, each acknowledged one is written, and counted below.
    receiver = await spawnReceiver({ flags: ['--max-body', `${maxBody}`, '--max-in-flight', `${maxInFlight}`, '--log-level', 'error', '--dedup-window', '0'] });
    // Cheap to process, so the flood is about holding bytes: one event, then blank space up to the size.
    const event = `${numberedEvent(2)}\n`;
    const plain = Buffer.from(event + ' '.repeat(maxBody - event.length - 1) + '\n');
    const gzipped = zlib.gzipSync(plain); // ~2 KB as sent, 2 MB decoded
    const bomb = zlib.gzipSync(Buffer.alloc(4 * maxBody, 0x20), { level: 9 }); // ~8 KB as sent, past --max-body decoded
    const clients = 128;
    const agent = new http.Agent({ keepAlive: true, maxSockets: clients });

    // Warm up (JIT, lazy modules, first GCs), then take the baseline.
    await pool(6, 2, () => post(receiver!.url, gzipped, { headers: { 'content-encoding': 'gzip' }, agent }));
    await sleep(100);
    const baseline = memoryOf(receiver.pid).rss;

    let sampling = true;
    let highest = baseline;
    const sampler = (async () => {
      while (sampling) {
        highest = Math.max(highest, memoryOf(receiver!.pid).rss);
        await sleep(5);
      }
    })();
    const statuses = new Map<string, number>();
    const count = (key: string) => statuses.set(key, (statuses.get(key) ?? 0) + 1);
    let sent = 0;
    const startedAt = Date.now();
    await pool(2 * clients, clients, async (index) => {
      const [payload, headers] =
        index % 3 === 0 ? [plain, {}] : index % 3 === 1 ? [gzipped, { 'content-encoding': 'gzip' }] : [bomb, { 'content-encoding': 'gzip' }];
      sent += payload.length;
      try {
        const answer = await post(receiver!.url, payload, { headers, agent });
        count(String(answer.status));
        if (answer.status === 503 && !/^[1-9]\d*$/.test(String(answer.headers['retry-after']))) count('503 without Retry-After');
      } catch (error) {
        count(`error ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`); // a refused upload may be cut off
      }
    });
    const seconds = (Date.now() - startedAt) / 1000;
    sampling = false;
    await sampler;
    agent.destroy();
    const { rss, peak } = memoryOf(receiver.pid);
    const top = Math.max(highest, peak);
    const growth = top - baseline;
    // What the flood puts in front of the receiver at once: every client's body as sent or decoded.
    const offeredAtOnce = clients * maxBody;
    process.stderr.write(
      `backpressure: ${clients} concurrent clients, ${(offeredAtOnce / MB).toFixed(0)} MB offered at once (${(sent / MB).toFixed(0)} MB sent, ` +
        `plus what decodes), in ${seconds.toFixed(1)} s, bound ${maxInFlight / MB} MB: ${JSON.stringify(Object.fromEntries(statuses))}; ` +
        `RSS baseline ${(baseline / MB).toFixed(0)} MB, peak ${(top / MB).toFixed(0)} MB (+${(growth / MB).toFixed(0)} MB), after ${(rss / MB).toFixed(0)} MB\n`,
    );

    expect(statuses.get('503 without Retry-After')).toBeUndefined();
    expect(statuses.get('503') ?? 0).toBeGreaterThan(0);
    expect(statuses.get('200') ?? 0).toBeGreaterThan(0);
    // Every bomb is refused: 413 at the decoded cap (or 503 when even its few bytes did not fit).
    expect(statuses.get('413') ?? 0).toBeGreaterThan(0);
    expect(statuses.get('413') ?? 0).toBeLessThanOrEqual(Math.ceil((2 * clients) / 3));
    expect([...statuses.keys()].filter((key) => !/^(200|413|503|error )/.test(key))).toEqual([]);
    // Held at once: the 8 MB bound, at most four decodings of 2 MB, and the collector's slack;
    // without the bound (or with every bomb decoding at once) it is 200 MB and more.
    expect(growth).toBeLessThan(100 * MB);
    expect(receiver.child.exitCode).toBeNull();
    expect((await get(`${receiver.origin}/healthz`)).status).toBe(200);

    // What was acknowledged is written in full: one event per acknowledged body.
    expect(await receiver.stop('SIGTERM')).toBe(0);
    expect(strictRecords(receiver.eventsFile)).toHaveLength(6 + (statuses.get('200') ?? 0));
  });
});
