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
  for (const key of Object.keys(fields).sort()) {
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
