import * as cef from '../../../src/formats/cef';

describe('the public API (index.ts)', () => {
  it('exports the parser, the formatters and the helpers', () => {
    expect(Object.keys(cef).sort()).toEqual(
      [
        'CEF_DICTIONARY',
        'CefFormatError',
        'HEADER_FIELD_NAMES',
        'KONNECT_FIELD_ORDER',
        'UTC_ZONE',
        'escapeExtensionValue',
        'escapeHeaderField',
        'formatCef',
        'formatIsoUtc',
        'formatKonnectCef',
        'fullCefKeyName',
        'isExtensionKey',
        'isTimestampKey',
        'konnectEventType',
        'lookupCefKey',
        'parseCef',
        'parseCefTimestamp',
        'readSeverity',
        'resolveZone',
        'severityLevel',
        'shortCefKeyName',
        'toKonnectEvent',
        'translateCustomFields',
        'unescapeExtensionValue',
        'unescapeHeaderField',
      ].sort(),
    );
  });

  it('parses and formats through the index', () => {
    const line = cef.formatCef({ deviceVendor: 'V', deviceProduct: 'P', deviceVersion: '1', deviceEventClassId: 'c', name: 'n', severity: 'High', extensions: { msg: 'a=b' } });
    expect(cef.parseCef(line)).toMatchObject({ ok: true, event: { severityLevel: 7, extensions: { msg: 'a=b' } }, warnings: [] });
  });
});
