import { formatIsoUtc, parseCefTimestamp, parseRfc3339, type TimestampContext } from '../../../src/formats/cef/timestamp';
import { resolveZone, UTC_ZONE, type Zone } from '../../../src/formats/cef/timezone';

const NOW = Date.UTC(2024, 6, 1, 12, 0, 0);

function ctx(zone: Zone = UTC_ZONE, reference = NOW): TimestampContext {
  return { zone, yearReferenceMs: () => reference };
}

function iso(raw: string, context: TimestampContext = ctx()): string {
  const time = parseCefTimestamp(raw, context);
  if (typeof time === 'string') throw new Error(time);
  expect(time.raw).toBe(raw);
  return time.iso;
}

function zone(name: string): Zone {
  const z = resolveZone(name);
  if (z === undefined) throw new Error(`no zone ${name}`);
  return z;
}

describe('parseCefTimestamp: epoch', () => {
  it.each([
    ['1684267794226', '2023-05-16T20:09:54.226Z'],
    ['1684267794', '2023-05-16T20:09:54Z'],
    ['1684267794.226', '2023-05-16T20:09:54.226Z'],
    ['1684267794.5', '2023-05-16T20:09:54.500Z'],
    ['0', '1970-01-01T00:00:00Z'],
    ['16738287345642', '2500-06-01T04:15:45.642Z'],
    [' 1684267794226 ', '2023-05-16T20:09:54.226Z'],
  ])('%j → %s', (raw, expected) => {
    expect(iso(raw)).toBe(expected);
  });

  it('reads values below 1e11 as seconds and the rest as milliseconds', () => {
    expect(iso('99999999999')).toBe('5138-11-16T09:46:39Z');
    expect(iso('100000000000')).toBe('1973-03-03T09:46:40Z');
  });
});

