/**
 * Splits one Konnect audit line into the signed message and the signature,
 * exactly as Konnect documents it (shared spec §4), on the raw bytes:
 *
 * - `cef`: the line up to the space before the last ` sig=`; the signature is
 *   everything after `sig=` but trailing spaces (it is the last extension and
 *   has no whitespace).
 * - `json`: the top-level `"sig":"…"` member is cut out with the comma before it
 *   (`…,"sig":"…"}` → `…}`); wherever it sits, so Konnect's alphabetical
 *   placement works too. When it is the first member, the comma after it goes
 *   (`{"sig":"…",` → `{`).
 * - `cps` (`{"event":{…}}`): signing is undocumented. We treat it like JSON on
 *   the whole outer line: the `sig` member is looked for in the `event` object
 *   first, then at the top level, and cut out of the outer line, whose remaining
 *   bytes are the message.
 *
 * Trailing CR/LF are not part of the message. Nothing is re-serialized.
 */

import { JsonSkimError, memberKeyIs, skimJsonObject, skipJsonWhitespace } from './json-skim';
import type { JsonMemberSpan } from './json-skim';

export type KonnectLogFormat = 'cef' | 'json' | 'cps';

export const KONNECT_LOG_FORMATS: readonly KonnectLogFormat[] = ['cef', 'json', 'cps'];

export interface SplitLine {
  message: string;
  /** The signature text as found (base64url expected); undefined when the line has no sig. */
  signature: string | undefined;
}

export interface SplitLineBytes {
  /** The signed bytes. */
  message: Buffer;
  signature: string | undefined;
}

/** Where the signature sits in a line, as byte offsets. */
export interface SignatureSpan {
  /** Bytes [removeStart, removeEnd) are cut out to leave the signed message. */
  removeStart: number;
  removeEnd: number;
  /** The signature text is bytes [valueStart, valueEnd). */
  valueStart: number;
  valueEnd: number;
}

export function splitKonnectLine(line: string, format: KonnectLogFormat): SplitLine {
  const { message, signature } = splitKonnectLineBytes(Buffer.from(line, 'utf8'), format);
  return { message: message.toString('utf8'), signature };
}

export function splitKonnectLineBytes(line: Uint8Array, format: KonnectLogFormat): SplitLineBytes {
  const content = withoutTrailingLineBreak(line);
  const span = locateSignature(content, format);
  if (span === undefined) return { message: content, signature: undefined };
  const signature = content.toString('utf8', span.valueStart, span.valueEnd);
  const message =
    span.removeEnd === content.length
      ? content.subarray(0, span.removeStart)
      : Buffer.concat([content.subarray(0, span.removeStart), content.subarray(span.removeEnd)]);
  return { message, signature };
}

/** Locates the sig in a line that has no trailing CR/LF. */
export function locateSignature(
  content: Uint8Array,
  format: KonnectLogFormat,
): SignatureSpan | undefined {
  switch (format) {
    case 'cef':
      return locateCefSignature(asBuffer(content));
    case 'json':
      return locateJsonSignature(content, false);
    case 'cps':
      return locateJsonSignature(content, true);
  }
}

/** A view of the line without its trailing CR/LF (no copy). */
export function withoutTrailingLineBreak(line: Uint8Array): Buffer {
  let end = line.length;
  while (end > 0 && (line[end - 1] === 0x0a || line[end - 1] === 0x0d)) end--;
  return asBuffer(line).subarray(0, end);
}

const CEF_SIG_MARKER = Buffer.from(' sig=', 'latin1');

function locateCefSignature(content: Buffer): SignatureSpan | undefined {
  const markerStart = content.lastIndexOf(CEF_SIG_MARKER);
  if (markerStart < 0) return undefined;
  const valueStart = markerStart + CEF_SIG_MARKER.length;
  // Trailing spaces are not part of the last value (the CEF spec), so not of the signature.
  let valueEnd = content.length;
  while (valueEnd > valueStart && (content[valueEnd - 1] === 0x20 || content[valueEnd - 1] === 0x09)) valueEnd--;
  // sig is the last extension and base64url has no spaces; a ` sig=` followed
  // by more words is text inside another value, not a signature.
  for (let index = valueStart; index < valueEnd; index++) {
    const byte = content[index];
    if (byte === 0x20 || byte === 0x09) return undefined;
  }
  return { removeStart: markerStart, removeEnd: content.length, valueStart, valueEnd };
}

function locateJsonSignature(
  content: Uint8Array,
  lookInsideEvent: boolean,
): SignatureSpan | undefined {
  const objectStart = skipJsonWhitespace(content, 0);
  if (content[objectStart] !== 0x7b) return undefined;
  const topLevel = skimMembersTolerantly(content, objectStart);
  if (lookInsideEvent) {
    const event = findLast(topLevel, (member) => memberKeyIs(content, member, 'event'));
    if (event !== undefined && content[event.valueStart] === 0x7b) {
      const eventMembers = skimMembersTolerantly(content, event.valueStart);
      const sigInEvent = findLast(eventMembers, (member) => memberKeyIs(content, member, 'sig'));
      if (sigInEvent !== undefined) return signatureSpanOf(content, sigInEvent);
    }
  }
  const sig = findLast(topLevel, (member) => memberKeyIs(content, member, 'sig'));
  return sig === undefined ? undefined : signatureSpanOf(content, sig);
}

/** A broken or truncated line still yields the members before the break. */
function skimMembersTolerantly(content: Uint8Array, objectStart: number): JsonMemberSpan[] {
  const members: JsonMemberSpan[] = [];
  try {
    skimJsonObject(content, objectStart, members);
  } catch (error) {
    if (!(error instanceof JsonSkimError)) throw error;
  }
  return members;
}

function signatureSpanOf(content: Uint8Array, sig: JsonMemberSpan): SignatureSpan {
  const isString = content[sig.valueStart] === 0x22;
  // A non-string sig is kept as raw text: it is present, and it will not verify.
  const valueStart = isString ? sig.valueStart + 1 : sig.valueStart;
  const valueEnd = isString ? sig.valueEnd - 1 : sig.valueEnd;
  if (sig.commaBefore >= 0) {
    return { removeStart: sig.commaBefore, removeEnd: sig.valueEnd, valueStart, valueEnd };
  }
  const removeEnd = sig.commaAfter >= 0 ? sig.commaAfter + 1 : sig.valueEnd;
  return { removeStart: sig.keyStart, removeEnd, valueStart, valueEnd };
}

function findLast<T>(items: readonly T[], predicate: (item: T) => boolean): T | undefined {
  for (let index = items.length - 1; index >= 0; index--) {
    const item = items[index]!;
    if (predicate(item)) return item;
  }
  return undefined;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
