/**
 * A strict reader for the one JSON shape Konnect sends: a compact object of one level whose
 * values are strings, integers, booleans or null. It finds each member's key and value token
 * without building any object, so a caller can write the event out from the text itself.
 *
 * Anything outside that shape (whitespace between tokens, nesting, fractions and exponents,
 * escaped keys, keys that JavaScript orders by number, `__proto__`) gives undefined and is left
 * to the general path (JSON.parse). It accepts only text that JSON.parse accepts.
 */

/**
 * - `plain-string`: no backslash, so the text between the quotes is the value;
 * - `escaped-string`: `value` holds what JSON.parse makes of it;
 * - `safe-integer`: a double holds it exactly, and JSON.stringify writes it back the same;
 * - `unsafe-integer`: beyond 2^53, so it is the string of its digits (as parseJsonLossless keeps it).
 */
export type TokenKind = 'plain-string' | 'escaped-string' | 'safe-integer' | 'unsafe-integer' | 'true' | 'false' | 'null';

export interface FlatMember {
  key: string;
  /** Where the member starts (its key's opening quote) and where its value token starts and ends. */
  start: number;
  valueStart: number;
  valueEnd: number;
  kind: TokenKind;
  /** Set for `escaped-string` only. */
  value?: string;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const MINUS = 0x2d;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
/** Integers of this many digits or more may be beyond 2^53 and are checked exactly (as the scan does). */
const MAYBE_UNSAFE_DIGITS = 16;

/** Raw control characters, which JSON.parse refuses inside strings (whitespace between tokens fails earlier). */
const CONTROL_CHARACTER = /[\u0000-\u001f]/;

/**
 * The members of the flat, compact JSON object that is `text` from `start` to `end` (exclusive;
 * the whole text by default), in the order they come; undefined for anything else. Offsets are
 * into `text`.
 */
export function readFlatObject(text: string, start = 0, end = text.length): FlatMember[] | undefined {
  if (end - start < 7 || text.charCodeAt(start) !== OPEN_BRACE || text.charCodeAt(end - 1) !== CLOSE_BRACE) return undefined;
  const members: FlatMember[] = [];
  let nextBackslash = backslashFrom(text, start, end);
  let i = start + 1;
  for (;;) {
    if (text.charCodeAt(i) !== QUOTE) return undefined;
    const keyEnd = text.indexOf('"', i + 1);
    if (keyEnd < 0 || keyEnd >= end || nextBackslash < keyEnd) return undefined;
    const firstKeyCode = text.charCodeAt(i + 1);
    // Keys that start with a digit may be array indexes, which objects enumerate first.
    if (firstKeyCode >= DIGIT_0 && firstKeyCode <= DIGIT_9) return undefined;
    const key = text.slice(i + 1, keyEnd);
    if (key === '__proto__' || text.charCodeAt(keyEnd + 1) !== COLON) return undefined;
    const valueStart = keyEnd + 2;
    const code = text.charCodeAt(valueStart);
    let valueEnd: number;
    let kind: TokenKind;
    let value: string | undefined;
    if (code === QUOTE) {
      const close = closingQuote(text, valueStart + 1, nextBackslash);
      if (close < 0 || close >= end) return undefined;
      valueEnd = close + 1;
      if (nextBackslash < close) {
        try {
          value = JSON.parse(text.slice(valueStart, valueEnd)) as string;
        } catch {
          return undefined; // an escape JSON does not have
        }
        kind = 'escaped-string';
        nextBackslash = backslashFrom(text, valueEnd, end);
      } else kind = 'plain-string';
    } else if (code === MINUS || (code >= DIGIT_0 && code <= DIGIT_9)) {
      valueEnd = integerEnd(text, valueStart, end);
      if (valueEnd < 0) return undefined;
      const digits = valueEnd - valueStart - (code === MINUS ? 1 : 0);
      kind =
        digits >= MAYBE_UNSAFE_DIGITS && !Number.isSafeInteger(Number(text.slice(valueStart, valueEnd))) ? 'unsafe-integer' : 'safe-integer';
    } else if (text.startsWith('true', valueStart)) {
      valueEnd = valueStart + 4;
      kind = 'true';
    } else if (text.startsWith('false', valueStart)) {
      valueEnd = valueStart + 5;
      kind = 'false';
    } else if (text.startsWith('null', valueStart)) {
      valueEnd = valueStart + 4;
      kind = 'null';
    } else return undefined;
    if (valueEnd >= end) return undefined;
    members.push(value === undefined ? { key, start: i, valueStart, valueEnd, kind } : { key, start: i, valueStart, valueEnd, kind, value });
    const next = text.charCodeAt(valueEnd);
    if (next === COMMA) {
      i = valueEnd + 1;
      continue;
    }
    if (next !== CLOSE_BRACE || valueEnd !== end - 1) return undefined;
    // JSON.parse refuses raw control characters, in strings too. Checked last: it is the rarest reason.
    return CONTROL_CHARACTER.test(start === 0 && end === text.length ? text : text.slice(start, end)) ? undefined : members;
  }
}

/** The first backslash at or after `from`, or `end` when there is none before it. */
function backslashFrom(text: string, from: number, end: number): number {
  const found = text.indexOf('\\', from);
  return found < 0 || found > end ? end : found;
}

/** Index of the quote that closes a string whose text starts at `from`; -1 when there is none. */
function closingQuote(text: string, from: number, nextBackslash: number): number {
  let quote = text.indexOf('"', from);
  // A quote is escaped by an odd number of backslashes right before it.
  while (quote >= 0 && nextBackslash < quote) {
    let backslashes = 0;
    for (let j = quote - 1; j >= from && text.charCodeAt(j) === BACKSLASH; j--) backslashes++;
    if (backslashes % 2 === 0) return quote;
    quote = text.indexOf('"', quote + 1);
  }
  return quote;
}

/**
 * End of an integer token in JSON's grammar (`-?(0|[1-9][0-9]*)`) that JSON.stringify writes back
 * the same; -1 for anything else (`-0`, leading zeros, fractions and exponents).
 */
function integerEnd(text: string, start: number, end: number): number {
  let i = start;
  if (text.charCodeAt(i) === MINUS) i++;
  const first = text.charCodeAt(i);
  if (first === DIGIT_0) {
    if (i > start) return -1; // -0 is written as 0
    i++;
  } else {
    if (!(first >= DIGIT_0 + 1 && first <= DIGIT_9)) return -1;
    while (++i < end) {
      const code = text.charCodeAt(i);
      if (code < DIGIT_0 || code > DIGIT_9) break;
    }
  }
  const after = text.charCodeAt(i);
  return after === COMMA || after === CLOSE_BRACE ? i : -1;
}
