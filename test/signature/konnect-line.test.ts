import fc from 'fast-check';

import { splitKonnectLine, splitKonnectLineBytes } from '../../src/signature/konnect-line';
import {
  CEF_AUTHZ_LINE,
  CEF_BSD_PREFIX_LINE,
  CEF_DEV_PORTAL_EMPTY_USER_AGENT_LINE,
  CPS_AUTHZ_LINE,
  JSON_AUTH_LINE,
  JSON_AUTHZ_LINE,
  jsonAuthLineWithSigInAlphabeticalPosition,
} from './support/konnect-lines';

const SIG = 'KbLaBhQFnggT_8CyC95b777R1_fGvvLVDn7awjZK8eZLdGPrSvnS-sxJw63j930eKr-VTsQv8-TQTD_GVmAPAQ';

describe('splitKonnectLine, cef', () => {
  it.each([
    ['the 2025 authz capture', CEF_AUTHZ_LINE],
    ['an empty last value', CEF_DEV_PORTAL_EMPTY_USER_AGENT_LINE],
    ['a BSD prefix and a user agent with spaces', CEF_BSD_PREFIX_LINE],
  ])('message is the whole line, prefix included, up to the space before sig= (%s)', (_what, line) => {
    expect(splitKonnectLine(`${line} sig=${SIG}`, 'cef')).toEqual({ message: line, signature: SIG });
  });

  it('drops trailing CR/LF from the message', () => {
    expect(splitKonnectLine(`${CEF_AUTHZ_LINE} sig=${SIG}\r\n`, 'cef')).toEqual({
      message: CEF_AUTHZ_LINE,
      signature: SIG,
    });
  });

  it('drops trailing spaces and tabs from the signature, as from any last CEF value, and from the message', () => {
    expect(splitKonnectLine(`${CEF_AUTHZ_LINE} sig=${SIG} \t `, 'cef')).toEqual({ message: CEF_AUTHZ_LINE, signature: SIG });
  });

  it('reports no signature for an unsigned line and leaves it whole', () => {
    expect(splitKonnectLine(`${CEF_AUTHZ_LINE}\n`, 'cef')).toEqual({ message: CEF_AUTHZ_LINE, signature: undefined });
  });

  it('takes the last sig= when an earlier value contains " sig="', () => {
    const line = `${CEF_AUTHZ_LINE.replace('user_agent=grpc-node-js/1.12.4', 'user_agent=x sig=fake y')}`;
    expect(splitKonnectLine(`${line} sig=${SIG}`, 'cef')).toEqual({ message: line, signature: SIG });
  });

  it('does not mistake " sig=" followed by more words for the signature', () => {
    const line = `${CEF_AUTHZ_LINE} user_agent=a sig=b c`;
    expect(splitKonnectLine(line, 'cef').signature).toBeUndefined();
  });

  it('treats an empty sig= as a present (and unusable) signature', () => {
    expect(splitKonnectLine(`${CEF_AUTHZ_LINE} sig=`, 'cef')).toEqual({ message: CEF_AUTHZ_LINE, signature: '' });
  });
});

