import { isUtf8 } from 'node:buffer';
import { readFlatObject, type FlatMember } from '../formats/json/flat-object';
import { scanJsonValue, type ScannedValue } from '../formats/json/scan';
import { badRequest, payloadTooLarge } from '../problem';

/** One event's worth of text cut out of a request body, not yet parsed. */
export type Frame =
  /** `members` when the object is flat and compact (Konnect's JSON), offsets into `text`. */
  | { kind: 'json'; text: string; line: number; scanned: ScannedValue; members?: FlatMember[] }
  /**
   * `cef`: the line holds `CEF:` (found while framing, so no one searches again); `afterCef`: it
   * does not, and the line right before it did (a raw line break in that value would give this line).
   */
  | { kind: 'text'; text: string; line: number; cef: boolean; afterCef?: true }
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
export function frameBody(body: Buffer, limits: FramingLimits = DEFAULT_FRAMING_LIMITS, maxEvents = Infinity): Frame[] {
  const frames = new FrameList(maxEvents);
  if (isUtf8(body)) {
    frameText(body.toString('utf8'), 1, limits, frames);
    return frames.items;
  }
  // Isolate only the lines whose bytes are not UTF-8; the runs of lines between them are framed
  // as usual, so a pretty-printed value elsewhere in the body stays whole.
  let runStart = 0;
  let runLine = 1;
  let start = 0;
  let line = 1;
  while (start <= body.length) {
    let end = body.indexOf(NEWLINE, start);
    if (end < 0) end = body.length;
    const bytes = body.subarray(start, end);
    if (!isUtf8(bytes)) {
      if (start > runStart) frameText(body.toString('utf8', runStart, start), runLine, limits, frames);
      const text = bytes.toString('utf8');
      if (text.length > limits.maxLineLength) throw tooLong(text.length, line, limits);
      frames.add({ kind: 'invalid', text, line, reason: 'line is not valid UTF-8', code: 'not_utf8', rawBase64: bytes.toString('base64') });
      runStart = end + 1;
      runLine = line + 1;
    }
    start = end + 1;
    line++;
  }
  if (runStart < body.length) frameText(body.toString('utf8', runStart), runLine, limits, frames);
  return frames.items;
}

/** The frames so far; one past the event limit refuses the request before the rest is framed. */
class FrameList {
  readonly items: Frame[] = [];

  constructor(private readonly maxEvents: number) {}

  add(frame: Frame): void {
    if (this.items.length >= this.maxEvents) {
      throw payloadTooLarge(`the request carries more than ${this.maxEvents} events, the limit (--max-events): split the batch`);
    }
    this.items.push(frame);
  }
}

