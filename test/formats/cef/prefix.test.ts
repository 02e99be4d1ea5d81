import { parsePrefix } from '../../../src/formats/cef/prefix';
import type { TimestampContext } from '../../../src/formats/cef/timestamp';
import { resolveZone, UTC_ZONE } from '../../../src/formats/cef/timezone';
import type { CefWarning } from '../../../src/formats/cef/types';

const REFERENCE = Date.UTC(2023, 3, 14, 5, 39, 8, 406); // Konnect example's rt
const context: TimestampContext = { zone: UTC_ZONE, yearReferenceMs: () => REFERENCE };

function prefixOf(raw: string, ctx: TimestampContext = context): ReturnType<typeof parsePrefix> {
  const warnings: CefWarning[] = [];
  const prefix = parsePrefix(raw, ctx, warnings);
  expect(warnings).toEqual([]);
  return prefix;
}

describe('parsePrefix', () => {
  it("reads Konnect's RFC 3339 + host prefix", () => {
    expect(prefixOf('2025-06-18T21:02:36Z konghq.com')).toEqual({
      raw: '2025-06-18T21:02:36Z konghq.com',
      syntax: 'konnect',
      host: 'konghq.com',
      time: { raw: '2025-06-18T21:02:36Z', epochMs: Date.UTC(2025, 5, 18, 21, 2, 36), iso: '2025-06-18T21:02:36Z' },
    });
  });

  it('reads a year-less BSD stamp, taking the year from the reference (rt)', () => {
    expect(prefixOf('Apr 14 05:39:08 konghq.com')).toMatchObject({ syntax: 'rfc3164', host: 'konghq.com', time: { raw: 'Apr 14 05:39:08', iso: '2023-04-14T05:39:08Z' } });
  });

  it('takes the neighbouring year when that is closer to the reference', () => {
    const newYear: TimestampContext = { zone: UTC_ZONE, yearReferenceMs: () => Date.UTC(2024, 0, 1, 0, 0, 3) };
    expect(prefixOf('Dec 31 23:59:58 host', newYear).time?.iso).toBe('2023-12-31T23:59:58Z');
  });

  it('reads a BSD stamp with a space-padded day and a PRI', () => {
    expect(prefixOf('<34>Apr  4 05:39:08 mymachine')).toMatchObject({ syntax: 'rfc3164', pri: 34, host: 'mymachine', time: { iso: '2023-04-04T05:39:08Z' } });
  });

  it('reads a BSD stamp in the zone it is given (dtz or the configured zone)', () => {
    const berlin = resolveZone('Europe/Berlin');
    if (berlin === undefined) throw new Error('no ICU zone data');
    expect(prefixOf('Apr 14 05:39:08 host', { zone: berlin, yearReferenceMs: () => REFERENCE }).time?.iso).toBe('2023-04-14T03:39:08Z');
  });

  it('reads <PRI> + RFC 3339 + host as RFC 3164 (vrl#784 shape)', () => {
    expect(prefixOf('<114>2024-01-01T00:00:00.000Z MYHOST01')).toMatchObject({ syntax: 'rfc3164', pri: 114, host: 'MYHOST01', time: { iso: '2024-01-01T00:00:00Z' } });
  });

  it('reads an RFC 5424 header', () => {
    expect(prefixOf('<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog 1234 ID47 [exampleSDID@32473 iut="3"]')).toEqual({
      raw: '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog 1234 ID47 [exampleSDID@32473 iut="3"]',
      syntax: 'rfc5424',
      pri: 165,
      host: 'mymachine.example.com',
      appName: 'evntslog',
      procId: '1234',
      msgId: 'ID47',
      time: { raw: '2003-10-11T22:14:15.003Z', epochMs: Date.UTC(2003, 9, 11, 22, 14, 15, 3), iso: '2003-10-11T22:14:15.003Z' },
    });
  });

  it('leaves out RFC 5424 nil values', () => {
    expect(prefixOf('<13>1 - - - - -')).toEqual({ raw: '<13>1 - - - - -', syntax: 'rfc5424', pri: 13 });
  });

  it('normalises an offset stamp to UTC and keeps the text', () => {
    expect(prefixOf('2023-05-16T22:09:54.5+02:00 h').time).toEqual({ raw: '2023-05-16T22:09:54.5+02:00', epochMs: Date.UTC(2023, 4, 16, 20, 9, 54, 500), iso: '2023-05-16T20:09:54.500Z' });
  });

  it('keeps anything else raw, as unknown', () => {
    expect(prefixOf('some free text')).toEqual({ raw: 'some free text', syntax: 'unknown' });
    expect(prefixOf('<13>free text')).toEqual({ raw: '<13>free text', syntax: 'unknown', pri: 13 });
  });

  it('warns when a recognisable stamp does not read', () => {
    const warnings: CefWarning[] = [];
    expect(parsePrefix('<13>1 2023-13-45T99:00:00Z host', context, warnings)).toMatchObject({ syntax: 'rfc5424', host: 'host' });
    expect(warnings).toEqual([{ message: 'syslog prefix: unreadable timestamp "2023-13-45T99:00:00Z"', offset: 6 }]);
  });
});