describe('parseCefTimestamp: the spec forms (MMM dd [yyyy] HH:mm:ss[.SSS] [zzz])', () => {
  it.each([
    ['Jan 18 2024 11:07:53.123 UTC', '2024-01-18T11:07:53.123Z'],
    ['Jan 18 2024 11:07:53.123', '2024-01-18T11:07:53.123Z'],
    ['Jan 18 2024 11:07:53 GMT', '2024-01-18T11:07:53Z'],
    ['Jan 18 2024 11:07:53', '2024-01-18T11:07:53Z'],
    ['Jan 18 11:07:53.123 UTC', '2024-01-18T11:07:53.123Z'],
    ['Jan 18 11:07:053.123', '2024-01-18T11:07:53.123Z'], // the spec's own `sss` typo
    ['Jan 18 11:07:53 Z', '2024-01-18T11:07:53Z'],
    ['Jan 18 11:07:53', '2024-01-18T11:07:53Z'],
  ])('%j → %s', (raw, expected) => {
    expect(iso(raw)).toBe(expected);
  });

  it.each([
    ['Sep 07 2018 14:50:39 GMT-07:00', '2018-09-07T21:50:39Z'],
    ['Aug 22 2022 12:10:12 GMT+00:00', '2022-08-22T12:10:12Z'],
    ['Sep 07 2018 14:50:39 +0200', '2018-09-07T12:50:39Z'],
    ['Sep 07 2018 14:50:39 -07', '2018-09-07T21:50:39Z'],
    ['Sep 07 2018 14:50:39 UTC+05:30', '2018-09-07T09:20:39Z'],
    ['Jul 10 2014 10:39:01 PDT', '2014-07-10T17:39:01Z'],
    ['Jan 10 2014 10:39:01 PST', '2014-01-10T18:39:01Z'],
    ['Jan 10 2014 10:39:01 CET', '2014-01-10T09:39:01Z'],
    ['Jul 10 2014 10:39:01 America/New_York', '2014-07-10T14:39:01Z'],
    ['Jan 10 2014 10:39:01 America/New_York', '2014-01-10T15:39:01Z'],
  ])('zone %j → %s', (raw, expected) => {
    expect(iso(raw)).toBe(expected);
  });

  it('accepts full and lower-case month names', () => {
    expect(iso('september 7 2018 14:50:39')).toBe('2018-09-07T14:50:39Z');
  });

  it('uses the context zone when the value has none', () => {
    expect(iso('Jan 02 2024 10:00:00', ctx(zone('America/New_York')))).toBe('2024-01-02T15:00:00Z');
    expect(iso('Jul 02 2024 10:00:00', ctx(zone('America/New_York')))).toBe('2024-07-02T14:00:00Z');
    expect(iso('Jul 02 2024 10:00:00', ctx(zone('+05:30')))).toBe('2024-07-02T04:30:00Z');
  });

  it('prefers a zone written in the value over the context zone', () => {
    expect(iso('Jan 02 2024 10:00:00 UTC', ctx(zone('America/New_York')))).toBe('2024-01-02T10:00:00Z');
  });

  it('infers the missing year as the one closest to the reference instant', () => {
    expect(iso('Dec 31 23:59:59', ctx(UTC_ZONE, Date.UTC(2025, 0, 1, 0, 0, 10)))).toBe('2024-12-31T23:59:59Z');
    expect(iso('Jan 01 00:00:05', ctx(UTC_ZONE, Date.UTC(2024, 11, 31, 23, 59, 50)))).toBe('2025-01-01T00:00:05Z');
    expect(iso('Jun 15 12:00:00', ctx(UTC_ZONE, Date.UTC(2022, 5, 1)))).toBe('2022-06-15T12:00:00Z');
  });

  it('infers Feb 29 into the nearest leap year', () => {
    expect(iso('Feb 29 12:00:00', ctx(UTC_ZONE, Date.UTC(2025, 1, 20)))).toBe('2024-02-29T12:00:00Z');
    expect(iso('Feb 29 12:00:00', ctx(UTC_ZONE, Date.UTC(2026, 6, 1)))).toBe('2028-02-29T12:00:00Z');
    expect(iso('Feb 29 12:00:00', ctx(UTC_ZONE, Date.UTC(2026, 0, 1)))).toBe('2024-02-29T12:00:00Z');
  });

  it('against the clock (no rt), puts a stamp no more than two days ahead of it: an older one is last year\'s', () => {
    const clock = (reference: number): TimestampContext => ({ zone: UTC_ZONE, yearReferenceMs: () => reference, yearReferenceIsNow: () => true });
    const december6 = Date.UTC(2026, 11, 6, 9, 0, 0);
    // Closest would be 2027-01-18, 43 days ahead of the clock.
    expect(iso('Jan 18 11:07:53', ctx(UTC_ZONE, december6))).toBe('2027-01-18T11:07:53Z');
    expect(iso('Jan 18 11:07:53', clock(december6))).toBe('2026-01-18T11:07:53Z');
    expect(iso('Dec  7 23:00:00', clock(december6))).toBe('2026-12-07T23:00:00Z');
    expect(iso('Dec  8 10:00:00', clock(december6))).toBe('2025-12-08T10:00:00Z');
    expect(iso('Jan 01 00:00:05', clock(Date.UTC(2024, 11, 31, 23, 59, 50)))).toBe('2025-01-01T00:00:05Z');
    expect(iso('Dec 31 23:59:59', clock(Date.UTC(2025, 0, 1, 0, 0, 10)))).toBe('2024-12-31T23:59:59Z');
    // Feb 29 three days ahead of the clock in a leap year: the leap year before.
    expect(iso('Feb 29 12:00:00', clock(Date.UTC(2028, 1, 26)))).toBe('2024-02-29T12:00:00Z');
  });
});

