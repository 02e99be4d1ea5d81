/**
 * The load: autocannon over loopback, closed loop (each connection sends its next request when
 * the previous one is answered), pipelining 1.
 *
 * A run ends by draining, not by cutting: when the time is up, every connection stops sending but
 * waits for the answer to the request it has in flight. So every request the server received
 * was answered and counted, and "events in the output file = acknowledged requests × events per
 * request" can be checked exactly. (autocannon's own `duration` destroys the sockets instead, and
 * a request the server already wrote would then be missing from the count.)
 */
import autocannon from 'autocannon';
import type { Payload } from './events';

export interface LoadOptions {
  url: string;
  authorization: string;
  payloads: readonly Payload[];
  gzip: boolean;
  connections: number;
  seconds: number;
}

export interface LoadResult {
  /** Wall time from the first request to the last answer, in seconds. */
  elapsedSeconds: number;
  /** Requests answered with 2xx. */
  acknowledged: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Response time of every 2xx answer, in ms (autocannon's measure), for exact percentiles. */
  latenciesMs: number[];
  /** Events and decoded bytes in the acknowledged requests. */
  events: number;
  decodedBytes: number;
}

/** The part of autocannon's client this driver uses; @types/autocannon does not declare it. */
interface DrainableClient {
  reqsMade: number;
  responseMax: number | undefined;
  destroy(): void;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { payloads } = options;
  const headers: Record<string, string> = {
    'content-type': 'text/plain',
    authorization: options.authorization,
    ...(options.gzip ? { 'content-encoding': 'gzip' } : {}),
  };
  // Each connection cycles through the same distinct bodies. With pipelining 1 and one body per
  // request, a 2xx answer for request i means payload i % payloads.length was acknowledged.
  const requests = payloads.map((payload) => ({ method: 'POST' as const, headers, body: payload.body }));

  const clients: DrainableClient[] = [];
  let draining = false;
  let lastResponseAt = 0;
  let acknowledgedEvents = 0;
  let acknowledgedBytes = 0;
  const latenciesMs: number[] = [];

  const started = performance.now();
  let finish: (error: Error | null, result: autocannon.Result) => void = () => undefined;
  const finished = new Promise<autocannon.Result>((resolve, reject) => {
    finish = (error, result) => (error ? reject(error) : resolve(result));
  });
  const instance = autocannon({
    url: options.url,
    method: 'POST',
    connections: options.connections,
    pipelining: 1,
    timeout: 10,
    sampleInt: 250,
    // A safety net only: the run normally ends by draining (below), well before this.
    duration: options.seconds + 30,
    requests,
    setupClient: (client) => {
      clients.push(client as unknown as DrainableClient);
    },
  }, (error, result) => finish(error, result));
  // Count what each acknowledged request carried. autocannon cycles requests per connection, so
  // keep a per-connection cursor.
  const cursor = new Map<unknown, number>();
  instance.on('response', (client: autocannon.Client, statusCode: number, _bytes: number, responseTime: number) => {
    lastResponseAt = performance.now();
    const index = cursor.get(client) ?? 0;
    cursor.set(client, index + 1);
    if (statusCode >= 200 && statusCode < 300) {
      const payload = payloads[index % payloads.length]!;
      acknowledgedEvents += payload.events;
      acknowledgedBytes += payload.decodedBytes;
      latenciesMs.push(responseTime);
    }
  });

  const drainTimer = setTimeout(() => {
    draining = true;
    for (const client of clients) {
      // The client checks this before each new request; reaching it, it closes and reports done.
      if (client.reqsMade > 0) client.responseMax = client.reqsMade;
      else client.destroy();
    }
  }, options.seconds * 1000);

  const result = await finished;
  clearTimeout(drainTimer);
  if (!draining) throw new Error('the load ended before its time: autocannon stopped on its own');

  return {
    elapsedSeconds: ((lastResponseAt || performance.now()) - started) / 1000,
    acknowledged: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    latenciesMs,
    events: acknowledgedEvents,
    decodedBytes: acknowledgedBytes,
  };
}

/** The q-quantile (0..1) of a sample, nearest rank. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
