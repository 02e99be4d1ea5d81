import { findCefMarker, parseVersion, scanHeader } from '../../../src/formats/cef/header';

function fieldsOf(line: string): { fields: string[]; extensionsStart: number; stoppedAt: number } {
  const scan = scanHeader(line, line.indexOf('CEF:') + 4, line.length);
  return { fields: scan.fields.slice(0, scan.count), extensionsStart: scan.extensionsStart, stoppedAt: scan.stoppedAt };
}

describe('findCefMarker', () => {
  it.each([
    ['CEF:0|x', 0],
    ['host CEF:1|x', 5],
    ['rsyslog CEF: 0|x (rsyslog#4309)', 8],
    ['tag CEF:junk CEF:0|x', 13],
    ['CEF:junk only', 0],
    ['no marker', -1],
    ['CEF:12 CEF:0|', 7],
  ])('%j → %p', (line, expected) => {
    expect(findCefMarker(line, line.length)).toBe(expected);
  });
});

describe('scanHeader', () => {
  it('reads all seven fields and where the extensions start', () => {
    const line = 'CEF:0|Vendor|Product|1.0|100|Name with spaces|Very-High|a=b';
    expect(fieldsOf(line)).toEqual({
      fields: ['0', 'Vendor', 'Product', '1.0', '100', 'Name with spaces', 'Very-High'],
      extensionsStart: line.indexOf('a=b'),
      stoppedAt: line.indexOf('a=b'),
    });
  });

  it('unescapes \\| and \\\\, and an escaped pipe does not split a field (vrl#1455)', () => {
    const { fields } = fieldsOf('CEF:1|Product|Vendor|7|operation1\\|operation2|Information|Unknown|eventId=1');
    expect(fields).toEqual(['1', 'Product', 'Vendor', '7', 'operation1|operation2', 'Information', 'Unknown']);
    expect(fieldsOf('CEF:0|a\\\\|b\\\\\\||c|d|e|f|').fields).toEqual(['0', 'a\\', 'b\\|', 'c', 'd', 'e', 'f']);
  });

  it('keeps other backslashes and "=" in the header as they are', () => {
    expect(fieldsOf('CEF:0|a\\nb|c=d|e|f|g|h|').fields).toEqual(['0', 'a\\nb', 'c=d', 'e', 'f', 'g', 'h']);
  });

  it('keeps spaces in header values (no trimming)', () => {
    expect(fieldsOf('CEF:0| V |P|1| 100 |n |5|').fields).toEqual(['0', ' V ', 'P', '1', ' 100 ', 'n ', '5']);
  });

  it('stops after seven fields: later pipes belong to the extensions', () => {
    const line = 'CEF:0|a|b|c|d|e|f|act=blocked a | dst=1';
    expect(fieldsOf(line).extensionsStart).toBe(line.indexOf('act='));
  });

  it('reports a short header and where it stopped', () => {
    const line = 'CEF:0|SentinelOne|Mgmt|activityID=1';
    expect(fieldsOf(line)).toEqual({ fields: ['0', 'SentinelOne', 'Mgmt'], extensionsStart: -1, stoppedAt: line.indexOf('activityID') });
  });

  it('does not end a field at a pipe escaped right before the end of the line', () => {
    expect(fieldsOf('CEF:0|a|b\\|').fields).toEqual(['0', 'a']);
  });
});

describe('parseVersion', () => {
  it.each([
    ['0', 0],
    ['1', 1],
    [' 0', 0],
    ['2', 2],
    ['', Number.NaN],
    ['x', Number.NaN],
    ['1.2', Number.NaN],
    ['99999999999999999', Number.NaN],
  ])('%j → %p', (text, expected) => {
    expect(parseVersion(text)).toBe(expected);
  });
});
