/**
 * Slow clients: a raw socket that sends its headers byte by byte, slower than --header-timeout
 * allows (slowloris), is cut off; so is one that sends its body slower than --request-timeout
 * allows. Meanwhile the receiver keeps serving everyone else.
 */
import http from 'node:http';
import net from 'node:net';
import { AUTH, numberedEvent, post, sleep, spawnReceiver, strictRecords, type SpawnedReceiver } from './support';

jest.setTimeout(30_000);

interface SlowSocket {
  /** Resolves with how long the socket lived and what the server sent before closing it. */
  closed: Promise<{ ms: number; received: string; bytesSent: number }>;
  stop(): void;
}

/** Connect and send `text` one byte every `intervalMs`, after an optional `prefix` sent at once. */
function dribble(port: number, prefix: string, text: string, intervalMs: number): SlowSocket {
  const startedAt = Date.now();
  const socket = net.connect({ host: '127.0.0.1', port });
  let received = '';
  let bytesSent = 0;
  let timer: NodeJS.Timeout | undefined;
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  socket.on('connect', () => {
    if (prefix) socket.write(prefix);
    bytesSent += prefix.length;
    let index = 0;
    timer = setInterval(() => {
      if (index >= text.length || socket.destroyed) return clearInterval(timer);
      socket.write(text[index++]!);
      bytesSent++;
    }, intervalMs);
  });
  const closed = new Promise<{ ms: number; received: string; bytesSent: number }>((resolve) =>
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ ms: Date.now() - startedAt, received, bytesSent });
    }),
  );
  return { closed, stop: () => socket.destroy() };
}

describe('slow clients', () => {
  let receiver: SpawnedReceiver | undefined;
  const sockets: SlowSocket[] = [];
  afterEach(async () => {
    sockets.splice(0).forEach((socket) => socket.stop());
    await receiver?.cleanup();
    receiver = undefined;
  });

  it('cuts off headers sent slower than --header-timeout and bodies slower than --request-timeout, and keeps serving others meanwhile', async () => {
    receiver = await spawnReceiver({ flags: ['--header-timeout', '1s', '--request-timeout', '3s'] });
    const headers = `Host: 127.0.0.1\r\nAuthorization: ${AUTH}\r\nContent-Type: text/plain\r\nContent-Length: 400\r\n\r\n`;
    const body = `${numberedEvent(999)}\n`.padEnd(400, ' ');

    // 20 slowloris connections: headers at one byte per 100 ms would need ~12 s.
    const slowloris = Array.from({ length: 20 }, () => dribble(receiver!.port, 'POST /audit-logs HTTP/1.1\r\n', headers, 100));
    // 5 connections whose headers arrive at once but whose body trickles (one byte per 50 ms: 20 s).
    const slowBodies = Array.from({ length: 5 }, () => dribble(receiver!.port, `POST /audit-logs HTTP/1.1\r\n${headers}`, body, 50));
    sockets.push(...slowloris, ...slowBodies);

    // Everyone else is served, promptly, the whole time.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    const latencies: number[] = [];
    const deadline = Date.now() + 4_500;
    let seq = 0;
    while (Date.now() < deadline) {
      const startedAt = Date.now();
      const answer = await post(receiver.url, numberedEvent(seq), { agent });
      latencies.push(Date.now() - startedAt);
      expect(answer.status).toBe(200);
      seq += 2;
      await sleep(50);
    }
    agent.destroy();

    const slowlorisEnds = await Promise.all(slowloris.map((socket) => socket.closed));
    for (const { ms, received, bytesSent } of slowlorisEnds) {
      // Cut after --header-timeout (checked every second), long before the headers were complete.
      expect(ms).toBeGreaterThanOrEqual(900);
      expect(ms).toBeLessThan(3_500);
      expect(bytesSent).toBeLessThan(`POST /audit-logs HTTP/1.1\r\n${headers}`.length);
      expect(received).toMatch(/^(HTTP\/1\.1 408 |$)/);
    }
    const slowBodyEnds = await Promise.all(slowBodies.map((socket) => socket.closed));
    for (const { ms, received } of slowBodyEnds) {
      expect(ms).toBeGreaterThanOrEqual(2_900);
      expect(ms).toBeLessThan(6_000);
      expect(received).not.toMatch(/^HTTP\/1\.1 200/);
    }
    expect(Math.max(...latencies)).toBeLessThan(1_000);
    expect(latencies.length).toBeGreaterThan(10);
    expect(receiver.child.exitCode).toBeNull();

    // Only the well-behaved requests were written; nothing of the cut-off ones.
    expect(await receiver.stop('SIGTERM')).toBe(0);
    const seqs = strictRecords(receiver.eventsFile).map((record) => record.event.seq);
    expect(seqs).toEqual(Array.from({ length: latencies.length }, (_, index) => index * 2));
    const span = (ends: Array<{ ms: number }>) => `${Math.min(...ends.map((end) => end.ms))}–${Math.max(...ends.map((end) => end.ms))} ms`;
    process.stderr.write(
      `slow clients: 20 slowloris sockets cut after ${span(slowlorisEnds)}, 5 slow bodies after ${span(slowBodyEnds)}; ` +
        `${latencies.length} other requests served meanwhile, slowest ${Math.max(...latencies)} ms\n`,
    );
  });
});
