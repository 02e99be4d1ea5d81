/**
 * Events posted to the injection endpoint (`POST /stand-in/events`): Konnect JSON-shaped objects,
 * completed with defaults so that a test can send just `{"name":"AUTHENTICATION_OUTCOME_LOCKED"}`.
 * Problems come back as invalid_parameters items; nothing here throws for bad input.
 */
import { randomUUID } from 'node:crypto';
import { parseRfc3339 } from '../../formats/cef/timestamp';
import type { OrgProfile } from '../model';
import { traceId } from './generator';
import type { KonnectEvent } from './render';

export interface InvalidParameter {
  field: string;
  rule?: string;
  reason: string;
  choices?: string[];
}

const KEY = /^[a-z][a-z0-9_]*$/;
const LINE_BREAK = /[\r\n]/;
/** 9999-12-31T23:59:59.999Z: the last instant an RFC 3339 `event_ts` can write. */
const LATEST_RT = 253_402_300_799_999;
const HEADER_STRINGS = ['event_ts', 'event_vendor', 'event_product', 'event_version', 'event_class_id', 'name'] as const;

/**
 * Checks one injected event and fills in what is missing: header fields from its `name`,
 * `event_ts`/`rt` from each other or now, the stand-in's `org_id`, a random `principal_id`
 * and a 19-digit `trace_id`. `trace_id` may be given as a number or a string of digits; it is
 * sent as a bare integer either way. Any other lower_snake_case key is passed through.
 */
export function completeInjectedEvent(
  value: unknown,
  index: number,
  org: OrgProfile,
  nowMs: number,
  problems: InvalidParameter[],
): KonnectEvent | undefined {
  const at = (field: string) => `events[${index}].${field}`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push({ field: `events[${index}]`, rule: 'is_object', reason: 'must be a JSON object' });
    return undefined;
  }
  const input = value as Record<string, unknown>;
  const before = problems.length;
  const event: Record<string, string | number | boolean | bigint> = {};
  for (const [key, item] of Object.entries(input)) {
    if (!KEY.test(key)) {
      problems.push({ field: at(key), rule: 'matches_regex', reason: 'keys must be lower_snake_case' });
    } else if (key === 'sig') {
      problems.push({ field: at(key), rule: 'unknown_property', reason: 'is added by the stand-in when it signs the line' });
    } else if (key === 'trace_id') {
      if ((typeof item === 'string' && /^\d{1,19}$/.test(item)) || (typeof item === 'number' && Number.isSafeInteger(item) && item >= 0)) {
        event[key] = BigInt(item);
      } else {
        problems.push({ field: at(key), rule: 'is_integer', reason: 'must be a non-negative integer of at most 19 digits (number or string)' });
      }
    } else if (typeof item === 'string') {
      if (LINE_BREAK.test(item)) problems.push({ field: at(key), rule: 'invalid', reason: 'must not contain a line break' });
      else event[key] = item;
    } else if (typeof item === 'number' || typeof item === 'boolean') {
      event[key] = item;
    } else {
      problems.push({ field: at(key), rule: 'is_string', reason: 'must be a string, number or boolean' });
    }
  }
  for (const key of HEADER_STRINGS) {
    if (key in event && typeof event[key] !== 'string') problems.push({ field: at(key), rule: 'is_string', reason: 'must be a string' });
  }
  if (typeof event.name !== 'string' || event.name === '') {
    problems.push({ field: at('name'), rule: 'required', reason: 'is required (AUTHENTICATION_OUTCOME_*, Authz.<resource> or Ingress)' });
  }
  if (typeof event.event_ts === 'string') {
    const instant = parseRfc3339(event.event_ts);
    // Its instant becomes `rt` when none is given, so it must be one an `rt` may be.
    if (!(instant >= 0 && instant <= LATEST_RT)) {
      problems.push({ field: at('event_ts'), rule: 'is_date_time', reason: 'must be an RFC 3339 date-time that exists, from 1970 to 9999 in UTC (2025-06-18T21:02:36Z)' });
    }
  }
  const rtGiven = typeof event.rt === 'number' ? event.rt : typeof event.rt === 'string' && /^\d+$/.test(event.rt) ? Number(event.rt) : undefined;
  if (rtGiven !== undefined && !(Number.isSafeInteger(rtGiven) && rtGiven >= 0 && rtGiven <= LATEST_RT)) {
    // Text that is no time (`3958q3097698`, as in Konnect's examples) passes through as it is.
    problems.push({ field: at('rt'), rule: 'is_integer', reason: `must be epoch milliseconds, an integer from 0 to ${LATEST_RT} (year 9999)` });
  }
  if (problems.length > before) return undefined;

  const name = event.name as string;
  const kind = name.startsWith('AUTHENTICATION_OUTCOME') ? 'authentication' : name.startsWith('Authz.') ? 'authorization' : 'access';
  const defaults: Record<string, string | number | boolean | bigint> = {
    cef_version: 0,
    event_vendor: 'KongInc',
    event_product: event.portal_id !== undefined ? 'Dev-Portal' : 'Konnect',
    event_version: '1.0',
    event_class_id: kind === 'authentication' ? 'AUTHENTICATION_TYPE_PAT' : kind === 'authorization' ? 'konnect' : 'KongGateway',
    severity: defaultSeverity(kind, name, event),
    src: '127.0.0.6',
    org_id: org.org_id,
    principal_id: randomUUID(),
    trace_id: traceId(),
    user_agent: '',
  };
  let rt = rtGiven;
  if (rt === undefined && typeof event.event_ts === 'string') rt = parseRfc3339(event.event_ts);
  rt ??= nowMs;
  const completed: Record<string, string | number | boolean | bigint> = {
    event_ts: new Date(rt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    ...defaults,
    rt,
    ...event,
  };
  return completed as KonnectEvent;
}

function defaultSeverity(kind: string, name: string, event: Record<string, unknown>): number {
  if (kind === 'authentication') {
    if (name.endsWith('_SUCCESS')) return 0;
    if (name.endsWith('_LOCKED') || name.endsWith('_DISABLED')) return 6;
    if (name.endsWith('_INVALID')) return 7;
    return 1;
  }
  if (kind === 'authorization') return event.granted === false ? 6 : 1;
  const status = Number(event.status);
  return status === 500 ? 10 : status === 401 || status === 403 ? 6 : 1;
}
