/**
 * `formatCef(event)`: writes a spec-conforming CEF line that `parseCef` reads back to the same
 * fields (see README "Round trip" for the one exception: trailing spaces of the last value).
 */
import { CefFormatError, escapeExtensionValue, escapeHeaderField } from './escape';
import { isExtensionKey } from './keys';
import { findCefMarker } from './header';
import type { CefFormatInput, CefFormatOptions } from './types';

function prefixText(prefix: CefFormatInput['prefix'], newlines: 'space' | 'throw'): string {
  const raw = typeof prefix === 'string' ? prefix : prefix?.raw;
  if (raw === undefined || raw.length === 0) return '';
  if (/[\r\n]/.test(raw)) {
    if (newlines === 'throw') throw new CefFormatError('the prefix may not contain CR or LF');
  }
  const text = raw.replace(/\r\n|[\r\n]/g, ' ');
  // A marker inside the prefix would make the parser start the message there.
  if (findCefMarker(`${text} CEF:0|`, text.length + 7) < text.length) {
    throw new CefFormatError('the prefix may not contain "CEF:<version>|"');
  }
  return `${text} `;
}

/**
 * Writes one CEF line (no line terminator).
 * Header fields: `\` → `\\`, `|` → `\|`, CR/LF → space (or throw, see `headerNewlines`).
 * Extension values: `\` → `\\`, `=` → `\=`, LF → `\n`, CR → `\r`.
 * Throws `CefFormatError` for a version that is not a non-negative integer, a key the parser
 * could not read back (see `isExtensionKey`), or a prefix containing a CEF marker.
 */
export function formatCef(event: CefFormatInput, options: CefFormatOptions = {}): string {
  const newlines = options.headerNewlines ?? 'space';
  const version = event.version ?? 0;
  if (!Number.isSafeInteger(version) || version < 0) {
    throw new CefFormatError(`CEF version must be a non-negative integer, got ${String(version)}`);
  }
  const header = (value: string): string => escapeHeaderField(value, newlines);
  let line =
    `${prefixText(event.prefix, newlines)}CEF:${version}|${header(event.deviceVendor)}|${header(event.deviceProduct)}|` +
    `${header(event.deviceVersion)}|${header(event.deviceEventClassId)}|${header(event.name)}|${header(String(event.severity))}|`;
  const extensions = event.extensions ?? {};
  let separator = '';
  for (const key of Object.keys(extensions)) {
    const value = extensions[key];
    if (value === undefined || value === null) continue;
    if (!isExtensionKey(key)) throw new CefFormatError(`${JSON.stringify(key)} is not a valid CEF extension key`);
    line += `${separator}${key}=${escapeExtensionValue(String(value))}`;
    separator = ' ';
  }
  return line;
}
