/**
 * Konnect's typing rule (konnect-audit-logs.md §3.2): "rt, status, and severity are int64;
 * success and granted are bool; all other extensions are string". Its own examples break
 * the rule (`"rt":"1684…"`, `"success":"true"`, `trace_id` as a bare number), so both forms
 * are accepted and brought to the rule. A value that cannot be is kept as it came.
 */

export type KonnectKind = 'integer' | 'boolean' | 'string';

/** One lookup per key (this runs for every key of every event). */
const KIND_OF_FIELD = new Map<string, KonnectKind>([
  ['severity', 'integer'],
  ['status', 'integer'],
  ['rt', 'integer'],
  ['cef_version', 'integer'],
  ['success', 'boolean'],
  ['granted', 'boolean'],
  ['kong_initiated', 'boolean'],
  ['event_vendor', 'string'],
  ['event_product', 'string'],
  ['event_version', 'string'],
  ['event_class_id', 'string'],
  ['name', 'string'],
  ['src', 'string'],
  ['org_id', 'string'],
  ['principal_id', 'string'],
  ['principal_name', 'string'],
  ['trace_id', 'string'],
  ['user_agent', 'string'],
  ['sig', 'string'],
  ['request', 'string'],
  ['portal_id', 'string'],
  ['action', 'string'],
  ['actor_id', 'string'],
  ['act', 'string'],
  ['query', 'string'],
]);

/** The kind the rule gives `key`; undefined for keys it does not name (kept as they come). */
export function konnectKindOf(key: string): KonnectKind | undefined {
  return KIND_OF_FIELD.get(key);
}

export function typeKonnectField(key: string, value: unknown): unknown {
  return typeAsKind(KIND_OF_FIELD.get(key), value);
}

/** `value` brought to `kind` where it can be; `kind` from `konnectKindOf`. */
export function typeAsKind(kind: KonnectKind | undefined, value: unknown): unknown {
  switch (kind) {
    case 'integer':
      return toInteger(value);
    case 'boolean':
      return toBoolean(value);
    case 'string':
      return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
    default:
      return value;
  }
}

function toInteger(value: unknown): unknown {
  if (typeof value === 'string' && isIntegerText(value)) {
    const number = Number(value);
    return Number.isSafeInteger(number) ? number : value;
  }
  return value;
}

/**
 * Whether JSON.stringify(toInteger(text)) is `text` itself: an integer below 2^53 written the
 * way JSON writes it (no leading zero, no `-0`). Such text can be written out as it is.
 */
export function integerTextKeptAsIs(text: string): boolean {
  const start = text.charCodeAt(0) === 0x2d /* - */ ? 1 : 0;
  const digits = text.length - start;
  if (digits === 0 || digits > MAX_SAFE_INTEGER_DIGITS || !isIntegerText(text)) return false;
  if (text.charCodeAt(start) === 0x30 /* 0 */) return text.length === 1;
  return digits < MAX_SAFE_INTEGER_DIGITS || Number.isSafeInteger(Number(text));
}

/** 2^53 − 1 has 16 digits: any shorter run of digits is safe. */
const MAX_SAFE_INTEGER_DIGITS = 16;

/** /^-?\d+$/, without the cost of a RegExp call (this runs for most events). */
function isIntegerText(text: string): boolean {
  let i = text.charCodeAt(0) === 0x2d /* - */ ? 1 : 0;
  if (i === text.length) return false;
  for (; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x30 || code > 0x39) return false;
  }
  return true;
}

function toBoolean(value: unknown): unknown {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return value;
}
