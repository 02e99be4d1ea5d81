/**
 * Konnect's typing rule (konnect-audit-logs.md §3.2): "rt, status, and severity are int64;
 * success and granted are bool; all other extensions are string". Its own examples break
 * the rule (`"rt":"1684…"`, `"success":"true"`, `trace_id` as a bare number), so both forms
 * are accepted and brought to the rule. A value that cannot be is kept as it came.
 */

const INTEGER_FIELDS = new Set(['severity', 'status', 'rt', 'cef_version']);
const BOOLEAN_FIELDS = new Set(['success', 'granted', 'kong_initiated']);
const STRING_FIELDS = new Set([
  'event_vendor',
  'event_product',
  'event_version',
  'event_class_id',
  'name',
  'src',
  'org_id',
  'principal_id',
  'principal_name',
  'trace_id',
  'user_agent',
  'sig',
  'request',
  'portal_id',
  'action',
  'actor_id',
  'act',
  'query',
]);

const INTEGER_TEXT = /^-?\d+$/;

export function typeKonnectField(key: string, value: unknown): unknown {
  if (INTEGER_FIELDS.has(key)) return toInteger(value);
  if (BOOLEAN_FIELDS.has(key)) return toBoolean(value);
  if (STRING_FIELDS.has(key) && (typeof value === 'number' || typeof value === 'boolean')) return String(value);
  return value;
}

function toInteger(value: unknown): unknown {
  if (typeof value === 'string' && INTEGER_TEXT.test(value)) {
    const number = Number(value);
    return Number.isSafeInteger(number) ? number : value;
  }
  return value;
}

function toBoolean(value: unknown): unknown {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return value;
}
