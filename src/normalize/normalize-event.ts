import type { CefEvent } from '../formats/cef/types';
import type { ParsedEvent } from '../formats/parse-frame';
import type { JsonObject } from '../formats/json';
import { normalizeEventTs } from './event-time';
import { typeKonnectField } from './konnect-typing';

export type NormalizedEvent = Record<string, unknown>;

/**
 * One Konnect-shaped event whatever the wire format, so that the same event sent as CEF and
 * as JSON comes out identical. Keys are sorted, as in Konnect's own JSON.
 */
export function normalizeEvent(parsed: ParsedEvent): NormalizedEvent {
  return parsed.format === 'cef' ? fromCef(parsed.cef) : fromJson(parsed.fields);
}

function fromJson(fields: JsonObject): NormalizedEvent {
  const typed: Record<string, unknown> = {};
  for (const key of sortedKeys(fields)) {
    typed[key] = key === 'event_ts' ? normalizeEventTs(fields[key]) : typeKonnectField(key, fields[key]);
  }
  return typed;
}

function fromCef(cef: CefEvent): NormalizedEvent {
  const fields: Record<string, unknown> = {
    ...cef.extensions,
    cef_version: cef.version,
    event_vendor: cef.deviceVendor,
    event_product: cef.deviceProduct,
    event_version: cef.deviceVersion,
    event_class_id: cef.deviceEventClassId,
    name: cef.name,
    severity: cef.severity,
  };
  if (cef.prefix?.time) fields.event_ts = cef.prefix.time.iso;
  return fromJson(fields);
}

/** Konnect's JSON arrives with its keys sorted already: check that (linear) before sorting. */
function sortedKeys(fields: object): string[] {
  const keys = Object.keys(fields);
  for (let i = 1; i < keys.length; i++) if (keys[i - 1]! > keys[i]!) return keys.sort();
  return keys;
}
