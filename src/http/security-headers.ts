import type { RequestHandler } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';

/**
 * helmet's headers, worked out once: with no per-request option (no CSP nonce) helmet sets the
 * same headers on every response, and running its dozen middlewares per request cost about 4%
 * of the receiver's CPU. Each response gets them with one setHeaders call.
 */
export function securityHeaders(): (request: IncomingMessage, response: ServerResponse, next: () => void) => void {
  const { headers, removals } = helmetHeaders();
  return (_request, response, next) => {
    for (const name of removals) response.removeHeader(name); // X-Powered-By
    response.setHeaders(headers);
    next();
  };
}

export interface HelmetHeaders {
  headers: Map<string, string | number | readonly string[]>;
  /** Headers helmet removes (X-Powered-By). */
  removals: readonly string[];
}

/** What helmet sets and removes on every response, recorded once (also for answers written outside Express). */
export function helmetHeaders(): HelmetHeaders {
  const headers = new Map<string, string | number | readonly string[]>();
  const removed = new Set<string>();
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) => void headers.set(name, value),
    removeHeader: (name: string) => {
      headers.delete(name);
      removed.add(name);
    },
  };
  let finished = false;
  helmet()(
    {} as Parameters<RequestHandler>[0],
    recorder as unknown as Parameters<RequestHandler>[1],
    (error?: unknown) => {
      if (error) throw error;
      finished = true;
    },
  );
  if (!finished) throw new Error('helmet did not finish synchronously; its headers cannot be worked out once');
  return { headers, removals: [...removed] };
}
