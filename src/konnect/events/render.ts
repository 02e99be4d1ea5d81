/**
 * Turns a Konnect-shaped event into the signed lines Konnect would send (§3.4, §3.5, §4, §10):
 * CEF in Konnect's dialect, compact JSON with sorted keys, CPS as `{"event":{…}}`; each with its
 * Ed25519 signature appended as Konnect does.
 */
import type { KeyObject } from 'node:crypto';
import { formatKonnectCef, type KonnectAuditEvent } from '../../formats/cef';
import { stringifySorted } from '../../formats/json';
import { signLine } from '../../signature';
import type { StoredEvent } from '../event-store';
import { portalTarget, type LogFormat, type TargetKey } from '../model';

export type KonnectEvent = KonnectAuditEvent;

/** The unsigned line. JSON keys are sorted and a bigint `trace_id` is written as a bare integer. */
export function renderLine(event: KonnectEvent, format: LogFormat): string {
  switch (format) {
    case 'cef':
      return formatKonnectCef(event);
    case 'json':
      return stringifySorted(event);
    case 'cps':
      return `{"event":${stringifySorted(event)}}`;
  }
}

export function signedLine(event: KonnectEvent, format: LogFormat, key: KeyObject): string {
  return signLine(renderLine(event, format), format, key);
}

/** Dev Portal events go to that portal's webhook; everything else to the org webhook. */
export function targetOf(event: KonnectEvent): TargetKey {
  if (event.event_product === 'Dev-Portal' && typeof event.portal_id === 'string' && event.portal_id !== '') {
    return portalTarget(event.portal_id);
  }
  return 'org';
}

/** Event time in ms: `rt` when it is a number of ms, else `event_ts`, else now. */
export function eventTime(event: KonnectEvent, nowMs: number): number {
  const rt = typeof event.rt === 'bigint' ? Number(event.rt) : Number(event.rt);
  if (Number.isFinite(rt) && rt > 0) return rt;
  const ts = typeof event.event_ts === 'string' ? Date.parse(event.event_ts) : NaN;
  return Number.isFinite(ts) ? ts : nowMs;
}

/** The event signed in every format, ready for the store and the delivery queues. */
export function signEvent(event: KonnectEvent, key: KeyObject, nowMs: number = Date.now()): StoredEvent {
  return {
    at: eventTime(event, nowMs),
    target: targetOf(event),
    cef: signedLine(event, 'cef', key),
    json: signedLine(event, 'json', key),
    cps: signedLine(event, 'cps', key),
  };
}
