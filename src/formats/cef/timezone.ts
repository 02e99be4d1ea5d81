/**
 * Time zones for CEF timestamps: fixed offsets (`Z`, `+0200`, `GMT-07:00`, `UTC+5:30`), common
 * abbreviations (fixed offsets, see ABBREVIATIONS), and IANA names via `Intl` (with DST).
 * No dependency: Node's ICU knows the IANA database.
 */
import { ownCopy } from './own-copy';

export interface Zone {
  /** The name as given (for messages). */
  name: string;
  /** Offset from UTC in ms at the UTC instant `utcMs` (east positive). */
  offsetAt(utcMs: number): number;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;

function fixedZone(name: string, offsetMs: number): Zone {
  return { name, offsetAt: () => offsetMs };
}

export const UTC_ZONE: Zone = fixedZone('UTC', 0);

/**
 * Abbreviations Java's `zzz` prints, read as fixed offsets (a `PDT` stamp is UTC-7 whatever the
 * date). Ambiguous ones follow Java's choice: `CST` is US Central, `IST` is India.
 */
const ABBREVIATIONS: ReadonlyMap<string, number> = new Map<string, number>([
  ['UTC', 0], ['UT', 0], ['GMT', 0], ['Z', 0], ['WET', 0],
  ['WEST', 1], ['BST', 1], ['CET', 1], ['MET', 1], ['CEST', 2], ['MEST', 2],
  ['EET', 2], ['EEST', 3], ['MSK', 3], ['IST', 5.5], ['PKT', 5], ['ICT', 7], ['WIB', 7],
  ['SGT', 8], ['HKT', 8], ['AWST', 8], ['JST', 9], ['KST', 9], ['ACST', 9.5], ['ACDT', 10.5],
  ['AEST', 10], ['AEDT', 11], ['NZST', 12], ['NZDT', 13],
  ['HST', -10], ['AKST', -9], ['AKDT', -8], ['PST', -8], ['PDT', -7], ['MST', -7], ['MDT', -6],
  ['CST', -6], ['CDT', -5], ['EST', -5], ['EDT', -4], ['AST', -4], ['ADT', -3],
  ['NST', -3.5], ['NDT', -2.5], ['BRT', -3], ['ART', -3],
].map(([k, h]) => [k as string, (h as number) * HOUR]));

const OFFSET = /^(?:GMT|UTC|UT)?([+-])(\d{1,2})(?::?(\d{2}))?$/i;

/** `+02:00`, `-0700`, `+02`, `GMT-07:00`, `UTC+5:30` → ms east of UTC; NaN when not an offset. */
export function parseOffset(text: string): number {
  const m = OFFSET.exec(text);
  if (m === null) return NaN;
  const hours = Number(m[2]);
  const minutes = m[3] === undefined ? 0 : Number(m[3]);
  if (hours > 18 || minutes > 59) return NaN;
  const ms = hours * HOUR + minutes * MINUTE;
  return m[1] === '-' ? -ms : ms;
}

function ianaZone(name: string): Zone | undefined {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    return undefined; // RangeError: not a zone ICU knows
  }
  return {
    name,
    offsetAt(utcMs: number): number {
      const parts = format.formatToParts(new Date(utcMs));
      let y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
      for (const p of parts) {
        switch (p.type) {
          case 'year': y = Number(p.value); break;
          case 'month': mo = Number(p.value); break;
          case 'day': d = Number(p.value); break;
          case 'hour': h = Number(p.value); break;
          case 'minute': mi = Number(p.value); break;
          case 'second': s = Number(p.value); break;
        }
      }
      const wall = Date.UTC(y, mo - 1, d, h, mi, s);
      return wall - (utcMs - (((utcMs % 1000) + 1000) % 1000));
    },
  };
}

/** Resolved zones by name; failures too, but bounded so junk `dtz` values cannot grow it forever. */
const cache = new Map<string, Zone | null>();
const CACHE_LIMIT = 1000;
/** Longer than any zone name (IANA's longest is 32 characters), blanks around it aside: not looked up, not cached. */
const LONGEST_ZONE_NAME = 64;

/** A zone for `name`, or undefined when it is neither an offset, a known abbreviation nor an IANA name. */
export function resolveZone(name: string): Zone | undefined {
  const given = name.trim();
  if (given.length > LONGEST_ZONE_NAME) return undefined;
  const cached = cache.get(given);
  if (cached !== undefined) return cached ?? undefined;
  // Kept in the cache (and in the zone): a copy, not a slice that holds its request's body.
  const trimmed = ownCopy(given);
  let zone: Zone | undefined;
  const abbreviation = ABBREVIATIONS.get(trimmed.toUpperCase());
  if (abbreviation !== undefined) {
    zone = fixedZone(trimmed, abbreviation);
  } else {
    const offset = parseOffset(trimmed);
    if (!Number.isNaN(offset)) zone = fixedZone(trimmed, offset);
    else if (/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(trimmed)) zone = ianaZone(trimmed);
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(trimmed, zone ?? null);
  return zone;
}

/** An instant and its wall time are at most this far apart (UTC-12 to UTC+14). */
const WIDEST_OFFSET = 14 * HOUR;

/**
 * The UTC instant for a wall-clock time in `zone`. `wallMs` is the wall time encoded as if it
 * were UTC (`Date.UTC(y, m, d, …)`). The offsets in force just before and just after the wall
 * time are both tried: a repeated wall time (autumn) takes its first occurrence, and one inside a
 * spring-forward gap is read with the offset from before the gap, so it lands past the gap
 * (02:30 on the New York switch day becomes 03:30 EDT, on the Berlin one 03:30 CEST).
 */
export function wallTimeToUtc(wallMs: number, zone: Zone): number {
  const before = zone.offsetAt(wallMs - WIDEST_OFFSET);
  const after = zone.offsetAt(wallMs + WIDEST_OFFSET);
  if (before === after) return wallMs - before;
  const early = wallMs - Math.max(before, after);
  const late = wallMs - Math.min(before, after);
  const earlyHolds = zone.offsetAt(early) === Math.max(before, after);
  const lateHolds = zone.offsetAt(late) === Math.min(before, after);
  if (earlyHolds) return early; // the first of two occurrences, or the only one
  if (lateHolds) return late;
  return wallMs - before; // in the gap
}
