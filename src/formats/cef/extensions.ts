/**
 * The extension scanner: `key=value` pairs separated by spaces; values may contain spaces.
 *
 * Where a value ends (README "Extensions"): at the next key, i.e. a key-shaped word (see keys.ts)
 * that follows a space and is followed directly by `=`. Every other `=` stays in the value it is
 * in, with a warning unless escaped. So `msg=a b=c` is two pairs, `request=/a?x=1&y=2` one value.
 *
 * The scanner hops from `=` to `=` with `indexOf` and inspects only the characters just before
 * each `=`, so its cost is linear in the line and it allocates only the values (and keys it has
 * not met before, see key-shapes.ts).
 */
import { unescapeExtensionValue } from './escape';
import { buildFromShape, childShape, defineValue, knownKeyBefore, rootShape, zoneKeyOf, type KeyShape } from './key-shapes';
import { keyEndAt, keyStartBefore } from './keys';
import { isTimestampKey } from './dictionary';
import type { CefWarning } from './types';

const SPACE = 32;
const BACKSLASH = 92;
const PIPE = 124;

/** Whether the character at `at` is preceded by an odd run of backslashes (not before `floor`). */
function isEscaped(line: string, at: number, floor: number): boolean {
  let slashes = 0;
  for (let i = at - 1; i >= floor && line.charCodeAt(i) === BACKSLASH; i--) slashes++;
  return (slashes & 1) === 1;
}

// Scratch space for one parse (parsing is synchronous, so one set is enough).
const scratchValues: string[] = [];
const scratchKeyStarts: number[] = [];
const scratchKeyEnds: number[] = [];

export interface ExtensionScan {
  /** Decoded values keyed as received, in the order received. */
  extensions: Record<string, string>;
  /** Keys present whose dictionary type is timestamp. */
  timestampKeys: readonly string[];
  /** `dtz` or `deviceTimeZone` when present. */
  zoneKey: string | undefined;
}

const NONE: readonly string[] = [];

function emptyScan(): ExtensionScan {
  return { extensions: {}, timestampKeys: NONE, zoneKey: undefined };
}

/** The general path: any keys, repeats included (the last value wins, with a warning). */
function buildSlowly(line: string, count: number, warnings: CefWarning[]): ExtensionScan {
  const extensions: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    const key = line.slice(scratchKeyStarts[i], scratchKeyEnds[i]);
    if (extensions[key] !== undefined && Object.prototype.hasOwnProperty.call(extensions, key)) {
      warnings.push({ message: `repeated key ${key}: the last value wins`, offset: scratchKeyStarts[i] as number, key });
    }
    defineValue(extensions, key, scratchValues[i] as string);
  }
  return scanOf(extensions);
}

/** The scan of extensions built without the key-sequence cache: their timestamp and zone keys looked up. */
export function scanOf(extensions: Record<string, string>): ExtensionScan {
  const keys = Object.keys(extensions);
  return { extensions, timestampKeys: keys.filter(isTimestampKey), zoneKey: zoneKeyOf(keys) };
}

function describe(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

/**
 * Parses `line[start, end)` as extensions (keys in the order received; a repeated key keeps its
 * last value and earns a warning). `firstSlash`: any index ≤ the first backslash at or after
 * `start`, or -1 when there is none (the caller usually knows it already).
 */
export function parseExtensions(
  line: string,
  start: number,
  end: number,
  warnings: CefWarning[],
  firstSlash = line.indexOf('\\', start),
): ExtensionScan {
  let pos = start;
  while (pos < end && line.charCodeAt(pos) === SPACE) pos++; // spaces before the first key
  if (pos >= end) return emptyScan();

  // The first key sits at `pos`; anything else is text we cannot attribute to a key.
  let keyStart = pos;
  let eq = keyEndAt(line, pos, end);
  if (eq === -1) {
    keyStart = -1;
    for (let e = line.indexOf('=', pos + 1); e !== -1 && e < end; e = line.indexOf('=', e + 1)) {
      // A header field too many (an unescaped `|` in the name) ends in `|` right before the first key.
      const k = keyStartBefore(line, e, pos, PIPE);
      if (k !== -1) {
        keyStart = k;
        eq = e;
        break;
      }
    }
    const stray = line.slice(pos, keyStart === -1 ? end : keyStart - 1);
    warnings.push({ message: `extension text without a key was skipped: ${describe(stray)}`, offset: pos });
    if (keyStart === -1) return emptyScan();
  }

  let count = 0;
  let shape = childShape(rootShape(), line, keyStart, eq);
  let slash = firstSlash;
  for (;;) {
    const valueStart = eq + 1;
    let nextKeyStart = -1;
    let nextEq = -1;
    let nextShape: KeyShape | undefined;
    let strayEq = -1;
    for (let e = line.indexOf('=', valueStart); e !== -1 && e < end; e = line.indexOf('=', e + 1)) {
      // Usually the next key is one this sequence has seen before: check those first.
      nextShape = shape === undefined ? undefined : knownKeyBefore(line, e, valueStart, shape);
      const k = nextShape === undefined ? keyStartBefore(line, e, valueStart) : e - nextShape.key.length;
      if (k !== -1) {
        nextKeyStart = k;
        nextEq = e;
        if (nextShape === undefined && shape !== undefined) nextShape = childShape(shape, line, k, e);
        break;
      }
      if (strayEq === -1 && !isEscaped(line, e, valueStart)) strayEq = e;
    }

    // With several spaces before a key, all but the last belong to the previous value.
    let valueEnd = nextKeyStart === -1 ? end : nextKeyStart - 1;
    if (nextKeyStart === -1) {
      while (valueEnd > valueStart && line.charCodeAt(valueEnd - 1) === SPACE) valueEnd--; // the last value keeps no trailing spaces
    }

    if (slash !== -1 && slash < valueStart) slash = line.indexOf('\\', valueStart);
    const raw = line.slice(valueStart, valueEnd);
    if (strayEq !== -1) {
      const key = line.slice(keyStart, eq);
      warnings.push({ message: `unescaped "=" kept in the value of ${key}`, offset: strayEq, key });
    }
    scratchValues[count] = slash !== -1 && slash < valueEnd ? unescapeExtensionValue(raw) : raw;
    scratchKeyStarts[count] = keyStart;
    scratchKeyEnds[count] = eq;
    count++;

    if (nextKeyStart === -1) break;
    keyStart = nextKeyStart;
    eq = nextEq;
    shape = nextShape;
  }
  if (shape === undefined || shape.repeats) return buildSlowly(line, count, warnings);
  return { extensions: buildFromShape(shape, scratchValues), timestampKeys: shape.timestampKeys, zoneKey: shape.zoneKey };
}

/**
 * Where the first key of an extension starts in `line[from, end)`: at `from` itself, or the first
 * key after a space. -1 when there is none. Used to salvage extensions behind a short header.
 */
export function findExtensionStart(line: string, from: number, end: number): number {
  if (keyEndAt(line, from, end) !== -1) return from;
  for (let e = line.indexOf('=', from); e !== -1 && e < end; e = line.indexOf('=', e + 1)) {
    const k = keyStartBefore(line, e, from);
    if (k !== -1) return k;
  }
  return -1;
}
