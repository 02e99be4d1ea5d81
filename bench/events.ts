/**
 * Realistic Konnect audit events for the load cases: the three event types Konnect sends
 * (authentication incl. Dev Portal, authorization, access), shaped like the examples in
 * konnect-audit-logs.md §3.4/§3.5, each one different (ids, addresses, times), each signed with
 * Ed25519 exactly as Konnect signs (the receiver can verify them against the JWKS we publish).
 *
 * JSON lines are Konnect's form: compact, keys sorted, `trace_id` a bare 19-digit integer,
 * `sig` appended last. CEF lines are Konnect's dialect with ` sig=` at the end.
 */
import { gzipSync } from 'node:zlib';
import type { KeyObject } from 'node:crypto';
import { formatKonnectCef, type KonnectAuditEvent } from '../src/formats/cef';
import { stringifySorted } from '../src/formats/json/stringify';
import { signLine } from '../src/signature';

export type LineFormat = 'json' | 'cef';

/** Deterministic pseudo-random numbers (mulberry32): every run sends the same corpus. */
export function prng(seed: number): () => number {
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
  'grpc-go/1.54.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/113.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0',
  'kongctl/0.9.2 (linux; amd64) go1.24.1',
];

/**
 * `count` distinct Konnect events, in a fixed order that cycles auth, authz, access, authz:
 * authorization events (one per permission check) are the most frequent in a real org log.
 */
export function makeKonnectEvents(count: number, seed = 20250618): KonnectAuditEvent[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const hex = (n: number): string => {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(rnd() * 16)];
    return s;
  };
  const uuid = (): string => `${hex(8)}-${hex(4)}-4${hex(3)}-${pick(['8', '9', 'a', 'b'])}${hex(3)}-${hex(12)}`;
  const ip = (): string =>
    `${11 + Math.floor(rnd() * 180)}.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}.${1 + Math.floor(rnd() * 254)}`;
  // 19 digits, above 2^53, as Konnect's trace ids are.
  const traceId = (): bigint => 1_000_000_000_000_000_000n + BigInt(Math.floor(rnd() * 8e15)) * 1000n + BigInt(Math.floor(rnd() * 1000));
  const orgs = [uuid(), uuid(), uuid()];

  const events: KonnectAuditEvent[] = [];
  let ms = Date.UTC(2025, 5, 18, 21, 0, 0);
  for (let i = 0; i < count; i++) {
    ms += Math.floor(rnd() * 2000);
    const event_ts = new Date(ms - (ms % 1000)).toISOString().replace('.000Z', 'Z');
    const base = { event_ts, cef_version: 0, event_vendor: 'KongInc', event_version: '1.0' };
    switch (i % 4) {
      case 0: {
        const portal = i % 8 === 4; // every other authentication event is a Dev Portal login
        events.push({
          ...base,
          event_product: portal ? 'Dev-Portal' : 'Konnect',
          event_class_id: pick(['AUTHENTICATION_TYPE_BASIC', 'AUTHENTICATION_TYPE_PAT', 'AUTHENTICATION_TYPE_SSO']),
          name: 'AUTHENTICATION_OUTCOME_SUCCESS',
          severity: 0,
          rt: String(ms), // §3.5 reference examples: rt and success as strings
          src: ip(),
          request: portal ? '/api/v2/developer/authenticate' : pick(['/api/v1/personal-access-tokens/introspect', '/api/v1/authenticate']),
          success: 'true',
          org_id: pick(orgs),
          ...(portal ? { portal_id: uuid() } : {}),
          principal_id: uuid(),
          trace_id: traceId(),
          user_agent: pick(USER_AGENTS),
        });
        break;
      }
      case 1:
      case 3:
        events.push({
          ...base,
          event_product: 'Konnect',
          event_class_id: pick(['konnect', 'identity']),
          name: pick(['Authz.control-planes', 'Authz.usage', 'Authz.portals', `Authz.control-planes/${uuid()}`]),
          severity: 1,
          rt: ms, // §3.5 verification example: rt as a number
          src: ip(),
          action: pick(['list', 'retrieve', 'edit', 'read']),
          granted: true,
          org_id: pick(orgs),
          principal_id: uuid(),
          ...(rnd() < 0.5 ? { actor_id: '' } : {}),
          trace_id: traceId(),
          user_agent: pick(USER_AGENTS),
        });
        break;
      default:
        events.push({
          ...base,
          event_product: 'Konnect',
          event_class_id: 'KongGateway',
          name: 'Ingress',
          severity: 1,
          rt: String(ms),
          src: ip(),
          request: pick([
            '/konnect-api/api/vitals/v1/explore',
            `/konnect-api/api/control_planes/${uuid()}/services`,
            '/konnect-api/api/runtime_groups',
          ]),
          act: pick(['POST', 'PUT', 'DELETE']),
          status: pick([200, 201, 204]),
          org_id: pick(orgs),
          principal_id: uuid(),
          user_agent: pick(USER_AGENTS),
          trace_id: traceId(),
          query: rnd() < 0.6 ? `{"end":"${Math.floor(ms / 1000) + 3600}","start":"${Math.floor(ms / 1000) - 169200}"}` : '{}',
        });
    }
  }
  return events;
}

/** One event as Konnect puts it on the wire, signed. */
export function konnectLine(event: KonnectAuditEvent, format: LineFormat, privateKey: KeyObject): string {
  const unsigned = format === 'json' ? stringifySorted(event) : formatKonnectCef(event);
  return signLine(unsigned, format, privateKey);
}

/** A request body ready to send, with what it holds. */
export interface Payload {
  body: Buffer;
  /** Events in the body. */
  events: number;
  /** Bytes of the decoded body (the event lines and the newlines between them). */
  decodedBytes: number;
}

export interface PayloadSet {
  format: LineFormat;
  eventsPerRequest: number;
  gzip: boolean;
  payloads: Payload[];
  /** Mean bytes of one event line (UTF-8, without the newline). */
  meanEventBytes: number;
  /** Mean bytes of one body as sent. */
  meanBodyBytes: number;
}

/**
 * `requests` distinct bodies of `eventsPerRequest` events each: newline-separated lines (no
 * trailing newline), gzip'd when asked. Every event in the set is different.
 */
export function makePayloads(options: {
  format: LineFormat;
  eventsPerRequest: number;
  requests: number;
  gzip: boolean;
  privateKey: KeyObject;
}): PayloadSet {
  const { format, eventsPerRequest, requests, gzip, privateKey } = options;
  const events = makeKonnectEvents(eventsPerRequest * requests);
  const payloads: Payload[] = [];
  let lineBytes = 0;
  for (let r = 0; r < requests; r++) {
    const lines = events.slice(r * eventsPerRequest, (r + 1) * eventsPerRequest).map((event) => konnectLine(event, format, privateKey));
    const decoded = Buffer.from(lines.join('\n'), 'utf8');
    lineBytes += decoded.length - (lines.length - 1);
    payloads.push({ body: gzip ? gzipSync(decoded) : decoded, events: lines.length, decodedBytes: decoded.length });
  }
  return {
    format,
    eventsPerRequest,
    gzip,
    payloads,
    meanEventBytes: lineBytes / events.length,
    meanBodyBytes: payloads.reduce((sum, p) => sum + p.body.length, 0) / payloads.length,
  };
}
