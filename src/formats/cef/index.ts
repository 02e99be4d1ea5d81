/**
 * CEF codec: parse a line into a structured event, format one back. No I/O, no logging, no HTTP.
 * See README.md in this folder for the API and the dialect decisions.
 */
export { parseCef } from './parse';
export { formatCef } from './format';
export { formatKonnectCef, konnectEventType, toKonnectEvent, KONNECT_FIELD_ORDER, type KonnectEventType } from './konnect-dialect';
export { parseCefTimestamp, formatIsoUtc, type TimestampContext } from './timestamp';
export { resolveZone, UTC_ZONE, type Zone } from './timezone';
export { severityLevel, readSeverity } from './severity';
export { translateCustomFields } from './custom-fields';
export { CEF_DICTIONARY, lookupCefKey, fullCefKeyName, shortCefKeyName, isTimestampKey } from './dictionary';
export {
  CefFormatError,
  escapeExtensionValue,
  escapeHeaderField,
  unescapeExtensionValue,
  unescapeHeaderField,
} from './escape';
export { isExtensionKey } from './keys';
export { HEADER_FIELD_NAMES } from './header';
export type * from './types';
