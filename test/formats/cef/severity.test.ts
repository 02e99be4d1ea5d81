import { readSeverity, severityLevel } from '../../../src/formats/cef/severity';

describe('severityLevel', () => {
  it.each([
    ['0', 0], ['1', 1], ['5', 5], ['10', 10], ['07', 7], [' 3 ', 3],
    ['Low', 0], ['Medium', 4], ['High', 7], ['Very-High', 9], ['very high', 9], ['HIGH', 7],
    ['Unknown', undefined], ['11', undefined], ['100', undefined], ['-1', undefined], ['junk', undefined], ['', undefined],
  ])('%j → %p', (severity, level) => {
    expect(severityLevel(severity)).toBe(level);
  });
});

describe('readSeverity', () => {
  it('says whether the text is a valid severity', () => {
    expect(readSeverity('Unknown')).toEqual({ level: undefined, valid: true });
    expect(readSeverity('10')).toEqual({ level: 10, valid: true });
    expect(readSeverity('100')).toEqual({ level: undefined, valid: false });
    expect(readSeverity('Critical')).toEqual({ level: undefined, valid: false });
  });
});