function frameText(text: string, firstLine: number, limits: FramingLimits, frames: FrameList): void {
  const length = text.length;
  let position = 0;
  let line = firstLine;
  // What scans that ran past their line and framed nothing there may still read: each broken line
  // may run on into many lines after it, so once this is spent, values end at their line.
  let crossLineBudget = CROSS_LINE_BUDGET_BODIES * length;
  // Found once per line, not once per value: a line may hold many values (stacked JSON).
  let lineEnd = -1;
  let lineEndsOpen = false;
  let firstOnLine = true;
  const cefMarks = new SearchCursor(text, 'CEF:');
  const newlines = newlineCursor(text);
  let lastCefLine = -1; // the last line framed as CEF text
  while (position < length) {
    const code = text.charCodeAt(position);
    if (code === NEWLINE) {
      line++;
      position++;
      firstOnLine = true;
      continue;
    }
    if (code === 0x20 || code === 0x09 || code === 0x0d || code === BYTE_ORDER_MARK) {
      position++;
      continue;
    }
    if (lineEnd < position) {
      lineEnd = text.indexOf('\n', position);
      if (lineEnd < 0) lineEnd = length;
      lineEndsOpen = endsOpen(text, position, lineEnd);
    }
    const first = firstOnLine;
    firstOnLine = false;
    // Only a line's first value can be the whole line, as the flat reader wants.
    if (code === 0x7b /* { */ && first) {
      const flat = flatObjectFrame(text.slice(position, lineEnd), line, limits);
      if (flat) {
        frames.add(flat);
        position = lineEnd;
        continue;
      }
    }
    if (code === 0x7b /* { */ || code === 0x5b /* [ */) {
      // Pretty printers break a line after `{`, `[`, `,` or `:`; a line that ends otherwise (a
      // truncated Konnect line ends inside a value) is not read on into the lines after it.
      const mayContinue = crossLineBudget > 0 && lineEndsOpen;
      const scan = scanJsonValue(text, position, limits.maxJsonDepth, mayContinue ? length : lineEnd, lineEnd);
      // A value that closes part-way through a line followed by other text is not JSON but a
      // line that starts with a bracket (`[2025-06-18 21:02:36] host CEF:0|…`), or a broken one.
      // One that spans lines must also be valid JSON, or an array of nothing but objects (each
      // then stands or falls alone): else it is a truncated line whose brackets a later line
      // happened to close, and that line is an event of its own.
      const framed =
        scan.ok &&
        endsCleanly(text, scan.value.end) &&
        // `[host][2025-06-18 21:02:36] CEF:0|…`: bracketed words before CEF, not stacked JSON.
        !(first && code === 0x5b && scan.value.end < lineEnd && cefMarks.at(scan.value.end) < lineEnd && !isValidJson(text.slice(position, scan.value.end))) &&
        (scan.value.end <= lineEnd || isValidJson(text.slice(position, scan.value.end)) || (code === 0x5b && holdsOnlyObjects(text, scan.value, limits)));
      if (scan.ok && framed) {
        const { end } = scan.value;
        if (code === 0x7b) {
          if (end - position > limits.maxLineLength) throw tooLong(end - position, line, limits);
          frames.add({ kind: 'json', text: text.slice(position, end), line, scanned: scan.value });
        } else {
          frameArray(text, scan.value, line, limits, frames, newlines);
        }
        line += countNewlines(text, position, end);
        position = skipSeparatingComma(text, end);
        continue;
      }
      crossLineBudget -= Math.max(0, (scan.ok ? scan.value.end : scan.offset) - lineEnd);
      const lineText = stripCarriageReturn(text.slice(position, lineEnd));
      if (lineText.length > limits.maxLineLength) throw tooLong(lineText.length, line, limits);
      if (lineText.includes('CEF:')) {
        frames.add({ kind: 'text', text: lineText, line, cef: true }); // `[WARN] CEF:0|…`: a bracket, then CEF
        lastCefLine = line;
      } else if (scan.ok) {
        const reason = scan.value.end <= lineEnd ? `text after the value at character ${scan.value.end - position + 1}` : 'the value is not closed on its line, and the lines after it do not complete it';
        frames.add({ kind: 'invalid', text: lineText, line, reason: `malformed JSON: ${reason}`, code: 'malformed_json' });
      } else {
        // Too deep within its own line refuses the request; a scan that ran on into later lines
        // (a truncated line, then other events) only refuses this line, and framing resumes.
        if (scan.tooDeep && scan.offset < lineEnd) {
          throw badRequest(`line ${line}: JSON nests deeper than ${limits.maxJsonDepth} levels (--max-json-depth)`);
        }
        frames.add({
          kind: 'invalid',
          text: lineText,
          line,
          reason:
            scan.offset >= lineEnd && scan.message === 'value is not closed'
              ? `malformed JSON: ${unclosedWhere(text, lineEnd, mayContinue)}`
              : `malformed JSON: ${scan.message} ${whereInBody(text, position, lineEnd, line, scan.offset)}`,
          code: 'malformed_json',
        });
      }
      position = lineEnd;
      continue;
    }
    const lineText = stripCarriageReturn(text.slice(position, lineEnd));
    if (lineText.length > limits.maxLineLength) throw tooLong(lineText.length, line, limits);
    if (cefMarks.at(position) < lineEnd) {
      frames.add({ kind: 'text', text: lineText, line, cef: true });
      lastCefLine = line;
    } else {
      // Never joined to the CEF line before it: a junk line must not change a good (signed) event.
      frames.add(lastCefLine === line - 1 ? { kind: 'text', text: lineText, line, cef: false, afterCef: true } : { kind: 'text', text: lineText, line, cef: false });
    }
    position = lineEnd;
  }
}

/** Where a value that never closed ended: the body, or its line (then framing goes on with the next line). */
function unclosedWhere(text: string, lineEnd: number, readOn: boolean): string {
  if (skipWhitespace(text, lineEnd) >= text.length) return 'value is not closed at the end of the body';
  return readOn ? 'value is not closed on its line, and the lines after it do not complete it' : 'value is not closed on its line';
}

/** Bodies' worth of text that scans of broken lines may read past their line, in all. */
const CROSS_LINE_BUDGET_BODIES = 4;

/** Whether the line, from `from` to `lineEnd`, ends where JSON expects more (`{`, `[`, `,` or `:`). */
function endsOpen(text: string, from: number, lineEnd: number): boolean {
  let i = lineEnd - 1;
  while (i > from && (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x09 || text.charCodeAt(i) === 0x0d)) i--;
  const code = text.charCodeAt(i);
  return code === 0x7b || code === 0x5b || code === 0x2c || code === 0x3a;
}

/**
 * Where `needle` next occurs at or after a position (the text's length when it does not),
 * searched for again only once positions pass it: as they only grow, every search is paid once.
 */
