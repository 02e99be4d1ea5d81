/**
 * CEF timestamps (`rt`, `start`, `end`, `deviceCustomDate1`–`2`, …) and syslog prefix stamps.
 *
 * Accepted forms:
 * - epoch milliseconds, or epoch seconds (values below 1e11, i.e. before 1973-03-03 in ms) with an
 *   optional fraction (`1684267794.226`);
 * - the spec's eight `MMM dd [yyyy] HH:mm:ss[.SSS] [zzz]` forms (Java patterns, so `zzz` may be
 *   `UTC`, `GMT-07:00`, `+0200`, `PDT` or an IANA name; full month names parse too);
 * - ISO 8601 as seen in the wild: `2026-09-14T08:05:50.609+00:00`, `…Z`, `2014-07-10 10:39:01 CST`.
 * A value without a zone takes the caller's zone (`dtz`, then `options.timezone`, then UTC).
 * A value without a year takes the year that puts it closest to a reference instant (`rt`, else now);
 * against now, it may not lie more than two days ahead (a log line does not come from the future).
 */
import type { CefTime } from './types';
import { resolveZone, wallTimeToUtc, type Zone } from './timezone';

export interface TimestampContext {
  /** Zone for values that carry none. */
  zone: Zone;
  /** Reference instant for year-less values; called only when needed. */
  yearReferenceMs(): number;
  /** Whether that instant is the clock rather than the event's own `rt`: then the year is not guessed into the future. */
  yearReferenceIsNow?(): boolean;
}

/** How far ahead of the clock a year-less stamp may be (clock skew, zones) before it is taken for last year's. */
const YEARLESS_FUTURE_MS = 2 * 86_400_000;

const MIN_MS = -62_167_219_200_000; // 0000-01-01T00:00:00Z
const MAX_MS = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
const SECONDS_LIMIT = 1e11;

const MONTHS: ReadonlyMap<string, number> = new Map(
  ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'].map((m, i) => [m, i]),
);
const FULL_MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

function monthIndex(name: string): number {
  const lower = name.toLowerCase();
  const short = MONTHS.get(lower);
  if (short !== undefined) return short;
  if (lower === 'sept') return 8;
  const full = FULL_MONTHS.indexOf(lower);
  return full;
}

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : `${i}`));
const FRACTIONS = Array.from({ length: 1000 }, (_, i) => (i === 0 ? 'Z' : `.${String(i).padStart(3, '0')}Z`));
let cachedMinute = NaN;
let cachedMinuteText = '';

/**
 * RFC 3339 UTC text for an instant in years 0000–9999: `YYYY-MM-DDTHH:MM:SS[.sss]Z`, fraction
 * only when non-zero (three digits then).
 * Hand-built because `Date#toISOString` costs ~0.4 µs, more than parsing the rest of a line; the
 * text up to the minute is cached because consecutive events share it.
 */
export function formatIsoUtc(epochMs: number): string {
  const minute = Math.floor(epochMs / MINUTE_MS);
  if (minute !== cachedMinute) {
    cachedMinute = minute;
    cachedMinuteText = new Date(minute * MINUTE_MS).toISOString().slice(0, 17); // YYYY-MM-DDTHH:MM:
  }
  const inMinute = epochMs - minute * MINUTE_MS;
  const ms = inMinute % 1000;
  return cachedMinuteText + (TWO_DIGITS[(inMinute - ms) / 1000] as string) + (FRACTIONS[ms] as string);
}

function makeTime(raw: string, epochMs: number): CefTime | string {
  if (!(epochMs >= MIN_MS && epochMs <= MAX_MS)) return `timestamp ${JSON.stringify(raw)} is outside years 0000–9999`;
  return { raw, epochMs, iso: formatIsoUtc(epochMs) };
}

function fractionToMs(digits: string | undefined): number {
  if (digits === undefined || digits.length === 0) return 0;
  return Number((digits + '00').slice(0, 3));
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month0: number): number {
  if (month0 !== 1) return MONTH_DAYS[month0] ?? 0;
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}

/** Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Like Date.UTC, but pure arithmetic and correct for years 0–99 (Date.UTC maps those to 19xx). */
function utc(year: number, month0: number, day: number, h: number, mi: number, s: number, ms: number): number {
  return daysFromCivil(year, month0 + 1, day) * DAY_MS + ((h * 60 + mi) * 60 + s) * 1000 + ms;
}

interface WallClock {
  year?: number;
  month0: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
}

