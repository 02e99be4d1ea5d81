/**
 * Framing and the seven header fields: `CEF:Version|Vendor|Product|Version|ClassId|Name|Severity|`.
 * Header fields honour `\|` and `\\` only; a pipe inside an escaped field does not split it.
 * Values are kept exactly (no trimming): spaces are legal in the header.
 */
import { unescapeHeaderField } from './escape';

const PIPE = 124;
const BACKSLASH = 92;
const SPACE = 32;

/** The header fields in order; the receiver reports missing ones by these names. */
export const HEADER_FIELD_NAMES = [
  'version',
  'deviceVendor',
  'deviceProduct',
  'deviceVersion',
  'deviceEventClassId',
  'name',
  'severity',
] as const;

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** Index just past a `CEF:<digits>|` marker that starts at `at` (spaces around the digits allowed), or -1. */
function markerEnd(line: string, at: number, end: number): number {
  let i = at + 4;
  while (i < end && line.charCodeAt(i) === SPACE) i++;
  const digits = i;
  while (i < end && isDigit(line.charCodeAt(i))) i++;
  if (i === digits) return -1;
  while (i < end && line.charCodeAt(i) === SPACE) i++;
  return i < end && line.charCodeAt(i) === PIPE ? i + 1 : -1;
}

/**
 * Where the CEF message starts: the first `CEF:<version>|` anywhere in the line. When no `CEF:` is
 * followed by a version and a pipe, the first `CEF:` at all (the header parser then reports the
 * broken version). -1 when the line has no `CEF:`.
 */
export function findCefMarker(line: string, end: number): number {
  let first = -1;
  for (let at = line.indexOf('CEF:'); at !== -1 && at < end; at = line.indexOf('CEF:', at + 4)) {
    if (markerEnd(line, at, end) !== -1) return at;
    if (first === -1) first = at;
  }
  return first;
}

export interface HeaderScan {
  /** Decoded header fields found, in order (version first, as text); `count` of them are valid. */
  fields: string[];
  /** Offsets where each field starts. */
  fieldOffsets: number[];
  count: number;
  /** Where the extensions start; -1 when the header did not end with seven `|`-terminated fields. */
  extensionsStart: number;
  /** When the header fell short: offset just after the last `|` seen. */
  stoppedAt: number;
}

/**
 * The scan result is reused from call to call (parsing is synchronous, and the caller copies the
 * fields out at once): one less allocation on every line.
 */
const scratch: HeaderScan = {
  fields: ['', '', '', '', '', '', ''],
  fieldOffsets: [0, 0, 0, 0, 0, 0, 0],
  count: 0,
  extensionsStart: -1,
  stoppedAt: 0,
};

/** Scans a field that contains a backslash; returns the index of its terminating pipe, or -1. */
function escapedFieldEnd(line: string, from: number, end: number): number {
  for (let i = from; i < end; i++) {
    const c = line.charCodeAt(i);
    if (c === BACKSLASH) i++; // whatever follows is not a delimiter
    else if (c === PIPE) return i;
  }
  return -1;
}

/**
 * Reads up to seven `|`-terminated fields starting at `start` (just after `CEF:`).
 * `firstSlash` is the first backslash at or after `start` (-1 if none): fields before it are
 * split with `indexOf`, which is much faster than a character loop. The result is shared scratch
 * space, valid until the next call.
 */
export function scanHeader(line: string, start: number, end: number, firstSlash = line.indexOf('\\', start)): HeaderScan {
  const { fields, fieldOffsets } = scratch;
  let count = 0;
  let pos = start;
  let slash = firstSlash;
  while (count < 7) {
    let pipe = line.indexOf('|', pos);
    if (pipe >= end) pipe = -1;
    if (slash !== -1 && slash < end && (pipe === -1 || slash < pipe)) {
      pipe = escapedFieldEnd(line, pos, end);
      if (pipe === -1) break;
      fields[count] = unescapeHeaderField(line.slice(pos, pipe));
      slash = line.indexOf('\\', pipe + 1);
    } else {
      if (pipe === -1) break;
      fields[count] = line.slice(pos, pipe);
    }
    fieldOffsets[count++] = pos;
    pos = pipe + 1;
  }
  scratch.count = count;
  scratch.extensionsStart = count === 7 ? pos : -1;
  scratch.stoppedAt = pos;
  return scratch;
}

/** Parses the version field (`0`, ` 0` as rsyslog writes it); NaN when it is not an integer. */
export function parseVersion(text: string): number {
  let from = 0;
  let to = text.length;
  while (from < to && text.charCodeAt(from) === SPACE) from++;
  while (to > from && text.charCodeAt(to - 1) === SPACE) to--;
  if (from === to || to - from > 16) return NaN;
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (!isDigit(c)) return NaN;
    n = n * 10 + (c - 48);
  }
  return Number.isSafeInteger(n) ? n : NaN;
}
