/**
 * Extensions in Konnect's dialect (konnect-audit-logs.md §3.4). Konnect writes values verbatim,
 * with no escaping, so the general rules (any ` word=` starts a pair, `\\` is one backslash) would
 * cut and change its values: a user agent's `(Linux; os=linux)`, a query's `{"q":"a b=c"}`, a
 * Windows path `C:\\tmp` inside a query. Konnect has a schema: inside its free-text fields only
 * its own field names start a pair, each once; the signer's ` sig=` is the last one on the line.
 */
import { scanOf, type ExtensionScan } from './extensions';
import { KONNECT_FIELD_ORDER } from './konnect-dialect';
import { buildFromShape, childShape, defineValue, knownKeyBefore, rootShape, type KeyShape } from './key-shapes';
import { keyEndAt, keyStartBefore } from './keys';
import type { CefWarning } from './types';

const SPACE = 32;
const SIGNATURE_MARK = ' sig=';

/** Every field Konnect writes as an extension, `sig` included. */
export const KONNECT_EXTENSION_KEYS: ReadonlySet<string> = new Set([...KONNECT_FIELD_ORDER.unknown, 'sig']);

/**
 * Konnect's fields that hold text from outside (a client's user agent, its query, a path, a
 * display name): the only ones where ` word=` can be data. Ids, addresses, numbers and booleans
 * have no spaces, so after them any key-shaped word starts a pair, as a field Konnect adds would.
 */
const FREE_TEXT_FIELDS: ReadonlySet<string> = new Set(['user_agent', 'query', 'request', 'principal_name']);

interface KonnectField {
  /** Its bit in the set of fields read so far. */
  bit: number;
  freeText: boolean;
}

const FIELDS = new Map<string, KonnectField>(
  [...KONNECT_EXTENSION_KEYS].map((key, index) => [key, { bit: 1 << index, freeText: FREE_TEXT_FIELDS.has(key) }]),
);
const SIG_BIT = FIELDS.get('sig')!.bit;

/** Whether the header says the line is Konnect's: its vendor, or its `konghq.com` syslog host, and its products. */
export function isKonnectHeader(vendor: string | undefined, product: string | undefined, line: string, marker: number): boolean {
  if (product !== 'Konnect' && product !== 'Dev-Portal') return false;
  return vendor === 'KongInc' || line.startsWith('konghq.com ', marker - 11);
}

// Scratch space for one parse (parsing is synchronous, so one set is enough).
const scratchValues: string[] = [];
const scratchKeys: string[] = [];

/**
 * Parses `line[start, end)` as Konnect extensions. Undefined when the first pair is not one of
 * Konnect's fields: the line is then not in Konnect's dialect after all, and the general rules apply.
 * Keys are looked up in the key-sequence cache first (key-shapes.ts), as the general scanner does.
 */
export function parseKonnectExtensions(line: string, start: number, end: number, warnings: CefWarning[]): ExtensionScan | undefined {
  let pos = start;
  while (pos < end && line.charCodeAt(pos) === SPACE) pos++;
  const firstEq = pos < end ? keyEndAt(line, pos, end) : -1;
  if (firstEq === -1) return undefined;
  let key = line.slice(pos, firstEq);
  let field = FIELDS.get(key);
  if (field === undefined) return undefined;

  let blankEnd = end; // the line without trailing spaces and tabs
  while (blankEnd > firstEq && isBlank(line.charCodeAt(blankEnd - 1))) blankEnd--;
  const signatureAt = key === 'sig' ? -1 : signatureStart(line, firstEq, blankEnd);
  const valuesEnd = signatureAt === -1 ? end : signatureAt;
  let shape = childShape(rootShape(), line, pos, firstEq);
  let read = field.bit | SIG_BIT;
  let count = 0;
  let valueStart = firstEq + 1;
  for (;;) {
    let nextKeyStart = -1;
    let nextEq = -1;
    let nextKey = '';
    let nextShape: KeyShape | undefined;
    const freeText = field?.freeText === true;
    for (let e = line.indexOf('=', valueStart); e !== -1 && e < valuesEnd; e = line.indexOf('=', e + 1)) {
      nextShape = shape === undefined ? undefined : knownKeyBefore(line, e, valueStart, shape);
      const k = nextShape === undefined ? keyStartBefore(line, e, valueStart) : e - nextShape.key.length;
      if (k === -1) continue;
      const word = nextShape?.key ?? line.slice(k, e);
      const known = FIELDS.get(word);
      if (known === undefined ? !freeText : (read & known.bit) === 0) {
        nextKeyStart = k;
        nextEq = e;
        nextKey = word;
        field = known;
        if (known !== undefined) read |= known.bit;
        if (nextShape === undefined && shape !== undefined) nextShape = childShape(shape, line, k, e);
        break;
      }
      const why = known === undefined ? 'not a Konnect field' : 'Konnect writes each field once';
      warnings.push({ message: `" ${word}=" kept in the value of ${key}: ${why}, and Konnect does not escape`, offset: k, key });
    }
    let valueEnd = nextKeyStart === -1 ? valuesEnd : nextKeyStart - 1;
    // Only the line's last value loses its trailing spaces (the CEF spec); before ` sig=`, as
    // before any key, the one space is the separator.
    if (valuesEnd === end && nextKeyStart === -1) while (valueEnd > valueStart && line.charCodeAt(valueEnd - 1) === SPACE) valueEnd--;
    scratchKeys[count] = key;
    scratchValues[count++] = line.slice(valueStart, valueEnd);
    if (nextKeyStart === -1) break;
    key = nextKey;
    shape = nextShape;
    valueStart = nextEq + 1;
  }
  if (valuesEnd !== end) {
    if (shape !== undefined) shape = knownKeyBefore(line, signatureAt + 4, signatureAt, shape) ?? childShape(shape, line, signatureAt + 1, signatureAt + 4);
    scratchKeys[count] = 'sig';
    scratchValues[count++] = line.slice(signatureAt + SIGNATURE_MARK.length, blankEnd);
  }
  if (shape !== undefined && !shape.repeats) {
    return { extensions: buildFromShape(shape, scratchValues), timestampKeys: shape.timestampKeys, zoneKey: shape.zoneKey };
  }
  // The cache is full, or a key that is not Konnect's came twice (the last value wins).
  const extensions: Record<string, string> = {};
  for (let i = 0; i < count; i++) defineValue(extensions, scratchKeys[i]!, scratchValues[i]!);
  return scanOf(extensions);
}

/**
 * Where the signer's ` sig=` starts: the last one after the first pair, followed by one word that
 * ends at `blankEnd` (base64url has no spaces). -1 when there is none: an unsigned line whose
 * query happens to hold ` sig=` keeps it in the query.
 */
function signatureStart(line: string, after: number, blankEnd: number): number {
  const at = line.lastIndexOf(SIGNATURE_MARK, blankEnd - SIGNATURE_MARK.length);
  if (at <= after) return -1;
  const space = line.indexOf(' ', at + SIGNATURE_MARK.length);
  return space === -1 || space >= blankEnd ? at : -1;
}

/** Trailing spaces and tabs are not part of the signature (as the verifier reads it too). */
function isBlank(code: number): boolean {
  return code === SPACE || code === 0x09;
}