/** Converts a wall-clock reading in `zone` to an instant; infers a missing year. */
function wallClockToTime(raw: string, wall: WallClock, zone: Zone, ctx: TimestampContext): CefTime | string {
  const { month0, day, hour, minute, second, ms } = wall;
  if (month0 < 0 || month0 > 11 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return `timestamp ${JSON.stringify(raw)} has a field out of range`;
  }
  const at = (year: number): number =>
    day > daysInMonth(year, month0) ? NaN : wallTimeToUtc(utc(year, month0, day, hour, minute, second, ms), zone);
  if (wall.year !== undefined) {
    const t = at(wall.year);
    return Number.isNaN(t) ? `timestamp ${JSON.stringify(raw)} names a day the month does not have` : makeTime(raw, t);
  }
  const reference = ctx.yearReferenceMs();
  const latest = ctx.yearReferenceIsNow?.() === true ? reference + YEARLESS_FUTURE_MS : Infinity;
  const year = new Date(reference).getUTCFullYear();
  let best = NaN;
  const consider = (candidate: number): void => {
    const t = at(candidate);
    if (!Number.isNaN(t) && t <= latest && (Number.isNaN(best) || Math.abs(t - reference) < Math.abs(best - reference))) best = t;
  };
  consider(year);
  consider(year - 1);
  consider(year + 1);
  // Feb 29 in none of those: the nearest leap year (before the clock, when it is the reference).
  for (let distance = 2; Number.isNaN(best) && distance <= 8; distance++) {
    consider(year - distance);
    consider(year + distance);
  }
  return Number.isNaN(best) ? `timestamp ${JSON.stringify(raw)} names a day the month does not have` : makeTime(raw, best);
}

function zoneFor(raw: string, text: string | undefined, fallback: Zone): Zone | string {
  if (text === undefined) return fallback;
  return resolveZone(text) ?? `unknown time zone ${JSON.stringify(text)} in ${JSON.stringify(raw)}`;
}

/** Two ASCII digits at `i` as 0–99, or -1. Integer-only so the JIT keeps it in registers. */
function twoDigits(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return (a >>> 0) <= 9 && (b >>> 0) <= 9 ? a * 10 + b : -1;
}

let lastDateKey = -1;
let lastDateDays = 0;

/**
 * Strict RFC 3339 (`2025-06-18T21:02:36Z`, `…36.123+02:00`) in `text[from, to)`, by hand because it
 * is on every Konnect line. NaN when the text is not RFC 3339.
 */
export function parseRfc3339(text: string, from = 0, to = text.length): number {
  if (to - from < 20) return NaN;
  const century = twoDigits(text, from);
  const yy = twoDigits(text, from + 2);
  const month = twoDigits(text, from + 5);
  const day = twoDigits(text, from + 8);
  const hour = twoDigits(text, from + 11);
  const minute = twoDigits(text, from + 14);
  const second = twoDigits(text, from + 17);
  const t = text.charCodeAt(from + 10);
  const year = century * 100 + yy;
  if (
    century < 0 || yy < 0 || text.charCodeAt(from + 4) !== 45 || text.charCodeAt(from + 7) !== 45 ||
    (t !== 84 && t !== 116) || text.charCodeAt(from + 13) !== 58 || text.charCodeAt(from + 16) !== 58 ||
    month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month - 1) ||
    hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60
  ) {
    return NaN;
  }
  let i = from + 19;
  let ms = 0;
  if (text.charCodeAt(i) === 46 /* . */) {
    const fracStart = ++i;
    while (i < to && ((text.charCodeAt(i) - 48) >>> 0) <= 9) i++;
    if (i === fracStart) return NaN;
    ms = fractionToMs(text.slice(fracStart, Math.min(i, fracStart + 3)));
  }
  let offsetMs: number;
  const z = text.charCodeAt(i);
  if ((z === 90 || z === 122) && i + 1 === to) {
    offsetMs = 0;
  } else if ((z === 43 || z === 45) && i + 6 === to && text.charCodeAt(i + 3) === 58) {
    const oh = twoDigits(text, i + 1);
    const om = twoDigits(text, i + 4);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return NaN;
    offsetMs = (oh * 60 + om) * 60_000 * (z === 45 ? -1 : 1);
  } else {
    return NaN;
  }
  // Consecutive stamps usually share their date.
  const dateKey = (year * 100 + month) * 100 + day;
  if (dateKey !== lastDateKey) {
    lastDateKey = dateKey;
    lastDateDays = daysFromCivil(year, month, day);
  }
  return lastDateDays * DAY_MS + ((hour * 60 + minute) * 60 + second) * 1000 + ms - offsetMs;
}

