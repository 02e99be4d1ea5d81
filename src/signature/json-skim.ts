/**
 * Finds where the members of a JSON object sit, as byte offsets, without
 * converting a single value. Signatures are checked on the raw bytes, and
 * JSON.parse would turn Konnect's 19-digit `trace_id` into a float.
 *
 * Works on UTF-8 bytes: every structural character is ASCII, and no byte of
 * a multi-byte UTF-8 sequence is ASCII, so offsets are exact.
 */

export interface JsonMemberSpan {
  /** Offset of the key's opening quote. */
  keyStart: number;
  /** Offset just past the key's closing quote. */
  keyEnd: number;
  /** Offset of the value's first byte. */
  valueStart: number;
  /** Offset just past the value's last byte. */
  valueEnd: number;
  /** Offset of the comma before this member; -1 for the first member. */
  commaBefore: number;
  /** Offset of the comma after this member; -1 for the last member. */
  commaAfter: number;
}

export interface JsonObjectSkim {
  members: JsonMemberSpan[];
  /** Offset of the object's closing brace. */
  closeBrace: number;
}

export class JsonSkimError extends Error {
  constructor(message: string, readonly offset: number) {
    super(`${message} at byte ${offset}`);
    this.name = 'JsonSkimError';
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
/** Deep enough for any audit event; shallow enough that hostile input cannot overflow the stack. */
const MAX_DEPTH = 256;

/**
 * Skims the object whose `{` is at `start`. Members are pushed onto `members`
 * as they complete, so a caller that catches a JsonSkimError (a truncated or
 * broken line) still sees the members found before the break.
 */
export function skimJsonObject(
  bytes: Uint8Array,
  start: number,
  members: JsonMemberSpan[] = [],
): JsonObjectSkim {
  const cursor = new Cursor(bytes, start);
  const closeBrace = cursor.skipObject(0, members);
  return { members, closeBrace };
}

/** Offset of the first byte that is not JSON whitespace, at or after `from`. */
export function skipJsonWhitespace(bytes: Uint8Array, from: number): number {
  let position = from;
  while (position < bytes.length && isJsonWhitespace(bytes[position]!)) position++;
  return position;
}

export function isJsonWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

/** True when the member's key is exactly `"<key>"` (ASCII key, no escapes). */
export function memberKeyIs(bytes: Uint8Array, member: JsonMemberSpan, key: string): boolean {
  if (member.keyEnd - member.keyStart !== key.length + 2) return false;
  for (let index = 0; index < key.length; index++) {
    if (bytes[member.keyStart + 1 + index] !== key.charCodeAt(index)) return false;
  }
  return true;
}

class Cursor {
  constructor(
    private readonly bytes: Uint8Array,
    public position: number,
  ) {}

  /** Returns the offset of the closing brace; leaves the cursor just past it. */
  skipObject(depth: number, members?: JsonMemberSpan[]): number {
    this.expect(OPEN_BRACE, 'expected "{"');
    this.skipWhitespace();
    if (this.current() === CLOSE_BRACE) return this.position++;
    let commaBefore = -1;
    for (;;) {
      this.skipWhitespace();
      const keyStart = this.position;
      this.skipString();
      const keyEnd = this.position;
      this.skipWhitespace();
      this.expect(COLON, 'expected ":" after an object key');
      this.skipWhitespace();
      const valueStart = this.position;
      this.skipValue(depth + 1);
      const member: JsonMemberSpan = {
        keyStart,
        keyEnd,
        valueStart,
        valueEnd: this.position,
        commaBefore,
        commaAfter: -1,
      };
      members?.push(member);
      this.skipWhitespace();
      const next = this.current();
      if (next === COMMA) {
        member.commaAfter = this.position;
        commaBefore = this.position++;
        continue;
      }
      if (next === CLOSE_BRACE) return this.position++;
      throw new JsonSkimError('expected "," or "}" after an object member', this.position);
    }
  }

  private skipValue(depth: number): void {
    if (depth > MAX_DEPTH) throw new JsonSkimError('nested too deeply', this.position);
    const first = this.current();
    if (first === QUOTE) this.skipString();
    else if (first === OPEN_BRACE) this.skipObject(depth);
    else if (first === OPEN_BRACKET) this.skipArray(depth);
    else this.skipScalar();
  }

  private skipArray(depth: number): void {
    this.expect(OPEN_BRACKET, 'expected "["');
    this.skipWhitespace();
    if (this.current() === CLOSE_BRACKET) {
      this.position++;
      return;
    }
    for (;;) {
      this.skipWhitespace();
      this.skipValue(depth + 1);
      this.skipWhitespace();
      const next = this.current();
      this.position++;
      if (next === COMMA) continue;
      if (next === CLOSE_BRACKET) return;
      throw new JsonSkimError('expected "," or "]" in an array', this.position - 1);
    }
  }

  private skipString(): void {
    this.expect(QUOTE, 'expected a string');
    while (this.position < this.bytes.length) {
      const byte = this.bytes[this.position++]!;
      if (byte === BACKSLASH) this.position++;
      else if (byte === QUOTE) return;
    }
    throw new JsonSkimError('unterminated string', this.position);
  }

  /** Numbers, true, false, null: taken as they stand, never converted. */
  private skipScalar(): void {
    const start = this.position;
    while (this.position < this.bytes.length && !isScalarEnd(this.bytes[this.position]!)) {
      this.position++;
    }
    if (this.position === start) throw new JsonSkimError('expected a value', start);
  }

  private skipWhitespace(): void {
    this.position = skipJsonWhitespace(this.bytes, this.position);
  }

  private current(): number | undefined {
    return this.position < this.bytes.length ? this.bytes[this.position] : undefined;
  }

  private expect(byte: number, message: string): void {
    if (this.current() !== byte) throw new JsonSkimError(message, this.position);
    this.position++;
  }
}

function isScalarEnd(byte: number): boolean {
  return (
    byte === COMMA ||
    byte === CLOSE_BRACE ||
    byte === CLOSE_BRACKET ||
    byte === COLON ||
    byte === QUOTE ||
    isJsonWhitespace(byte)
  );
}
