/**
 * Micro-benchmark: `parseCef` on Konnect CEF lines versus `JSON.parse` on the SAME events as
 * Konnect's compact JSON lines, in one process and one run.
 *
 * Corpus: the three Konnect event types (authentication incl. Dev Portal, authorization with and
 * without `actor_id`, access with `query={…}`), each line carrying an 86-character `sig`, as on
 * the wire. Every event differs (ids, addresses, times), so no string is parsed twice in a row.
 *
 * MB/s counts each format's own bytes (UTF-8); `ratio` = CEF MB/s ÷ JSON MB/s, the stricter
 * comparison (a Konnect CEF line is ~23% shorter than the same event in JSON, so equal MB/s means
 * CEF handles ~29% more events per second). `eventsRatio` compares events per second.
 * Rounds alternate between the two parsers; MB/s figures are median rounds, ratios the median of
 * per-round ratios (robust when other work shares the CPU).
 *
 * Run directly:
 *   npx tsc --strict --outDir /tmp/cefbench --module commonjs --target es2022 --esModuleInterop \
 *     --resolveJsonModule --skipLibCheck bench/cef-vs-json.ts && node /tmp/cefbench/bench/cef-vs-json.js [seconds]
 */
import { formatKonnectCef } from '../src/formats/cef/konnect-dialect';
import { parseCef } from '../src/formats/cef/parse';
import type { KonnectAuditEvent } from '../src/formats/cef/types';

export interface CefVsJsonResult {
  cefMBps: number;
  jsonMBps: number;
  /** CEF MB/s ÷ JSON MB/s (median of per-round ratios). */
  ratio: number;
  /** CEF events/s ÷ JSON events/s (median of per-round ratios). */
  eventsRatio: number;
  /** Events in each corpus (the same events in both formats). */
  events: number;
  cefEventsPerSec: number;
  jsonEventsPerSec: number;
  /** Mean line length in bytes. */
  cefBytesPerEvent: number;
  jsonBytesPerEvent: number;
}

/** Deterministic pseudo-random numbers (mulberry32), so every run parses the same corpus. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const USER_AGENTS = [
  'grpc-node/1.24.11 grpc-c/8.0.0 (linux; chttp2; ganges)',
  'grpc-node-js/1.12.4',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/113.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0',
  'kongctl/0.9.2 (linux; amd64) go1.24.1',
  'grpc-go/1.54.0',
];

/** The benchmark corpus: `count` Konnect events as CEF lines and as JSON lines. */
export function makeCorpus(count: number): { events: KonnectAuditEvent[]; cef: string[]; json: string[] } {
  const rnd = random(20250618);
  const hex = (n: number): string => {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(rnd() * 16)];
    return s;
  };
  const uuid = (): string => `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[Math.floor(rnd() * 4)]}${hex(3)}-${hex(12)}`;
  const sig = (): string => {
    const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    let s = '';
    for (let i = 0; i < 86; i++) s += abc[Math.floor(rnd() * 64)];
    return s;
  };
  const ip = (): string => `${10 + Math.floor(rnd() * 200)}.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}.${1 + Math.floor(rnd() * 254)}`;
  const traceId = (): bigint => BigInt(1_000_000_000_000_000_000n) + BigInt(Math.floor(rnd() * 8e15)) * 1000n + BigInt(Math.floor(rnd() * 1000));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;

  const events: KonnectAuditEvent[] = [];
  const cef: string[] = [];
  const json: string[] = [];
  let ms = Date.UTC(2025, 5, 18, 21, 0, 0);
  for (let i = 0; i < count; i++) {
    ms += Math.floor(rnd() * 5000);
    const event_ts = new Date(ms - (ms % 1000)).toISOString().replace('.000Z', 'Z');
    const base = { event_ts, cef_version: 0, event_vendor: 'KongInc', event_version: '1.0' };
    let event: KonnectAuditEvent;
    switch (i % 3) {
      case 0:
        event = {
          ...base,
          event_product: i % 2 === 0 ? 'Konnect' : 'Dev-Portal',
          event_class_id: pick(['AUTHENTICATION_TYPE_BASIC', 'AUTHENTICATION_TYPE_PAT', 'AUTHENTICATION_TYPE_SSO']),
          name: pick(['AUTHENTICATION_OUTCOME_SUCCESS', 'AUTHENTICATION_OUTCOME_INVALID_PASSWORD']),
          severity: 0,
          rt: ms,
          src: ip(),
          request: pick(['/api/v2/developer/authenticate', '/api/v1/personal-access-tokens/introspect', '/api/v1/authenticate']),
          success: true,
          org_id: uuid(),
          ...(i % 2 === 0 ? {} : { portal_id: uuid() }),
          principal_id: uuid(),
          trace_id: traceId(),
          user_agent: pick(USER_AGENTS),
        };
        break;
      case 1:
        event = {
          ...base,
          event_product: 'Konnect',
          event_class_id: pick(['konnect', 'identity']),
          name: pick(['Authz.control-planes', 'Authz.usage', 'Authz.portals', `Authz.control-planes/${uuid()}`]),
          severity: 1,
          rt: ms,
          src: ip(),
          action: pick(['list', 'retrieve', 'edit', 'read']),
          granted: true,
          org_id: uuid(),
          principal_id: uuid(),
          ...(rnd() < 0.5 ? { actor_id: '' } : {}),
          trace_id: traceId(),
          user_agent: pick(USER_AGENTS),
        };
        break;
      default:
        event = {
          ...base,
          event_product: 'Konnect',
          event_class_id: 'KongGateway',
          name: 'Ingress',
          severity: 1,
          rt: ms,
          src: ip(),
          request: pick([
            '/konnect-api/api/vitals/v1/explore',
            `/konnect-api/api/control_planes/${uuid()}/services`,
            '/konnect-api/api/runtime_groups',
          ]),
          act: pick(['POST', 'GET', 'PUT', 'DELETE']),
          status: pick([200, 201, 204]),
          org_id: uuid(),
          principal_id: uuid(),
          user_agent: pick(USER_AGENTS),
          trace_id: traceId(),
          query: rnd() < 0.6 ? `{"end":"${Math.floor(ms / 1000) + 3600}","start":"${Math.floor(ms / 1000) - 169200}"}` : '{}',
        };
    }
    const signature = sig();
    events.push(event);
    cef.push(`${formatKonnectCef(event)} sig=${signature}`);
    json.push(konnectJson(event, signature));
  }
  // Lines as the receiver sees them: split out of one decoded request body, not built by concatenation.
  const asReceived = (lines: string[]): string[] => Buffer.from(lines.join('\n'), 'utf8').toString('utf8').split('\n');
  return { events, cef: asReceived(cef), json: asReceived(json) };
}

