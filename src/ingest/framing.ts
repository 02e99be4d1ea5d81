import { isUtf8 } from 'node:buffer';
import { readFlatObject, type FlatMember } from '../formats/json/flat-object';
import { scanJsonValue, type ScannedValue } from '../formats/json/scan';
import { badRequest, payloadTooLarge } from '../problem';

/** One event's worth of text cut out of a request body, not yet parsed. */
export type Frame =
  /** `members` when the object is flat and compact (Konnect's JSON), offsets into `text`. */
  | { kind: 'json'; text: string; line: number; scanned: ScannedValue; members?: FlatMember[] }
  | { kind: 'text'; text: string; line: number }
  | { kind: 'invalid'; text: string; line: number; reason: string; code: RejectionCode; rawBase64?: string };

/** Why an event was rejected, from a fixed set (metrics label it by this). */
export type RejectionCode =
  | 'not_utf8'
  | 'malformed_json'
  | 'not_an_object'
  | 'invalid_cef'
  | 'unknown_format'
  | 'signature_invalid'
  | 'signature_missing';

export interface FramingLimits {
  /** The most characters one event may have. */
  maxLineLength: number;
  /** The deepest JSON nesting accepted. */
  maxJsonDepth: number;
}

export const DEFAULT_FRAMING_LIMITS: FramingLimits = { maxLineLength: 1024 * 1024, maxJsonDepth: 64 };

const NEWLINE = 0x0a;

/**
 * Cut a decoded body into events. An event past a limit refuses the whole request (the limits
 * guard the receiver; a sender that hits one must change), while an event that merely fails to
 * parse becomes an `invalid` frame for the dead letter. Newline-delimited lines are the base framing (Konnect);
 * JSON values may also come as a top-level array, stacked back to back (Splunk HEC senders)
 * or pretty-printed across lines. Blank lines are skipped and a trailing CR is dropped.
 */
export function frameBody(body: Buffer, limits: FramingLimits = DEFAULT_FRAMING_LIMITS): Frame[] {
  if (isUtf8(body)) return frameText(body.toString('utf8'), 1, limits);
  // Keep every valid line; isolate only the lines whose bytes are not UTF-8.
  const frames: Frame[] = [];
  let start = 0;
  let line = 1;
  while (start <= body.length) {
    let end = body.indexOf(NEWLINE, start);
    if (end < 0) end = body.length;
    const bytes = body.subarray(start, end);
    if (isUtf8(bytes)) {
      frames.push(...frameText(bytes.toString('utf8'), line, limits));
    } else {
      frames.push({
        kind: 'invalid',
        text: bytes.toString('utf8'),
        line,
        reason: 'line is not valid UTF-8',
        code: 'not_utf8',
        rawBase64: bytes.toString('base64'),
      });
    }
    start = end + 1;
    line++;
  }
  return frames;
}

function frameText(text: string, firstLine: number, limits: FramingLimits): Frame[] {
  const frames: Frame[] = [];
  const length = text.length;
  let position = 0;
  let line = firstLine;
  while (position < length) {
    const code = text.charCodeAt(position);
    if (code === NEWLINE) {
      line++;
      position++;
      continue;
    }
    if (code === 0x20 || code === 0x09 || code === 0x0d) {
      position++;
      continue;
    }
    let lineEnd = text.indexOf('\n', position);
    if (lineEnd < 0) lineEnd = length;
    if (code === 0x7b /* { */) {
      const flat = flatObjectFrame(text.slice(position, lineEnd), line, limits);
      if (flat) {
        frames.push(flat);
        position = lineEnd;
        continue;
      }
    }
    if (code === 0x7b /* { */ || code === 0x5b /* [ */) {
      const scan = scanJsonValue(text, position, limits.maxJsonDepth);
      if (scan.ok) {
        const { end } = scan.value;
        if (end - position > limits.maxLineLength) throw tooLong(end - position, line, limits);
        if (code === 0x7b) {
          frames.push({ kind: 'json', text: text.slice(position, end), line, scanned: scan.value });
        } else {
          frames.push(...frameArray(text, scan.value, line, limits));
        }
        line += countNewlines(text, position, end);
        position = end;
        continue;
      }
      if (scan.tooDeep) {
        throw badRequest(`line ${line}: JSON nests deeper than ${limits.maxJsonDepth} levels (--max-json-depth)`);
      }
      frames.push({
        kind: 'invalid',
        text: stripCarriageReturn(text.slice(position, lineEnd)),
        line,
        reason: `malformed JSON: ${scan.message} ${whereInBody(text, position, lineEnd, line, scan.offset)}`,
        code: 'malformed_json',
      });
      position = lineEnd;
      continue;
    }
    const lineText = stripCarriageReturn(text.slice(position, lineEnd));
    if (lineText.length > limits.maxLineLength) throw tooLong(lineText.length, line, limits);
    frames.push({ kind: 'text', text: lineText, line });
    position = lineEnd;
  }
  return frames;
}

