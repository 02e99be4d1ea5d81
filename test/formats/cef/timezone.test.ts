import { parseOffset, resolveZone, wallTimeToUtc } from '../../../src/formats/cef/timezone';

const HOUR = 3_600_000;

describe('parseOffset', () => {
  it.each([
    ['+02:00', 2 * HOUR],
    ['+0200', 2 * HOUR],
    ['+02', 2 * HOUR],
    ['-07:00', -7 * HOUR],
    ['GMT-07:00', -7 * HOUR],
    ['UTC+5:30', 5.5 * HOUR],
    ['gmt+1', HOUR],
  ])('%j → %p', (text, ms) => {
    expect(parseOffset(text)).toBe(ms);
  });

  it.each(['02:00', '+25:00', '+02:75', 'GMT', ''])('rejects %j', (text) => {
    expect(parseOffset(text)).toBeNaN();
  });
});

describe('resolveZone', () => {
  it.each([
    ['UTC', 0],
    ['GMT', 0],
    ['Z', 0],
    ['utc', 0],
    ['PST', -8 * HOUR],
    ['PDT', -7 * HOUR],
    ['CEST', 2 * HOUR],
    ['+0530', 5.5 * HOUR],
    ['GMT-07:00', -7 * HOUR],
  ])('%j is a fixed offset of %p ms', (name, offset) => {
    expect(resolveZone(name)?.offsetAt(Date.UTC(2024, 0, 1))).toBe(offset);
    expect(resolveZone(name)?.offsetAt(Date.UTC(2024, 6, 1))).toBe(offset);
  });

  it('follows DST for IANA names', () => {
    const newYork = resolveZone('America/New_York');
    expect(newYork?.offsetAt(Date.UTC(2024, 0, 15))).toBe(-5 * HOUR);
    expect(newYork?.offsetAt(Date.UTC(2024, 6, 15))).toBe(-4 * HOUR);
  });

  it('returns undefined for names that are no zone', () => {
    expect(resolveZone('Mars/Olympus')).toBeUndefined();
    expect(resolveZone('not a zone')).toBeUndefined();
    expect(resolveZone('')).toBeUndefined();
    expect(resolveZone(`Europe/${'x'.repeat(100)}`)).toBeUndefined(); // longer than any zone name: not even looked up
    expect(resolveZone('America/Argentina/ComodRivadavia')?.name).toBe('America/Argentina/ComodRivadavia'); // the longest there is
    expect(resolveZone(`${' '.repeat(60)}Europe/Berlin `)?.name).toBe('Europe/Berlin'); // blanks around a name do not count
  });
});

describe('wallTimeToUtc', () => {
  const newYork = resolveZone('America/New_York');
  if (newYork === undefined) throw new Error('no ICU zone data');

  it('converts ordinary wall times', () => {
    expect(wallTimeToUtc(Date.UTC(2024, 0, 2, 10), newYork)).toBe(Date.UTC(2024, 0, 2, 15));
  });

  it('takes the first of two repeated wall times when clocks go back', () => {
    expect(wallTimeToUtc(Date.UTC(2024, 10, 3, 1, 30), newYork)).toBe(Date.UTC(2024, 10, 3, 5, 30));
  });

  it('moves a wall time inside the spring-forward gap past the gap', () => {
    expect(wallTimeToUtc(Date.UTC(2024, 2, 10, 2, 30), newYork)).toBe(Date.UTC(2024, 2, 10, 7, 30));
  });

  // East of UTC the offset shrinks when clocks go back, which a guess from the wall time alone gets wrong.
  it.each([
    ['Europe/Berlin', 'repeated', Date.UTC(2025, 9, 26, 2, 30), Date.UTC(2025, 9, 26, 0, 30)], // 02:30 CEST
    ['Europe/Berlin', 'in the gap', Date.UTC(2025, 2, 30, 2, 30), Date.UTC(2025, 2, 30, 1, 30)], // 03:30 CEST
    ['Europe/London', 'repeated', Date.UTC(2025, 9, 26, 1, 30), Date.UTC(2025, 9, 26, 0, 30)], // 01:30 BST
    ['Europe/London', 'in the gap', Date.UTC(2025, 2, 30, 1, 30), Date.UTC(2025, 2, 30, 1, 30)], // 02:30 BST
    ['Australia/Sydney', 'repeated', Date.UTC(2025, 3, 6, 2, 30), Date.UTC(2025, 3, 5, 15, 30)], // 02:30 AEDT
    ['Australia/Sydney', 'in the gap', Date.UTC(2025, 9, 5, 2, 30), Date.UTC(2025, 9, 4, 16, 30)], // 03:30 AEDT
    ['America/New_York', 'the hour after the repeat', Date.UTC(2024, 10, 3, 2, 30), Date.UTC(2024, 10, 3, 7, 30)],
  ])('%s, a wall time %s', (name, _case, wallMs, utcMs) => {
    expect(new Date(wallTimeToUtc(wallMs, resolveZone(name)!)).toISOString()).toBe(new Date(utcMs).toISOString());
  });

  it('gives back the same wall time for every hour of a year', () => {
    // Lord Howe moves its clocks by half an hour.
    for (const name of ['Europe/Berlin', 'Australia/Lord_Howe']) {
      const zone = resolveZone(name)!;
      for (let utcMs = Date.UTC(2025, 0, 1); utcMs < Date.UTC(2026, 0, 1); utcMs += 60 * 60_000) {
        const wallMs = utcMs + zone.offsetAt(utcMs);
        const back = wallTimeToUtc(wallMs, zone);
        // A repeated wall time maps to its first instant: the same wall time, not always the same instant.
        expect(back + zone.offsetAt(back)).toBe(wallMs);
      }
    }
  });
});
