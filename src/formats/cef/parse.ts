/**
 * `parseCef(line)`: one CEF line (optionally behind a syslog prefix) into a `CefEvent`.
 * It never throws: malformed input comes back as `{ ok: false, error, partial }`, and recoverable
 * oddities (unescaped `=`, bad timestamps, unknown zones, …) as warnings on a successful result.
 */
import { translateCustomFields } from './custom-fields';
import { toFullNames } from './dictionary';
import { unescapeHeaderField } from './escape';
import { findExtensionStart, parseExtensions, type ExtensionScan } from './extensions';
import { findCefMarker, HEADER_FIELD_NAMES, parseVersion, scanHeader } from './header';
import { isKonnectHeader, parseKonnectExtensions } from './konnect-extensions';
import { parsePrefix } from './prefix';
import { readSeverity } from './severity';
import { parseCefTimestamp, type TimestampContext } from './timestamp';
import { resolveZone, UTC_ZONE, type Zone } from './timezone';
import type { CefEvent, CefParseOptions, CefParseResult, CefPrefix, CefTime, CefWarning } from './types';

const SPACE = 32;
const NO_OPTIONS: CefParseOptions = {};

/** Parses one line. See README.md for the dialect rules. */
export function parseCef(line: string, options?: CefParseOptions): CefParseResult {
  try {
    return parseLine(line, options ?? NO_OPTIONS);
  } catch (err) {
    // Last line of defence: a parser bug must still come back as a value, never as an exception.
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, error: { message: `internal parser error: ${message}`, offset: 0 }, partial: {}, warnings: [] };
  }
}

function failure(
  message: string,
  offset: number,
  partial: Partial<CefEvent>,
  warnings: CefWarning[],
): CefParseResult {
  return { ok: false, error: { message, offset }, partial, warnings };
}

/** Zone for zoneless timestamps: `dtz`, then `options.timezone`, then UTC. */
function pickZone(scan: ExtensionScan, options: CefParseOptions, warnings: CefWarning[]): Zone {
  let zone = UTC_ZONE;
  if (options.timezone !== undefined) {
    const configured = resolveZone(options.timezone);
    if (configured !== undefined) zone = configured;
    else warnings.push({ message: `options.timezone ${JSON.stringify(options.timezone)} is not a known zone; using UTC` });
  }
  const key = scan.zoneKey;
  const dtz = key === undefined ? undefined : scan.extensions[key];
  if (key !== undefined && dtz !== undefined && dtz.trim() !== '') {
    const device = resolveZone(dtz);
    if (device !== undefined) zone = device;
    else warnings.push({ message: `${key} ${JSON.stringify(dtz)} is not a known zone; using ${zone.name}`, key });
  }
  return zone;
}

/**
 * Year-less stamps take the year closest to `rt` (the device's receipt time), else to now, and then
 * not more than two days ahead of it.
 * One instance is reset per parse (parsing is synchronous; nothing keeps a reference).
 */
class EventTimeContext implements TimestampContext {
  zone: Zone = UTC_ZONE;
  receiptMs: number | undefined = undefined;
  private now: number | undefined = undefined;

  reset(zone: Zone, now: number | undefined): this {
    this.zone = zone;
    this.now = now;
    this.receiptMs = undefined;
    return this;
  }

  yearReferenceMs(): number {
    return this.receiptMs ?? this.now ?? Date.now();
  }

  yearReferenceIsNow(): boolean {
    return this.receiptMs === undefined;
  }
}

const timeContext = new EventTimeContext();

function parseTimestamps(scan: ExtensionScan, context: EventTimeContext, warnings: CefWarning[]): Record<string, CefTime> {
  const keys = scan.timestampKeys;
  if (keys.length === 0) return {};
  const extensions = scan.extensions;
  // `rt` first, so the others can take a missing year from it. `rt` alone is the common case
  // (every Konnect line), so it gets literal property access: a variable key costs far more.
  let timestamps: Record<string, CefTime> = {};
  let rtKey: string | undefined;
  if (keys.includes('rt')) {
    rtKey = 'rt';
    const rt = parseCefTimestamp(extensions.rt as string, context);
    if (typeof rt === 'string') warnings.push({ message: `rt: ${rt}`, key: 'rt' });
    else {
      timestamps = { rt };
      context.receiptMs = rt.epochMs;
    }
    if (keys.length === 1) return timestamps;
  } else if (keys.includes('deviceReceiptTime')) {
    rtKey = 'deviceReceiptTime';
    const rt = parseCefTimestamp(extensions.deviceReceiptTime as string, context);
    if (typeof rt === 'string') warnings.push({ message: `deviceReceiptTime: ${rt}`, key: rtKey });
    else {
      timestamps.deviceReceiptTime = rt;
      context.receiptMs = rt.epochMs;
    }
  }
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (key === rtKey) continue;
    const time = parseCefTimestamp(extensions[key] as string, context);
    if (typeof time === 'string') warnings.push({ message: `${key}: ${time}`, key });
    else timestamps[key] = time;
  }
  return timestamps;
}