class SearchCursor {
  private next = -1;

  constructor(
    private readonly text: string,
    private readonly needle: string,
  ) {}

  at(position: number): number {
    if (this.next < position) {
      this.next = this.text.indexOf(this.needle, position);
      if (this.next < 0) this.next = this.text.length;
    }
    return this.next;
  }
}

type NewlineCursor = SearchCursor;
const newlineCursor = (text: string): NewlineCursor => new SearchCursor(text, '\n');

/** Whether every element of the array is an object (well bracketed, if not valid inside). */
function holdsOnlyObjects(text: string, array: ScannedValue, limits: FramingLimits): boolean {
  const newlines = newlineCursor(text);
  let position = array.start + 1;
  for (;;) {
    position = skipWhitespace(text, position);
    const code = text.charCodeAt(position);
    if (code === 0x5d /* ] */ || position >= array.end) return true;
    if (code === 0x2c /* , */) {
      position++;
      continue;
    }
    if (code !== 0x7b) return false;
    const newline = newlines.at(position);
    const scan = scanJsonValue(text, position, limits.maxJsonDepth, text.length, newline);
    if (!scan.ok) return false;
    // An element across lines must be valid JSON too, or it may be a broken line and the lines after it.
    if (newline < scan.value.end && !isValidJson(text.slice(position, scan.value.end))) return false;
    position = scan.value.end;
  }
}

/** After a value: past blanks and one comma, when objects are written `{…},` one after another without an array. */
function skipSeparatingComma(text: string, end: number): number {
  let i = end;
  while (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x09) i++;
  return text.charCodeAt(i) === 0x2c ? i + 1 : end;
}

function isValidJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** U+FEFF, which some tools write at the start of a file or line; skipped like leading whitespace. */
const BYTE_ORDER_MARK = 0xfeff;

/** Whether a value ending at `end` is followed on its line only by blanks, a comma, or another value (stacked JSON). */
function endsCleanly(text: string, end: number): boolean {
  let i = end;
  for (;;) {
    const code = text.charCodeAt(i);
    if (code === 0x20 || code === 0x09 || code === 0x0d) i++;
    else return i >= text.length || code === NEWLINE || code === 0x7b || code === 0x5b || code === 0x2c;
  }
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

/** Each element of a top-level array is one event, held to the event length limit; anything but an object is refused. */
function frameArray(text: string, array: ScannedValue, line: number, limits: FramingLimits, frames: FrameList, newlines: NewlineCursor): void {
  let position = array.start + 1;
  let index = 0;
  // Lines are counted on from the previous element, not from the array's start (quadratic).
  let elementLine = line;
  let countedTo = array.start;
  for (;;) {
    position = skipWhitespace(text, position);
    const code = text.charCodeAt(position);
    if (code === 0x5d /* ] */ || position >= array.end) break;
    if (code === 0x2c /* , */) {
      position++;
      continue;
    }
    elementLine += countNewlines(text, countedTo, position);
    countedTo = position;
    if (code === 0x7b) {
      const scan = scanJsonValue(text, position, limits.maxJsonDepth, text.length, newlines.at(position));
      if (!scan.ok) break; // unreachable: the whole array scanned cleanly
      if (scan.value.end - position > limits.maxLineLength) throw tooLong(scan.value.end - position, elementLine, limits);
      frames.add({ kind: 'json', text: text.slice(position, scan.value.end), line: elementLine, scanned: scan.value });
      position = scan.value.end;
    } else {
      const end = endOfArrayElement(text, position, array.end, limits, newlines);
      frames.add({
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
}

/** Where a non-object element ends: a nested array, a string (escapes counted), or a scalar up to the next comma. */
function endOfArrayElement(text: string, from: number, arrayEnd: number, limits: FramingLimits, newlines: NewlineCursor): number {
  const code = text.charCodeAt(from);
  if (code === 0x5b) {
    const scan = scanJsonValue(text, from, limits.maxJsonDepth, arrayEnd, newlines.at(from));
    if (scan.ok) return scan.value.end;
  } else if (code === 0x22) {
    for (let quote = text.indexOf('"', from + 1); quote >= 0 && quote < arrayEnd; quote = text.indexOf('"', quote + 1)) {
      let backslashes = 0;
      for (let j = quote - 1; j > from && text.charCodeAt(j) === 0x5c; j--) backslashes++;
      if (backslashes % 2 === 0) return quote + 1;
    }
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

/** Newlines in [from, to); reads no further than `to` (indexOf would search on to the next one, however far). */
function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === NEWLINE) count++;
  return count;
}

function stripCarriageReturn(line: string): string {
  return line.charCodeAt(line.length - 1) === 0x0d ? line.slice(0, -1) : line;
}
