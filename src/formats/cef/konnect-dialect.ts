/**
 * Konnect's CEF dialect (konnect-audit-logs.md §3.4): `<event_ts> konghq.com CEF:0|…|k=v …`, in
 * Konnect's own field order and with NO escaping (Konnect writes values verbatim). The signer
 * appends ` sig=…` afterwards, so the line written here is exactly the signed bytes.
 */
import type { CefEvent, CefExtensionInput, KonnectAuditEvent } from './types';

export type KonnectEventType = 'authentication' | 'authorization' | 'access';

/** Header keys of the JSON shape; they never become extensions. `sig` is the signer's business. */
const HEADER_KEYS: ReadonlySet<string> = new Set([
  'event_ts', 'cef_version', 'event_vendor', 'event_product', 'event_version', 'event_class_id', 'name', 'severity', 'sig',
]);

/**
 * Extension order per event type, as in the §3.4 examples. `kong_initiated` and `principal_name`
 * appear in no example; they are placed after the documented keys (position unconfirmed).
 */
export const KONNECT_FIELD_ORDER: Readonly<Record<KonnectEventType | 'unknown', readonly string[]>> = {
  authentication: ['rt', 'src', 'request', 'success', 'org_id', 'portal_id', 'principal_id', 'trace_id', 'user_agent', 'kong_initiated', 'principal_name'],
  authorization: ['rt', 'src', 'action', 'granted', 'org_id', 'principal_id', 'actor_id', 'trace_id', 'user_agent', 'kong_initiated', 'principal_name'],
  access: ['rt', 'src', 'request', 'act', 'status', 'org_id', 'principal_id', 'user_agent', 'trace_id', 'query', 'kong_initiated', 'principal_name'],
  unknown: ['rt', 'src', 'request', 'action', 'granted', 'act', 'status', 'success', 'org_id', 'portal_id', 'principal_id', 'actor_id', 'trace_id', 'user_agent', 'query', 'kong_initiated', 'principal_name'],
};

/** Which of the three Konnect event types this is: by `name` (as Kong advises), else by its keys. */
export function konnectEventType(event: Pick<KonnectAuditEvent, 'name' | 'event_class_id'> & Record<string, unknown>): KonnectEventType | undefined {
  const name = String(event.name ?? '');
  if (name.startsWith('AUTHENTICATION_OUTCOME') || String(event.event_class_id ?? '').startsWith('AUTHENTICATION_TYPE')) return 'authentication';
  if (name.startsWith('Authz.')) return 'authorization';
  if (name === 'Ingress') return 'access';
  if ('granted' in event || 'action' in event) return 'authorization';
  if ('act' in event || 'status' in event) return 'access';
  if ('success' in event) return 'authentication';
  return undefined;
}

function text(value: CefExtensionInput): string {
  return typeof value === 'string' ? value : String(value);
}

/**
 * One Konnect CEF line, without ` sig=…`. Known keys come in Konnect's order for the event type,
 * then any other keys in the order given. `null`/`undefined` values are left out (Konnect omits
 * absent fields); an empty string is written as `key=`. Values are NOT escaped, as Konnect does:
 * a value containing a line break would break the line, exactly as it would from Konnect.
 */
export function formatKonnectCef(event: KonnectAuditEvent): string {
  const order = KONNECT_FIELD_ORDER[konnectEventType(event) ?? 'unknown'];
  const known = new Set(order);
  const parts: string[] = [];
  const add = (key: string): void => {
    const value = event[key];
    if (value !== undefined && value !== null) parts.push(`${key}=${text(value)}`);
  };
  for (const key of order) add(key);
  for (const key of Object.keys(event)) {
    if (!known.has(key) && !HEADER_KEYS.has(key)) add(key);
  }
  const prefix = event.event_ts === undefined || event.event_ts === '' ? '' : `${event.event_ts} konghq.com `;
  const header = [
    `CEF:${text(event.cef_version ?? 0)}`,
    event.event_vendor,
    event.event_product,
    event.event_version,
    event.event_class_id,
    event.name,
    text(event.severity),
  ].join('|');
  return `${prefix}${header}|${parts.join(' ')}`;
}

/**
 * The Konnect JSON shape of a parsed Konnect CEF event, values kept as text (so a 19-digit
 * `trace_id` keeps its digits). `sig` is dropped. `formatKonnectCef(toKonnectEvent(parse(line)))`
 * gives back the line minus its signature.
 */
export function toKonnectEvent(event: CefEvent): KonnectAuditEvent {
  const out: KonnectAuditEvent = {
    event_ts: event.prefix?.time?.raw ?? event.prefix?.raw,
    cef_version: event.version,
    event_vendor: event.deviceVendor,
    event_product: event.deviceProduct,
    event_version: event.deviceVersion,
    event_class_id: event.deviceEventClassId,
    name: event.name,
    severity: event.severity,
  };
  if (out.event_ts === undefined) delete out.event_ts;
  for (const key of Object.keys(event.extensions)) {
    if (key !== 'sig') out[key] = event.extensions[key];
  }
  return out;
}
