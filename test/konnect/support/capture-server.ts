/**
 * A real HTTP(S) server on 127.0.0.1 that records every delivery (headers, gzip'd body, lines)
 * and answers from a script: one answer per request, the last one repeating.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';

export interface Answer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
  /** Wait this long before answering. */
  delayMs?: number;
}

export interface Delivery {
  at: number;
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  /** The body as received (gzip'd). */
  raw: Buffer;
  /** The decompressed body split into lines, the empty last piece left out. */
  lines: string[];
  /** The decompressed body. */
  text: string;
}

export interface CaptureServer {
  url: string;
  port: number;
  deliveries: Delivery[];
  /** Every line of every delivery, in order. */
  lines(): string[];
  setAnswers(answers: Answer[]): void;
  close(): Promise<void>;
}

export interface Certificate {
  cert: Buffer;
  key: Buffer;
}

/** A self-signed certificate for 127.0.0.1 made with the openssl command line. */
export function selfSignedCertificate(): Certificate {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'konnect-cert-'));
  try {
    const keyFile = path.join(directory, 'key.pem');
    const certFile = path.join(directory, 'cert.pem');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1',
    ], { stdio: 'ignore' });
    return { cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) };
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
}

export async function startCaptureServer(answers: Answer[] = [{ status: 202, body: '{"accepted":true}' }], tls?: Certificate): Promise<CaptureServer> {
  let script = answers;
  const deliveries: Delivery[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const handler: http.RequestListener = (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks);
      let text = '';
      try {
        // By its magic bytes, whichever spelling Content-Encoding uses (gzip, application/gzip, x-gzip).
        text = raw[0] === 0x1f && raw[1] === 0x8b ? zlib.gunzipSync(raw).toString('utf8') : raw.toString('utf8');
      } catch {
        text = '';
      }
      const lines = text.split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      const index = deliveries.length;
      deliveries.push({ at: Date.now(), method: request.method ?? '', url: request.url ?? '', headers: request.headers, raw, lines, text });
      const answer = script[Math.min(index, script.length - 1)]!;
      const send = () => {
        response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        response.end(answer.body ?? '');
      };
      if (answer.delayMs) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          send();
        }, answer.delayMs);
        timers.add(timer);
      } else send();
    });
  };
  const server = tls ? https.createServer({ cert: tls.cert, key: tls.key }, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}/audit-logs`,
    port,
    deliveries,
    lines: () => deliveries.flatMap((delivery) => delivery.lines),
    setAnswers(next) {
      script = next;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
