import dictionary from '../../../src/formats/cef/dictionary.json';
import { CEF_DICTIONARY, fullCefKeyName, isTimestampKey, lookupCefKey, shortCefKeyName, toFullNames } from '../../../src/formats/cef/dictionary';

describe('dictionary.json', () => {
  it('holds the v27 dictionary with unique short and full names', () => {
    expect(CEF_DICTIONARY.length).toBeGreaterThanOrEqual(174);
    expect(new Set(CEF_DICTIONARY.map((e) => e.short)).size).toBe(CEF_DICTIONARY.length);
    expect(new Set(CEF_DICTIONARY.map((e) => e.full)).size).toBe(CEF_DICTIONARY.length);
    expect(dictionary.cefDocumentVersion).toBe('27');
  });

  it.each([
    ['rt', 'deviceReceiptTime', 'timestamp'], ['start', 'startTime', 'timestamp'], ['end', 'endTime', 'timestamp'],
    ['src', 'sourceAddress', 'ipv4_address'], ['dst', 'destinationAddress', 'ipv4_address'],
    ['spt', 'sourcePort', 'integer'], ['dpt', 'destinationPort', 'integer'],
    ['shost', 'sourceHostName', 'string'], ['dhost', 'destinationHostName', 'string'],
    ['suser', 'sourceUserName', 'string'], ['duser', 'destinationUserName', 'string'],
    ['suid', 'sourceUserId', 'string'], ['duid', 'destinationUserId', 'string'],
    ['act', 'deviceAction', 'string'], ['outcome', 'eventOutcome', 'string'], ['msg', 'message', 'string'],
    ['request', 'requestUrl', 'string'], ['requestClientApplication', 'requestClientApplication', 'string'],
    ['requestMethod', 'requestMethod', 'string'], ['app', 'applicationProtocol', 'string'], ['cat', 'deviceEventCategory', 'string'],
    ['dvc', 'deviceAddress', 'ipv4_address'], ['dvchost', 'deviceHostName', 'string'], ['dtz', 'deviceTimeZone', 'string'],
    ['cs1', 'deviceCustomString1', 'string'], ['cs6Label', 'deviceCustomString6Label', 'string'], ['cn3', 'deviceCustomNumber3', 'long'],
    ['cfp4', 'deviceCustomFloatingPoint4', 'double'], ['c6a1', 'deviceCustomIPv6Address1', 'ipv6_address'],
    ['deviceCustomDate2', 'deviceCustomDate2', 'timestamp'], ['flexString1', 'flexString1', 'string'], ['flexDate1', 'flexDate1', 'timestamp'],
  ])('§6.5: %s = %s (%s)', (short, full, type) => {
    expect(lookupCefKey(short)).toMatchObject({ short, full, type });
    expect(lookupCefKey(full)).toMatchObject({ short, full, type });
  });

  it('records the spec lengths, e.g. cs* 4000 and their labels 1023', () => {
    expect(lookupCefKey('cs1')?.length).toBe(4000);
    expect(lookupCefKey('cs1Label')?.length).toBe(1023);
    expect(lookupCefKey('act')?.length).toBe(63);
  });
});

describe('name mapping', () => {
  it('maps short names to full names and back', () => {
    expect(fullCefKeyName('src')).toBe('sourceAddress');
    expect(shortCefKeyName('sourceAddress')).toBe('src');
    expect(fullCefKeyName('sourceAddress')).toBe('sourceAddress');
    expect(fullCefKeyName('org_id')).toBe('org_id');
  });

  it('maps custom fields outside the dictionary ranges by family', () => {
    expect(fullCefKeyName('cs7')).toBe('deviceCustomString7');
    expect(fullCefKeyName('cn15Label')).toBe('deviceCustomNumber15Label');
    expect(shortCefKeyName('deviceCustomFloatingPoint9')).toBe('cfp9');
  });

  it('re-keys extensions by full name, keeping the first of two spellings', () => {
    const clashes: string[] = [];
    const out = toFullNames({ src: '1.1.1.1', sourceAddress: '2.2.2.2', act: 'x', custom: 'y' }, (key) => clashes.push(key));
    expect(out).toEqual({ sourceAddress: '1.1.1.1', deviceAction: 'x', custom: 'y' });
    expect(clashes).toEqual(['sourceAddress']);
  });

  it('knows which keys hold timestamps', () => {
    expect(['rt', 'start', 'end', 'deviceCustomDate1', 'deviceReceiptTime', 'art', 'flexDate1'].every(isTimestampKey)).toBe(true);
    expect(['src', 'status', 'request', 'query'].some(isTimestampKey)).toBe(false);
  });
});
