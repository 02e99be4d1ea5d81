/**
 * The syslog prefix: whatever stands before `CEF:`. It is kept verbatim in `raw`; when it has a
 * recognisable shape its timestamp and host are read too.
 *
 * - Konnect: `2025-06-18T21:02:36Z konghq.com` (RFC 3339 then host) → `konnect`.
 * - RFC 3164: `[<PRI>]Apr 14 05:39:08 host …` (also with a year, or `<PRI>` + RFC 3339) → `rfc3164`.
 * - RFC 5424: `<PRI>1 TIMESTAMP HOST APP PROCID MSGID …` → `rfc5424`.
 * - anything else → `unknown` (raw kept, nothing read).
 */
import { parseRfc3339, parseSpecForm, rfc3339Time, type TimestampContext } from './timestamp';
import type { CefPrefix, CefTime, CefWarning } from './types';

const SPACE = 32;

/** `<PRI>` at the start: the number and where the rest begins; undefined when absent. */
function readPri(raw: string): { pri: number; next: number } | undefined {
  if (raw.charCodeAt(0) !== 60 /* < */) return undefined;
  const close = raw.indexOf('>', 1);
  if (close < 2 || close > 4) return undefined;
  const digits = raw.slice(1, close);
  if (!/^\d+$/.test(digits)) return undefined;
  const pri = Number(digits);
  return pri <= 191 ? { pri, next: close + 1 } : undefined;
}

/** The space-delimited token starting at `from` (after skipping spaces), and where it ends. */
function tokenAt(raw: string, from: number): { text: string; end: number } | undefined {
  let start = from;
  while (start < raw.length && raw.charCodeAt(start) === SPACE) start++;
  if (start >= raw.length) return undefined;
  let end = raw.indexOf(' ', start);
  if (end === -1) end = raw.length;
  return { text: raw.slice(start, end), end };
}

function nilToUndefined(text: string | undefined): string | undefined {
  return text === undefined || text === '-' ? undefined : text;
}

/** A date and a time of day, in any detail after the minute (no zone, a bare `.`): kept as it came when not RFC 3339. */
const DATE_TIME_LIKE = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}(?:[:.,+\-Zz]\S*)?$/;
const DATE_AND_MINUTE_LENGTH = 16; // YYYY-MM-DDTHH:MM
/** The shape of an RFC 3339 stamp, whether or not its fields name a real time. */
const RFC3339_SHAPE = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/** Stamps like `Apr 14 05:39:08` / `Apr  4 05:39:08.123` / `Apr 14 2023 05:39:08` at the start. */
const BSD_STAMP = /^[A-Za-z]{3} +\d{1,2} +(?:\d{4} +)?\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?= |$)/;

/** Konnect's own shape, `2025-06-18T21:02:36Z konghq.com`, built in one step (it is on every line). */
function konnectPrefix(raw: string): CefPrefix | undefined {
  if (raw.length < 22 || raw.charCodeAt(20) !== SPACE || raw.indexOf(' ', 21) !== -1) return undefined;
  const time = rfc3339Time(raw.slice(0, 20));
  return time === undefined ? undefined : { raw, syntax: 'konnect', host: raw.slice(21), time };
}

export function parsePrefix(raw: string, ctx: TimestampContext, warnings: CefWarning[]): CefPrefix {
  const fast = konnectPrefix(raw);
  if (fast !== undefined) return fast;
  const priInfo = readPri(raw);
  const pos = priInfo?.next ?? 0;
  const prefix: CefPrefix = { raw, syntax: 'unknown' };
  if (priInfo !== undefined) prefix.pri = priInfo.pri;

  if (priInfo !== undefined && raw.charCodeAt(pos) === 49 /* 1 */ && raw.charCodeAt(pos + 1) === SPACE) {
    prefix.syntax = 'rfc5424';
    const stamp = tokenAt(raw, pos + 2);
    const host = stamp && tokenAt(raw, stamp.end);
    const app = host && tokenAt(raw, host.end);
    const procId = app && tokenAt(raw, app.end);
    const msgId = procId && tokenAt(raw, procId.end);
    assign(prefix, 'host', nilToUndefined(host?.text));
    assign(prefix, 'appName', nilToUndefined(app?.text));
    assign(prefix, 'procId', nilToUndefined(procId?.text));
    assign(prefix, 'msgId', nilToUndefined(msgId?.text));
    if (stamp !== undefined && stamp.text !== '-') {
      setTime(prefix, rfc3339Time(stamp.text), stamp.text, pos + 2, warnings);
    }
    return prefix;
  }

  // RFC 3339 stamp (Konnect, or `<PRI>` + high-precision stamp as rsyslog writes it).
  let stampEnd = raw.indexOf(' ', pos);
  if (stampEnd === -1) stampEnd = raw.length;
  if (stampEnd - pos >= DATE_AND_MINUTE_LENGTH) {
    const stamp = raw.slice(pos, stampEnd);
    const time = rfc3339Time(stamp);
    if (time !== undefined || DATE_TIME_LIKE.test(stamp)) {
      prefix.syntax = priInfo === undefined ? 'konnect' : 'rfc3164';
      if (time !== undefined) prefix.time = time;
      else {
        // Kept as it came, as the JSON form keeps such an event_ts: never moved to another day.
        prefix.unreadTime = stamp;
        const why = !RFC3339_SHAPE.test(stamp)
          ? 'is not an RFC 3339 date and time'
          : Number.isNaN(parseRfc3339(stamp))
            ? 'is not a real date and time'
            : 'is outside years 0000–9999 in UTC';
        warnings.push({ message: `syslog prefix: ${JSON.stringify(stamp)} ${why}; kept as it came`, offset: pos });
      }
      if (stampEnd < raw.length) assign(prefix, 'host', tokenAt(raw, stampEnd)?.text);
      return prefix;
    }
  }

  const bsd = BSD_STAMP.exec(pos === 0 ? raw : raw.slice(pos));
  if (bsd !== null) {
    prefix.syntax = 'rfc3164';
    const stamp = bsd[0];
    const time = parseSpecForm(stamp, stamp, ctx);
    setTime(prefix, time, stamp, pos, warnings);
    assign(prefix, 'host', tokenAt(raw, pos + stamp.length)?.text);
  }
  return prefix;
}

function assign(prefix: CefPrefix, key: 'host' | 'appName' | 'procId' | 'msgId', value: string | undefined): void {
  if (value !== undefined && value.length > 0) prefix[key] = value;
}

function setTime(
  prefix: CefPrefix,
  time: CefTime | string | undefined,
  stamp: string,
  offset: number,
  warnings: CefWarning[],
): void {
  if (time !== undefined && typeof time !== 'string') prefix.time = time;
  else warnings.push({ message: typeof time === 'string' ? `syslog prefix: ${time}` : `syslog prefix: unreadable timestamp ${JSON.stringify(stamp)}`, offset });
}