/** An RFC 3339 stamp as a CefTime; the text is reused as `iso` when it already is canonical UTC. */
export function rfc3339Time(raw: string): CefTime | undefined {
  const epochMs = parseRfc3339(raw);
  if (Number.isNaN(epochMs) || epochMs < MIN_MS || epochMs > MAX_MS) return undefined;
  const canonical = raw.length === 20 && raw.charCodeAt(10) === 84 && raw.charCodeAt(19) === 90;
  return { raw, epochMs, iso: canonical ? raw : formatIsoUtc(epochMs) };
}

const SPEC_FORM =
  /^([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:,?\s+(\d{4}))?,?\s+(\d{1,2}):(\d{2}):(\d{2,3})(?:[.,](\d{1,9}))?(?:\s+(\S+))?$/;
const ISO_FORM =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(?:\s*([Zz]|[+-]\d{2}(?::?\d{2})?)|\s+(\S+))?$/;
const EPOCH_FORM = /^(\d{1,16})(?:\.(\d{1,9}))?$/;

/** The spec's `MMM dd [yyyy] HH:mm:ss[.SSS] [zzz]` forms (also the RFC 3164 syslog stamp). */
export function parseSpecForm(raw: string, text: string, ctx: TimestampContext): CefTime | string | undefined {
  const m = SPEC_FORM.exec(text);
  if (m === null) return undefined;
  const month0 = monthIndex(m[1] as string);
  if (month0 === -1) return undefined;
  const zone = zoneFor(raw, m[8], ctx.zone);
  if (typeof zone === 'string') return zone;
  return wallClockToTime(
    raw,
    {
      year: m[3] === undefined ? undefined : Number(m[3]),
      month0,
      day: Number(m[2]),
      hour: Number(m[4]),
      minute: Number(m[5]),
      second: Number(m[6]),
      ms: fractionToMs(m[7]),
    },
    zone,
    ctx,
  );
}

function parseIsoForm(raw: string, text: string, ctx: TimestampContext): CefTime | string | undefined {
  const m = ISO_FORM.exec(text);
  if (m === null) return undefined;
  const zone = zoneFor(raw, m[8] ?? m[9], ctx.zone);
  if (typeof zone === 'string') return zone;
  return wallClockToTime(
    raw,
    {
      year: Number(m[1]),
      month0: Number(m[2]) - 1,
      day: Number(m[3]),
      hour: m[4] === undefined ? 0 : Number(m[4]),
      minute: m[5] === undefined ? 0 : Number(m[5]),
      second: m[6] === undefined ? 0 : Number(m[6]),
      ms: fractionToMs(m[7]),
    },
    zone,
    ctx,
  );
}

function parseEpoch(raw: string, text: string): CefTime | string | undefined {
  // Fast path: a plain run of digits (what Konnect's `rt` always is), read without Number().
  if (text.length <= 16) {
    let n = 0;
    let i = 0;
    for (; i < text.length; i++) {
      const d = text.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
    }
    if (i === text.length) return makeTime(raw, n < SECONDS_LIMIT ? n * 1000 : n);
  }
  const m = EPOCH_FORM.exec(text);
  if (m === null) return undefined;
  const whole = Number(m[1]);
  if (m[2] === undefined || whole >= SECONDS_LIMIT) return makeTime(raw, whole < SECONDS_LIMIT ? whole * 1000 : whole);
  return makeTime(raw, whole * 1000 + fractionToMs(m[2]));
}

/**
 * Parses one timestamp value. Returns the time, or a message saying why it could not be read
 * (the caller turns it into a warning; a bad timestamp never fails the event).
 */
export function parseCefTimestamp(raw: string, ctx: TimestampContext): CefTime | string {
  // trim() only when needed: it is measurable on the `rt` of every line.
  const first = raw.charCodeAt(0);
  const last = raw.charCodeAt(raw.length - 1);
  const text = first > 32 && first < 127 && last > 32 && last < 127 ? raw : raw.trim();
  if (text.length === 0) return 'empty timestamp';
  const lead = text.charCodeAt(0);
  let result: CefTime | string | undefined;
  if (lead >= 48 && lead <= 57) {
    result = parseEpoch(raw, text);
    if (result === undefined) {
      result = text.length >= 20 ? rfc3339Time(text) : undefined;
      if (result !== undefined) result = { raw, epochMs: result.epochMs, iso: result.iso };
      else result = parseIsoForm(raw, text, ctx);
    }
  } else {
    result = parseSpecForm(raw, text, ctx);
  }
  return result ?? `unrecognised timestamp ${JSON.stringify(raw)}`;
}