describe('splitKonnectLine, json', () => {
  it('removes ,"sig":"…" before the closing brace (Konnect\'s documented example)', () => {
    const line = JSON_AUTHZ_LINE.replace(/}$/, `,"sig":"${SIG}"}`);
    expect(splitKonnectLine(line, 'json')).toEqual({ message: JSON_AUTHZ_LINE, signature: SIG });
    expect(splitKonnectLine(line, 'json').message).toContain('"trace_id":3895213347334635099,');
    expect(splitKonnectLine(line, 'json').message.endsWith(',"user_agent":"grpc-go/1.54.0"}')).toBe(true);
  });

  it('removes the sig where Konnect put it in alphabetical position', () => {
    const line = jsonAuthLineWithSigInAlphabeticalPosition(SIG);
    expect(splitKonnectLine(line, 'json')).toEqual({ message: JSON_AUTH_LINE, signature: SIG });
  });

  it('removes {"sig":"…", down to { when sig is the first key', () => {
    expect(splitKonnectLine(`{"sig":"${SIG}","a":1,"b":2}`, 'json')).toEqual({ message: '{"a":1,"b":2}', signature: SIG });
  });

  it('leaves {} when sig is the only key', () => {
    expect(splitKonnectLine(`{"sig":"${SIG}"}`, 'json')).toEqual({ message: '{}', signature: SIG });
  });

  it('ignores a sig inside a nested object or inside a string value', () => {
    const line = `{"query":"{\\"a\\":1,\\"sig\\":\\"x\\"}","nested":{"b":1,"sig":"inner"},"z":",\\"sig\\":\\"s\\""}`;
    expect(splitKonnectLine(line, 'json')).toEqual({ message: line, signature: undefined });
  });

  it('reports a non-string sig as present so that it fails verification', () => {
    expect(splitKonnectLine('{"a":1,"sig":null}', 'json')).toEqual({ message: '{"a":1}', signature: 'null' });
  });

  it('drops trailing CR/LF and keeps everything else byte for byte', () => {
    const line = `{"a":"é \\u00e9","sig":"${SIG}"}\r\n`;
    expect(splitKonnectLine(line, 'json')).toEqual({ message: '{"a":"é \\u00e9"}', signature: SIG });
  });

  it('reports no signature for a line that is not a JSON object', () => {
    expect(splitKonnectLine(`not json ,"sig":"${SIG}"`, 'json').signature).toBeUndefined();
  });

  it('still finds a sig before the point where a line breaks off', () => {
    expect(splitKonnectLine(`{"a":1,"sig":"${SIG}","b":"trunc`, 'json')).toEqual({
      message: '{"a":1,"b":"trunc',
      signature: SIG,
    });
  });

  it('splits any compact object with a sig appended back into the object and the sig', () => {
    const values = fc.oneof(
      fc.string(),
      fc.constantFrom(',"sig":"x"', '"sig":', '\\', 'sig=abc', '}', '{'),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
    );
    const objects = fc.dictionary(fc.string().filter((key) => key !== 'sig'), values);
    fc.assert(
      fc.property(objects, fc.base64String({ minLength: 4, maxLength: 12 }), (object, signature) => {
        const json = JSON.stringify(object);
        const signed = json === '{}' ? `{"sig":"${signature}"}` : `${json.slice(0, -1)},"sig":"${signature}"}`;
        expect(splitKonnectLine(signed, 'json')).toEqual({ message: json, signature });
      }),
    );
  });
});

describe('splitKonnectLine, cps', () => {
  it('finds the sig inside the event object and keeps the rest of the outer line as the message', () => {
    const line = CPS_AUTHZ_LINE.replace(/}}$/, `,"sig":"${SIG}"}}`);
    expect(splitKonnectLine(line, 'cps')).toEqual({ message: CPS_AUTHZ_LINE, signature: SIG });
  });

  it('also finds a sig at the top level of the outer object', () => {
    const line = CPS_AUTHZ_LINE.replace(/}$/, `,"sig":"${SIG}"}`);
    expect(splitKonnectLine(line, 'cps')).toEqual({ message: CPS_AUTHZ_LINE, signature: SIG });
  });

  it('does not look inside event for plain json', () => {
    const line = CPS_AUTHZ_LINE.replace(/}}$/, `,"sig":"${SIG}"}}`);
    expect(splitKonnectLine(line, 'json').signature).toBeUndefined();
  });
});

describe('splitKonnectLineBytes', () => {
  it('works on the received bytes, even when they are not valid UTF-8', () => {
    const invalidUtf8 = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]); // {"a":"\xff\xfe"}
    const signed = Buffer.concat([invalidUtf8.subarray(0, -1), Buffer.from(`,"sig":"${SIG}"}`)]);
    const { message, signature } = splitKonnectLineBytes(signed, 'json');
    expect(message.equals(invalidUtf8)).toBe(true);
    expect(signature).toBe(SIG);
  });
});