describe('parseCefTimestamp: ISO 8601 as seen in the wild (splunk-connect-for-syslog#3224)', () => {
  it.each([
    ['2026-09-14T08:05:50.609+00:00', '2026-09-14T08:05:50.609Z'],
    ['2026-09-14T08:05:50.609Z', '2026-09-14T08:05:50.609Z'],
    ['2026-09-14T08:05:50Z', '2026-09-14T08:05:50Z'],
    ['2026-09-14T10:05:50+0200', '2026-09-14T08:05:50Z'],
    ['2026-09-14 08:05:50', '2026-09-14T08:05:50Z'],
    ['2026-09-14T08:05', '2026-09-14T08:05:00Z'],
    ['2026-09-14', '2026-09-14T00:00:00Z'],
    ['2014-07-10 10:39:01 CST', '2014-07-10T16:39:01Z'],
    ['2026-09-14T08:05:50.123456789Z', '2026-09-14T08:05:50.123Z'],
  ])('%j → %s', (raw, expected) => {
    expect(iso(raw)).toBe(expected);
  });

  it('reads a zoneless ISO value in the context zone', () => {
    expect(iso('2024-01-02 10:00:00', ctx(zone('Europe/Berlin')))).toBe('2024-01-02T09:00:00Z');
  });
});

describe('parseCefTimestamp: failures are messages, not exceptions', () => {
  it.each([
    ['3958q3097698', 'unrecognised timestamp "3958q3097698"'],
    ['', 'empty timestamp'],
    ['Foo 18 2024 11:07:53', 'unrecognised timestamp "Foo 18 2024 11:07:53"'],
    ['Feb 30 2024 11:07:53', 'timestamp "Feb 30 2024 11:07:53" names a day the month does not have'],
    ['Jan 18 2024 25:07:53', 'timestamp "Jan 18 2024 25:07:53" has a field out of range'],
    ['Jan 18 2024 11:07:53 Mars/Base', 'unknown time zone "Mars/Base" in "Jan 18 2024 11:07:53 Mars/Base"'],
    ['9999999999999999', 'timestamp "9999999999999999" is outside years 0000–9999'],
  ])('%j', (raw, message) => {
    expect(parseCefTimestamp(raw, ctx())).toBe(message);
  });
});

describe('formatIsoUtc', () => {
  it('writes RFC 3339 UTC with a fraction only when it is not zero', () => {
    expect(formatIsoUtc(Date.UTC(2025, 5, 18, 21, 2, 36))).toBe('2025-06-18T21:02:36Z');
    expect(formatIsoUtc(Date.UTC(2025, 5, 18, 21, 2, 36, 7))).toBe('2025-06-18T21:02:36.007Z');
    expect(formatIsoUtc(0)).toBe('1970-01-01T00:00:00Z');
    expect(formatIsoUtc(-1)).toBe('1969-12-31T23:59:59.999Z');
  });

  it('matches Date#toISOString across days, minutes and years 0000–9999', () => {
    for (let ms = -62_167_219_200_000; ms < 253_402_300_799_999; ms += 7_777_777_777) {
      expect(formatIsoUtc(ms)).toBe(new Date(ms).toISOString().replace('.000Z', 'Z'));
    }
  });
});

describe('parseRfc3339', () => {
  it.each([
    ['2025-06-18T21:02:36Z', Date.UTC(2025, 5, 18, 21, 2, 36)],
    ['2025-06-18t21:02:36z', Date.UTC(2025, 5, 18, 21, 2, 36)],
    ['2025-06-18T21:02:36.1-01:30', Date.UTC(2025, 5, 18, 22, 32, 36, 100)],
    ['0001-01-01T00:00:00Z', -62_135_596_800_000],
  ])('%j', (text, expected) => {
    expect(parseRfc3339(text)).toBe(expected);
  });

  it.each(['2025-06-18 21:02:36Z', '2025-06-18T21:02:36', '2025-02-29T00:00:00Z', '2025-06-18T21:02:36.Z', '2025-06-18T21:02:36+0200', 'xxxx-06-18T21:02:36Z'])('rejects %j', (text) => {
    expect(parseRfc3339(text)).toBeNaN();
  });
});
