/**
 * One pass over JSON text that finds where each top-level value ends and which number
 * tokens a double cannot hold. Native JSON.parse does the real parsing afterwards;
 * this pass only supplies what it cannot: value boundaries and lossless numbers.
 */

export interface ScannedValue {
  start: number;
  end: number;
  /**
   * [start, end) of number tokens a double cannot hold, relative to the text: integers beyond
   * Number.MAX_SAFE_INTEGER, and other numbers whose value a double does not keep: beyond its
   * range (JSON.parse makes them Infinity, which JSON writes as null) or with more significant
   * digits than it holds (`3959872677347089807.0`).
   */
  unsafeNumbers: Array<[number, number]>;
}

export type ScanResult =
  | { ok: true; value: ScannedValue }
  | { ok: false; offset: number; message: string; tooDeep?: true };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/** 2^53 has 16 digits; any integer of 16+ digits may be unsafe and is checked exactly. */
const MAYBE_UNSAFE_DIGITS = 16;

function isDigit(code: number): boolean {
  return code >= DIGIT_0 && code <= DIGIT_9;
}

function isNumberPart(code: number): boolean {
  // digits, '.', 'e', 'E', '+', '-'
  return isDigit(code) || code === 0x2e || code === 0x65 || code === 0x45 || code === 0x2b || code === MINUS;
}

/**
 * Scan the object or array that starts at `start` (which must be `{` or `[`), reading no
 * further than `end`. `nextNewline`, when known, is where the first newline at or after `start`
 * is (or the text's length). Checks bracket nesting and string termination; grammar details are
 * left to JSON.parse.
 */
export function scanJsonValue(text: string, start: number, maxDepth = 64, end = text.length, nextNewline = -1): ScanResult {
  const closers: number[] = [];
  const unsafeNumbers: Array<[number, number]> = [];
  let i = start;
  const length = end;
  // Strings may not span lines; where the next newline is, found once, not once per string (a
  // caller that knows it passes it, so many values on one line do not each search the line).
  let newline = nextNewline;
  while (i < length) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      if (newline !== length && newline < i) {
        newline = text.indexOf('\n', i);
        if (newline < 0) newline = length;
      }
      i = skipString(text, i + 1, newline);
      if (i < 0) return { ok: false, offset: -i - 1, message: 'unterminated string' };
      continue;
    }
    if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      if (closers.length >= maxDepth) {
        return { ok: false, offset: i, message: `nesting deeper than ${maxDepth} levels`, tooDeep: true };
      }
      closers.push(code === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET);
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      if (closers.pop() !== code) {
        return { ok: false, offset: i, message: `unexpected '${String.fromCharCode(code)}'` };
      }
      if (closers.length === 0) return { ok: true, value: { start, end: i + 1, unsafeNumbers } };
    } else if (code === MINUS || isDigit(code)) {
      const tokenStart = i;
      let integer = true;
      let exponent = false;
      let digits = 0;
      while (i < length && isNumberPart(text.charCodeAt(i))) {
        const c = text.charCodeAt(i);
        if (isDigit(c)) {
          if (!exponent) digits++;
        } else if (!(c === MINUS && i === tokenStart)) {
          integer = false;
          if (c === 0x65 || c === 0x45) exponent = true;
        }
        i++;
      }
      // A double gives back any decimal of 15 significant digits or fewer: only longer numbers,
      // and exponents (which may leave its range), need the exact check.
      const maybeUnsafe = digits >= MAYBE_UNSAFE_DIGITS || exponent;
      if (maybeUnsafe && (integer ? !Number.isSafeInteger(Number(text.slice(tokenStart, i))) : !doubleKeepsValue(text.slice(tokenStart, i)))) {
        unsafeNumbers.push([tokenStart, i]);
      }
      continue;
    }
    i++;
  }
  return { ok: false, offset: i, message: 'value is not closed' };
}

/**
 * Whether the double nearest a number token, written back by JSON, has the token's value:
 * `1.50` and `1.5e0` do, `1e400` and `3959872677347089807.0` do not.
 */
function doubleKeepsValue(token: string): boolean {
  const value = Number(token);
  return Number.isFinite(value) && decimalValue(token) === decimalValue(String(value));
}

/** A number's value in one canonical form, `[-]digits e exponent`, with no leading or trailing zeros. */
function decimalValue(token: string): string {
  const match = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(token);
  if (!match) return token;
  const [, sign, whole = '', fraction = '', exponent = '0'] = match;
  let digits = (whole + fraction).replace(/^0+/, '');
  let power = Number(exponent) - fraction.length;
  // A loop, not /0*$/: that regex retries from every position, quadratic in a run of zeros.
  let end = digits.length;
  while (end > 0 && digits.charCodeAt(end - 1) === 0x30 /* 0 */) end--;
  const trailing = digits.length - end;
  digits = digits.slice(0, end);
  power += trailing;
  return digits === '' ? '0' : `${sign}${digits}e${power}`;
}

/** Returns the index after the closing quote, or -(index of the failure)-1; `newline` bounds the search. */
function skipString(text: string, from: number, newline: number): number {
  let i = from;
  for (;;) {
    const quote = text.indexOf('"', i);
    if (quote < 0 || quote > newline) return -newline - 1;
    // Count the backslashes right before the quote: an odd number escapes it.
    let backslashes = 0;
    for (let j = quote - 1; j >= from && text.charCodeAt(j) === BACKSLASH; j--) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    i = quote + 1;
  }
}
