import fc from 'fast-check';
import { integerTextKeptAsIs, typeAsKind } from '../../src/normalize/konnect-typing';

describe('integerTextKeptAsIs', () => {
  const typedJson = (text: string) => JSON.stringify(typeAsKind('integer', text));

  it('holds exactly when the typing rule and JSON give the same text back', () => {
    const texts = fc.oneof(
      fc.bigInt({ min: -(2n ** 60n), max: 2n ** 60n }).map(String),
      fc.stringMatching(/^-?0*[0-9]{0,18}$/),
      fc.constantFrom('', '-', '-0', '0', '00', '+1', '1e3', ' 1', '9007199254740991', '9007199254740992', '-9007199254740991', '-9007199254740992'),
    );
    fc.assert(
      fc.property(texts, (text) => {
        expect(integerTextKeptAsIs(text)).toBe(typedJson(text) === text);
      }),
      { numRuns: 3000 },
    );
  });

  it('takes the integers Konnect sends', () => {
    for (const text of ['0', '1', '-7', '1750280401124', '9007199254740991']) expect(integerTextKeptAsIs(text)).toBe(true);
    for (const text of ['-0', '007', '9007199254740992', '12345678901234567', '1.0']) expect(integerTextKeptAsIs(text)).toBe(false);
  });
});
