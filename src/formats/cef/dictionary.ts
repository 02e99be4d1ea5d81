/**
 * The CEF extension dictionary (short key ↔ full name ↔ type), loaded from `dictionary.json`.
 * The data lives in JSON so it can be reviewed and extended without touching code.
 */
import dictionaryData from './dictionary.json';
import type { CefDictionaryEntry, CefValueType } from './types';

interface CustomFieldFamily {
  short: string;
  full: string;
  type: CefValueType;
}

interface DictionaryFile {
  cefDocumentVersion: string;
  keys: CefDictionaryEntry[];
  customFieldFamilies: CustomFieldFamily[];
}

const data = dictionaryData as DictionaryFile;

/** Every dictionary entry, as shipped. */
export const CEF_DICTIONARY: readonly CefDictionaryEntry[] = data.keys;

/** Custom-field families (`cs` = `deviceCustomString`, …): value keys are `<prefix><N>`, labels `<prefix><N>Label`. */
export const CUSTOM_FIELD_FAMILIES: readonly CustomFieldFamily[] = data.customFieldFamilies;

const byShort = new Map<string, CefDictionaryEntry>();
const byFull = new Map<string, CefDictionaryEntry>();
for (const entry of data.keys) {
  byShort.set(entry.short, entry);
  byFull.set(entry.full, entry);
}

/** The dictionary entry for a key given by its short or full name. */
export function lookupCefKey(key: string): CefDictionaryEntry | undefined {
  return byShort.get(key) ?? byFull.get(key);
}

/** A numbered custom field outside the dictionary's ranges (`cs7`, `cn15Label`): family, N, label or not. */
function customFieldParts(key: string): { family: CustomFieldFamily; n: string; label: boolean } | undefined {
  const label = key.endsWith('Label');
  const stem = label ? key.slice(0, -5) : key;
  let digits = stem.length;
  while (digits > 0 && stem.charCodeAt(digits - 1) >= 48 && stem.charCodeAt(digits - 1) <= 57) digits--;
  if (digits === stem.length || digits === 0) return undefined;
  const name = stem.slice(0, digits);
  const family = CUSTOM_FIELD_FAMILIES.find((f) => f.short === name || f.full === name);
  return family && { family, n: stem.slice(digits), label };
}

/**
 * The full name for a key (`src` → `sourceAddress`, `cs7Label` → `deviceCustomString7Label`);
 * full names and unknown keys come back unchanged.
 */
export function fullCefKeyName(key: string): string {
  const entry = byShort.get(key);
  if (entry !== undefined) return entry.full;
  if (byFull.has(key)) return key;
  const custom = customFieldParts(key);
  return custom ? `${custom.family.full}${custom.n}${custom.label ? 'Label' : ''}` : key;
}

/** The short name for a key (`sourceAddress` → `src`); short names and unknown keys come back unchanged. */
export function shortCefKeyName(key: string): string {
  const entry = byFull.get(key);
  if (entry !== undefined) return entry.short;
  if (byShort.has(key)) return key;
  const custom = customFieldParts(key);
  return custom ? `${custom.family.short}${custom.n}${custom.label ? 'Label' : ''}` : key;
}

/**
 * Splits a custom-field key: `cs3` → { base: 'cs3', label: false }, `deviceCustomString3Label` →
 * { base: 'cs3', label: true }. Bases use the short form so both spellings pair up.
 */
export function customFieldKey(key: string): { base: string; label: boolean } | undefined {
  const custom = customFieldParts(key);
  return custom && { base: `${custom.family.short}${custom.n}`, label: custom.label };
}

/** Keys (short and full names) whose values are timestamps. */
export const TIMESTAMP_KEYS: ReadonlySet<string> = new Set(
  data.keys.filter((e) => e.type === 'timestamp').flatMap((e) => [e.short, e.full]),
);

/** Lengths of TIMESTAMP_KEYS, so most keys are rejected without hashing. */
const TIMESTAMP_KEY_LENGTHS = new Uint8Array(64);
for (const key of TIMESTAMP_KEYS) TIMESTAMP_KEY_LENGTHS[key.length] = 1;

export function isTimestampKey(key: string): boolean {
  return key.length < 64 && TIMESTAMP_KEY_LENGTHS[key.length] === 1 && TIMESTAMP_KEYS.has(key);
}

/**
 * Extensions re-keyed by full name. When a short and a full spelling of the same key both occur,
 * the first one seen wins and the clash is reported through `onClash`.
 */
export function toFullNames(
  extensions: Record<string, string>,
  onClash: (key: string, fullName: string) => void,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(extensions)) {
    const full = fullCefKeyName(key);
    if (Object.prototype.hasOwnProperty.call(out, full)) {
      onClash(key, full);
      continue;
    }
    Object.defineProperty(out, full, { value: extensions[key], enumerable: true, writable: true, configurable: true });
  }
  return out;
}
