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
});
