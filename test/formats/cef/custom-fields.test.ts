import { translateCustomFields } from '../../../src/formats/cef/custom-fields';
import type { CefWarning } from '../../../src/formats/cef/types';

function translate(extensions: Record<string, string>): { named: Record<string, string>; warnings: CefWarning[] } {
  const warnings: CefWarning[] = [];
  const named = translateCustomFields(extensions, warnings);
  return { named, warnings };
}

describe('translateCustomFields', () => {
  it('names every custom family by its label', () => {
    const { named, warnings } = translate({
      cs1Label: 'Rule', cs1: 'r-1',
      cn2Label: 'Count', cn2: '42',
      cfp1Label: 'Score', cfp1: '0.6',
      c6a3Label: 'Source IPv6 Address', c6a3: '::1',
      deviceCustomDate1Label: 'Detected', deviceCustomDate1: '1388577900000',
      flexString2Label: 'Tenant', flexString2: 'acme',
      flexDate1Label: 'Seen', flexDate1: 'Jan 01 2024 00:00:00',
      flexNumber1Label: 'Hops', flexNumber1: '3',
      src: '1.2.3.4',
    });
    expect(named).toEqual({
      Rule: 'r-1', Count: '42', Score: '0.6', 'Source IPv6 Address': '::1', Detected: '1388577900000', Tenant: 'acme', Seen: 'Jan 01 2024 00:00:00', Hops: '3',
    });
    expect(warnings).toEqual([]);
  });

  it('accepts numbers beyond the dictionary ranges (cs7, cs67: logstash-codec-cef PR #89, vrl#784)', () => {
    expect(translate({ cs67Label: 'callbackURL', cs67: 'https://x/?a=b', cs7Label: 'Seven', cs7: '7' }).named).toEqual({ callbackURL: 'https://x/?a=b', Seven: '7' });
  });

  it('pairs full-name spellings with short ones', () => {
    expect(translate({ deviceCustomString1Label: 'Rule', cs1: 'r' }).named).toEqual({ Rule: 'r' });
  });

  it('warns instead of throwing on a value without a label', () => {
    expect(translate({ cs2: 'orphan' })).toEqual({ named: {}, warnings: [{ message: 'cs2 has no label, so it is not translated', key: 'cs2' }] });
  });

  it('warns instead of throwing on a label without a value', () => {
    expect(translate({ cs3Label: 'Lonely' })).toEqual({ named: {}, warnings: [{ message: 'cs3Label="Lonely" has no value field', key: 'cs3Label' }] });
  });

  it('warns about an empty label and about two fields sharing a label', () => {
    const { named, warnings } = translate({ cs1Label: 'Same', cs1: 'a', cs2Label: 'Same', cs2: 'b', cs3Label: ' ', cs3: 'c' });
    expect(named).toEqual({ Same: 'a' });
    expect(warnings).toEqual([
      { message: 'label "Same" is used twice; cs2 is not translated', key: 'cs2Label' },
      { message: 'cs3Label is empty, so cs3 is not translated', key: 'cs3Label' },
    ]);
  });

  it('warns when a short and a full spelling of the same field both occur', () => {
    const { named, warnings } = translate({ cs1: 'a', deviceCustomString1: 'b', cs1Label: 'L' });
    expect(named).toEqual({ L: 'a' });
    expect(warnings).toEqual([{ message: 'deviceCustomString1 repeats cs1; the first one is used', key: 'deviceCustomString1' }]);
  });

  it('creates own properties even for a label named __proto__', () => {
    const { named } = translate({ cs1Label: '__proto__', cs1: 'x' });
    expect(Object.getPrototypeOf(named)).toBe(Object.prototype);
    expect(Object.keys(named)).toEqual(['__proto__']);
  });

  it('ignores keys that only look similar', () => {
    expect(translate({ csLabel: 'x', cs: 'y', cs1x: 'z', Label: 'w' })).toEqual({ named: {}, warnings: [] });
  });
});
