import { JsonSkimError, memberKeyIs, skimJsonObject } from '../../src/signature/json-skim';

function skim(text: string) {
  const bytes = Buffer.from(text, 'utf8');
  const { members, closeBrace } = skimJsonObject(bytes, 0);
  return {
    closeBrace,
    members: members.map((member) => ({
      key: bytes.toString('utf8', member.keyStart, member.keyEnd),
      value: bytes.toString('utf8', member.valueStart, member.valueEnd),
      commaBefore: member.commaBefore,
      commaAfter: member.commaAfter,
    })),
  };
}

describe('skimJsonObject', () => {
  it('finds top-level members with their raw values, big numbers untouched', () => {
    const result = skim('{"a":1,"trace_id":3895213347334635099,"s":"x\\"y","n":{"sig":"no"},"l":[1,{"b":2}]}');
    expect(result.members.map((member) => [member.key, member.value])).toEqual([
      ['"a"', '1'],
      ['"trace_id"', '3895213347334635099'],
      ['"s"', '"x\\"y"'],
      ['"n"', '{"sig":"no"}'],
      ['"l"', '[1,{"b":2}]'],
    ]);
  });

  it('records the commas around each member and the closing brace', () => {
    const result = skim('{"a":1,"b":2}');
    expect(result.members).toEqual([
      { key: '"a"', value: '1', commaBefore: -1, commaAfter: 6 },
      { key: '"b"', value: '2', commaBefore: 6, commaAfter: -1 },
    ]);
    expect(result.closeBrace).toBe(12);
  });

  it('handles multi-byte UTF-8 with byte offsets', () => {
    const text = '{"ü":"日本","b":true}';
    const bytes = Buffer.from(text, 'utf8');
    const { members, closeBrace } = skimJsonObject(bytes, 0);
    expect(memberKeyIs(bytes, members[1]!, 'b')).toBe(true);
    expect(closeBrace).toBe(bytes.length - 1);
  });

  it('keeps the members found before a break in a truncated line', () => {
    const members: Parameters<typeof skimJsonObject>[2] = [];
    expect(() => skimJsonObject(Buffer.from('{"a":1,"sig":"xyz","b":"unterminated'), 0, members)).toThrow(
      JsonSkimError,
    );
    expect(members).toHaveLength(2);
  });

  it('refuses hostile nesting instead of overflowing the stack', () => {
    const deep = `{"a":${'['.repeat(100_000)}`;
    expect(() => skimJsonObject(Buffer.from(deep), 0)).toThrow(/nested too deeply/);
  });
});