/** Konnect's JSON line: compact, keys sorted, `sig` last, `trace_id` an unquoted (big) number. */
function konnectJson(event: KonnectAuditEvent, signature: string): string {
  const parts = Object.keys(event)
    .sort()
    .map((key) => {
      const value = event[key];
      const text = typeof value === 'bigint' ? value.toString() : JSON.stringify(value);
      return `${JSON.stringify(key)}:${text}`;
    });
  return `{${parts.join(',')},"sig":${JSON.stringify(signature)}}`;
}

function byteLength(lines: readonly string[]): number {
  let bytes = 0;
  for (const line of lines) bytes += Buffer.byteLength(line, 'utf8');
  return bytes;
}

let sink = 0;

function timeCef(lines: readonly string[]): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < lines.length; i++) {
    const result = parseCef(lines[i] as string);
    if (!result.ok) throw new Error(`benchmark corpus line ${i} did not parse`);
    sink += result.event.severityLevel ?? 0;
  }
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function timeJson(lines: readonly string[]): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < lines.length; i++) {
    const event = JSON.parse(lines[i] as string) as { severity: number };
    sink += event.severity;
  }
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

export async function runCefVsJsonBench(opts: { seconds?: number } = {}): Promise<CefVsJsonResult> {
  const seconds = opts.seconds ?? 3;
  const corpus = makeCorpus(3000);
  const cefBytes = byteLength(corpus.cef);
  const jsonBytes = byteLength(corpus.json);

  // Warm up both paths so the JIT has settled before anything is measured.
  for (let i = 0; i < 20; i++) {
    timeCef(corpus.cef);
    timeJson(corpus.json);
  }

  // Rounds alternate (CEF first, then JSON first) and the ratio is taken per round, then the
  // median: on a shared machine, load changes between rounds cancel out of each round's ratio.
  const cefRounds: number[] = [];
  const jsonRounds: number[] = [];
  const ratios: number[] = [];
  const eventRatios: number[] = [];
  const deadline = Date.now() + seconds * 1000;
  do {
    let cef: number;
    let json: number;
    if (cefRounds.length % 2 === 0) {
      cef = timeCef(corpus.cef);
      json = timeJson(corpus.json);
    } else {
      json = timeJson(corpus.json);
      cef = timeCef(corpus.cef);
    }
    cefRounds.push(cef);
    jsonRounds.push(json);
    ratios.push(cefBytes / cef / (jsonBytes / json));
    eventRatios.push(json / cef);
    await new Promise<void>((resolve) => setImmediate(resolve)); // stay polite inside a shared event loop
  } while (Date.now() < deadline || cefRounds.length < 5);

  const cefSeconds = median(cefRounds);
  const jsonSeconds = median(jsonRounds);
  const cefMBps = cefBytes / 1e6 / cefSeconds;
  const jsonMBps = jsonBytes / 1e6 / jsonSeconds;
  if (sink === -1) console.log(sink); // keep the results observable
  return {
    cefMBps,
    jsonMBps,
    ratio: median(ratios),
    eventsRatio: median(eventRatios),
    events: corpus.events.length,
    cefEventsPerSec: corpus.events.length / cefSeconds,
    jsonEventsPerSec: corpus.events.length / jsonSeconds,
    cefBytesPerEvent: cefBytes / corpus.events.length,
    jsonBytesPerEvent: jsonBytes / corpus.events.length,
  };
}

if (require.main === module) {
  const seconds = Number(process.argv[2] ?? 3);
  void runCefVsJsonBench({ seconds }).then((r) => {
    const row = (name: string, mbps: number, eps: number, bytes: number): string =>
      `${name.padEnd(12)} ${mbps.toFixed(1).padStart(8)} ${Math.round(eps).toLocaleString('en-US').padStart(12)} ${bytes.toFixed(0).padStart(10)}`;
    console.log(`${'parser'.padEnd(12)} ${'MB/s'.padStart(8)} ${'events/s'.padStart(12)} ${'bytes/evt'.padStart(10)}`);
    console.log(row('parseCef', r.cefMBps, r.cefEventsPerSec, r.cefBytesPerEvent));
    console.log(row('JSON.parse', r.jsonMBps, r.jsonEventsPerSec, r.jsonBytesPerEvent));
    console.log(`ratio CEF/JSON: ${r.ratio.toFixed(2)} by MB/s, ${r.eventsRatio.toFixed(2)} by events/s   (${r.events} events per corpus)`);
  });
}