function parseLine(line: string, options: CefParseOptions): CefParseResult {
  const warnings: CefWarning[] = [];
  if (typeof line !== 'string') return failure('input is not a string', 0, {}, warnings);

  let end = line.length;
  while (end > 0 && (line.charCodeAt(end - 1) === 10 || line.charCodeAt(end - 1) === 13)) end--; // line terminator

  const marker = findCefMarker(line, end);
  if (marker === -1) return failure('no "CEF:<version>|" header in the line', 0, {}, warnings);

  // One scan for backslashes serves both the header and the extension scanner (usually: none).
  const firstSlash = line.indexOf('\\', marker + 4);
  const header = scanHeader(line, marker + 4, end, firstSlash);
  const fields = header.fields;
  let fieldCount = header.count;
  let scan: ExtensionScan | undefined;
  let shortHeaderAt = -1;
  if (header.extensionsStart !== -1) {
    if (isKonnectHeader(fields[1], fields[2], line, marker)) scan = parseKonnectExtensions(line, header.extensionsStart, end, warnings);
    scan ??= parseExtensions(line, header.extensionsStart, end, warnings, firstSlash);
  } else {
    // Fewer than seven `|`-terminated fields. Salvage: the unterminated tail may hold one more
    // header field and then extensions (beats#30757 loses the extensions here).
    const tail = header.stoppedAt;
    const extensionsAt = findExtensionStart(line, tail, end);
    const headEnd = extensionsAt === -1 ? end : extensionsAt === tail ? tail : extensionsAt - 1;
    if (headEnd > tail) {
      header.fieldOffsets[fieldCount] = tail;
      fields[fieldCount++] = unescapeHeaderField(line.slice(tail, headEnd));
    }
    if (extensionsAt !== -1) scan = parseExtensions(line, extensionsAt, end, warnings, firstSlash);
    if (fieldCount === 7) {
      warnings.push({ message: 'no "|" after the severity field', offset: headEnd });
    } else {
      shortHeaderAt = extensionsAt === -1 ? end : extensionsAt;
    }
  }

  const versionText = fieldCount > 0 ? (fields[0] as string) : ''; // `fields` is scratch space: read only `fieldCount`
  const digit = versionText.length === 1 ? versionText.charCodeAt(0) - 48 : -1;
  const version = digit >= 0 && digit <= 9 ? digit : parseVersion(versionText); // `0`/`1` almost always
  scan ??= { extensions: {}, timestampKeys: [], zoneKey: undefined };
  const extensions = scan.extensions;
  const context = timeContext.reset(pickZone(scan, options, warnings), options.now);
  const timestamps = parseTimestamps(scan, context, warnings);

  let prefix: CefPrefix | undefined;
  if (marker > 0) {
    const prefixEnd = line.charCodeAt(marker - 1) === SPACE ? marker - 1 : marker;
    if (prefixEnd > 0) prefix = parsePrefix(line.slice(0, prefixEnd), context, warnings);
  }

  const severity = fieldCount === 7 ? (fields[6] as string) : undefined;
  const reading = severity === undefined ? undefined : readSeverity(severity);
  if (reading !== undefined && !reading.valid) {
    warnings.push({ message: `severity ${JSON.stringify(severity)} is neither 0–10 nor Unknown/Low/Medium/High/Very-High`, offset: header.fieldOffsets[6] as number });
  }

  if (shortHeaderAt !== -1 || Number.isNaN(version)) {
    const partial: Partial<CefEvent> = {};
    if (!Number.isNaN(version)) partial.version = version;
    for (let i = 1; i < fieldCount; i++) {
      (partial as Record<string, unknown>)[HEADER_FIELD_NAMES[i] as string] = fields[i];
    }
    if (reading !== undefined) partial.severityLevel = reading.level;
    partial.extensions = extensions;
    partial.timestamps = timestamps;
    if (prefix !== undefined) partial.prefix = prefix;
    if (shortHeaderAt !== -1) {
      const missing = HEADER_FIELD_NAMES.slice(fieldCount).join(', ');
      return failure(`header has ${fieldCount} of 7 fields: missing ${missing}`, shortHeaderAt, partial, warnings);
    }
    return failure(`CEF version ${JSON.stringify(versionText)} is not an integer`, marker + 4, partial, warnings);
  }

  if (versionText.charCodeAt(0) === SPACE || versionText.charCodeAt(versionText.length - 1) === SPACE) {
    warnings.push({ message: `spaces around the CEF version ${JSON.stringify(versionText)}`, offset: marker + 4 });
  }
  if (version > 1) warnings.push({ message: `unknown CEF version ${version}`, offset: marker + 4 });

  const event: CefEvent = {
    version,
    deviceVendor: fields[1] as string,
    deviceProduct: fields[2] as string,
    deviceVersion: fields[3] as string,
    deviceEventClassId: fields[4] as string,
    name: fields[5] as string,
    severity: severity as string,
    severityLevel: (reading as { level: number | undefined }).level,
    extensions,
    timestamps,
  };
  if (prefix !== undefined) event.prefix = prefix;
  if (options.translateCustomFields === true) event.customFields = translateCustomFields(extensions, warnings);
  if (options.fullNames === true) {
    event.fullNameExtensions = toFullNames(extensions, (key, full) =>
      warnings.push({ message: `${key} and another spelling of ${full} both occur; the first one is kept`, key }),
    );
  }
  return { ok: true, event, warnings };
}
