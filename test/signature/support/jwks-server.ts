/** A real HTTP server on 127.0.0.1 (port 0) serving a JWKS that a test can change or break. */

import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export const JWKS_PATH = '/v2/audit-log-webhook/jwks.json';

export interface JwksServer {
  url: string;
  /** Serve this body with 200. */
  serve(body: string): void;
  /** Answer with this status and body instead. */
  fail(status: number, body?: string): void;
  /** Accept requests and never answer them. */
  hang(): void;
  /** How many JWKS requests arrived. */
  requestCount(): number;
  lastHeaders(): IncomingHttpHeaders | undefined;
  close(): Promise<void>;
}

export async function startJwksServer(initialBody: string): Promise<JwksServer> {
  let hanging = false;
  let status = 200;
  let body = initialBody;
  let requests = 0;
  let headers: IncomingHttpHeaders | undefined;
  const server = createServer((request, response) => {
    if (request.url !== JWKS_PATH) {
      response.writeHead(404).end();
      return;
    }
    requests++;
    headers = request.headers;
    if (hanging) return;
    response.writeHead(status, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${JWKS_PATH}`,
    serve(newBody) {
      hanging = false;
      status = 200;
      body = newBody;
    },
    fail(newStatus, newBody = '{"status":500,"title":"Internal Server Error"}') {
      hanging = false;
      status = newStatus;
      body = newBody;
    },
    hang() {
      hanging = true;
    },
    requestCount: () => requests,
    lastHeaders: () => headers,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** Polls until `condition` holds; fails the test with `what` after `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