/**
 * A line that is one flat, compact object, read in one pass that also gives its members: the
 * most common line (Konnect's JSON) needs no bracket scan. Anything else is left to the scan.
 */
function flatObjectFrame(lineText: string, line: number, limits: FramingLimits): Frame | undefined {
  const members = readFlatObject(lineText);
  if (!members) return undefined;
  if (lineText.length > limits.maxLineLength) throw tooLong(lineText.length, line, limits);
  const unsafeNumbers: Array<[number, number]> = [];
  for (const member of members) if (member.kind === 'unsafe-integer') unsafeNumbers.push([member.valueStart, member.valueEnd]);
  return { kind: 'json', text: lineText, line, scanned: { start: 0, end: lineText.length, unsafeNumbers }, members };
}

/** Each element of a top-level array is one event; anything but an object is refused. */
function frameArray(text: string, array: ScannedValue, line: number, limits: FramingLimits): Frame[] {
  const frames: Frame[] = [];
  let position = array.start + 1;
  let index = 0;
  for (;;) {
    position = skipWhitespace(text, position);
    const code = text.charCodeAt(position);
    if (code === 0x5d /* ] */ || position >= array.end) break;
    if (code === 0x2c /* , */) {
      position++;
      continue;
    }
    const elementLine = line + countNewlines(text, array.start, position);
    if (code === 0x7b) {
      const scan = scanJsonValue(text, position, limits.maxJsonDepth);
      if (!scan.ok) break; // unreachable: the whole array scanned cleanly
      frames.push({ kind: 'json', text: text.slice(position, scan.value.end), line: elementLine, scanned: scan.value });
      position = scan.value.end;
    } else {
      const end = endOfArrayElement(text, position, array.end);
      frames.push({
        kind: 'invalid',
        text: text.slice(position, end).trim(),
        line: elementLine,
        reason: `array element ${index + 1} is not a JSON object`,
        code: 'not_an_object',
      });
      position = end;
    }
    index++;
  }
  return frames;
}

function endOfArrayElement(text: string, from: number, arrayEnd: number): number {
  if (text.charCodeAt(from) === 0x5b || text.charCodeAt(from) === 0x22) {
    const scan = text.charCodeAt(from) === 0x5b ? scanJsonValue(text, from) : undefined;
    if (scan?.ok) return scan.value.end;
    let i = from + 1;
    while (i < arrayEnd && !(text.charCodeAt(i) === 0x22 && text.charCodeAt(i - 1) !== 0x5c)) i++;
    return i + 1;
  }
  let i = from;
  while (i < arrayEnd - 1 && text.charCodeAt(i) !== 0x2c) i++;
  return i;
}

function tooLong(length: number, line: number, limits: FramingLimits) {
  return payloadTooLarge(`line ${line}: the event is ${length} characters; the limit is ${limits.maxLineLength} (--max-line-length)`);
}

function skipWhitespace(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code !== 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) break;
    i++;
  }
  return i;
}

/**
 * Where a scan failed, for a person: a value may span lines (pretty-printed JSON), so the
 * failure may lie past the line the value started on, or at the end of the body.
 */
function whereInBody(text: string, valueStart: number, lineEnd: number, line: number, offset: number): string {
  if (offset <= lineEnd && offset < text.length) return `at character ${offset - valueStart + 1}`;
  if (offset >= text.length) return 'at the end of the body';
  const failureLineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return `at line ${line + countNewlines(text, valueStart, offset)}, character ${offset - failureLineStart + 1}`;
}

function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = text.indexOf('\n', from); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

function stripCarriageReturn(line: string): string {
  return line.charCodeAt(line.length - 1) === 0x0d ? line.slice(0, -1) : line;
}
