/**
 * CEF escaping, both directions. The spec (Character Encoding section) defines:
 * - header: `\|` and `\\`; nothing else, and no line breaks at all;
 * - extension values: `\=`, `\\`, `\n` (LF) and `\r` (CR).
 * Any other backslash is kept as it is when decoding (`\|` in an extension stays `\|`), because
 * guessing what a producer meant would corrupt values such as Windows paths.
 */

const BACKSLASH = 92;
const PIPE = 124;

export class CefFormatError extends Error {
  override name = 'CefFormatError';
}

/** What each escape decodes to, by the character after the backslash. */
type Escapes = ReadonlyMap<number, string>;

const HEADER_ESCAPES: Escapes = new Map([
  [PIPE, '|'],
  [BACKSLASH, '\\'],
]);
const EXTENSION_ESCAPES: Escapes = new Map([
  [61 /* = */, '='],
  [BACKSLASH, '\\'],
  [110 /* n */, '\n'],
  [114 /* r */, '\r'],
]);

/** Decodes `\|` and `\\` in a header field; other backslashes stay. */
export function unescapeHeaderField(raw: string): string {
  return unescapeWith(raw, HEADER_ESCAPES);
}

/** Decodes `\=`, `\\`, `\n` and `\r` in an extension value (exactly: `\r` is CR, not LF). */
export function unescapeExtensionValue(raw: string): string {
  return unescapeWith(raw, EXTENSION_ESCAPES);
}

function unescapeWith(raw: string, escapes: Escapes): string {
  let slash = raw.indexOf('\\');
  if (slash === -1) return raw;
  let out = '';
  let from = 0;
  while (slash !== -1) {
    const decoded = escapes.get(raw.charCodeAt(slash + 1));
    if (decoded === undefined) {
      slash = raw.indexOf('\\', slash + 1); // not an escape: the backslash stays
      continue;
    }
    out += raw.slice(from, slash) + decoded;
    from = slash + 2;
    slash = raw.indexOf('\\', from);
  }
  return out + raw.slice(from);
}

const HEADER_SPECIALS = /[\\|\r\n]/;
const EXTENSION_SPECIALS = /[\\=\r\n]/;

/**
 * Escapes a header field: `\` → `\\`, `|` → `\|`. The header may not hold line breaks; by default
 * each CR, LF or CRLF becomes one space (what Logstash's encoder does), or `throw` refuses them.
 */
export function escapeHeaderField(value: string, newlines: 'space' | 'throw' = 'space'): string {
  if (!HEADER_SPECIALS.test(value)) return value;
  if (newlines === 'throw' && /[\r\n]/.test(value)) {
    throw new CefFormatError('a CEF header field may not contain CR or LF');
  }
  return value.replace(/\r\n|[\\|\r\n]/g, (c) => (c === '\\' ? '\\\\' : c === '|' ? '\\|' : ' '));
}

/** Escapes an extension value: `\` → `\\`, `=` → `\=`, LF → `\n`, CR → `\r`. */
export function escapeExtensionValue(value: string): string {
  if (!EXTENSION_SPECIALS.test(value)) return value;
  return value.replace(/[\\=\r\n]/g, (c) =>
    c === '\\' ? '\\\\' : c === '=' ? '\\=' : c === '\n' ? '\\n' : '\\r',
  );
}
