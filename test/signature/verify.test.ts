import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import fc from 'fast-check';

import { decodeBase64Url, encodeBase64Url } from '../../src/signature/base64url';
import { parseJwks, publishJwks } from '../../src/signature/jwks';
import { generateEd25519KeyPair, readPrivateKeyFile, readPublicKeyFile } from '../../src/signature/keys';
import { splitKonnectLine } from '../../src/signature/konnect-line';
import type { KonnectLogFormat } from '../../src/signature/konnect-line';
import { signCefLine, signJsonLine, signLine, signMessage } from '../../src/signature/sign';
import { hasWellFormedSignature, verifyLine, verifyLineAsync, verifyLineWithRefresh, verifySignature } from '../../src/signature/verify';
import type { RefreshableKeySource } from '../../src/signature/verify';
import {
  CEF_AUTHZ_LINE,
  CEF_BSD_PREFIX_LINE,
  CEF_DEV_PORTAL_EMPTY_USER_AGENT_LINE,
  CPS_AUTHZ_LINE,
  JSON_AUTH_LINE,
  JSON_AUTHZ_LINE,
  jsonAuthLineWithSigInAlphabeticalPosition,
} from './support/konnect-lines';
import { makeTempDir, opensslGenerateKey, opensslSign } from './support/openssl';

const keyA = generateEd25519KeyPair();
const keyB = generateEd25519KeyPair();
const onlyA: readonly KeyObject[] = [keyA.publicKey];

/** Replaces the signature of a signed line with `transform(signature bytes)`. */
function withSignatureBytes(signed: string, format: KonnectLogFormat, transform: (bytes: Buffer) => Buffer): string {
  const { signature } = splitKonnectLine(signed, format);
  return signed.replace(signature!, encodeBase64Url(transform(decodeBase64Url(signature!)!)));
}

describe('verifyLine', () => {
  it.each([
    ['cef', 'authz capture', CEF_AUTHZ_LINE],
    ['cef', 'with an empty last value', CEF_DEV_PORTAL_EMPTY_USER_AGENT_LINE],
    ['cef', 'with a BSD prefix', CEF_BSD_PREFIX_LINE],
    ['json', 'wire example', JSON_AUTHZ_LINE],
    ['json', 'auth example', JSON_AUTH_LINE],
    ['cps', 'wrapped example', CPS_AUTHZ_LINE],
  ] as const)('a %s line (%s) signed by our signer is valid', (format, _what, line) => {
    expect(verifyLine(signLine(line, format, keyA.privateKey), format, onlyA)).toBe('valid');
  });

  it('Konnect\'s exact CEF authz line (prefix, 19-digit trace_id) signs and verifies; one changed byte of the message is invalid', () => {
    const signed = signCefLine(CEF_AUTHZ_LINE, keyA.privateKey);
    expect(signed.startsWith('2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|')).toBe(true);
    expect(verifyLine(signed, 'cef', onlyA)).toBe('valid');
    expect(verifyLine(signed.replace('trace_id=3959872677347089807', 'trace_id=3959872677347089808'), 'cef', onlyA)).toBe(
      'invalid',
    );
    expect(verifyLine(signed.replace('2025-06-18T21:02:36Z', '2025-06-18T21:02:37Z'), 'cef', onlyA)).toBe('invalid');
  });

  it('a JSON line with an unquoted 19-digit trace_id signs and verifies on the raw bytes; one changed byte is invalid', () => {
    const signed = signJsonLine(JSON_AUTHZ_LINE, keyA.privateKey);
    expect(verifyLine(signed, 'json', onlyA)).toBe('valid');
    expect(verifyLine(signed.replace('3895213347334635099', '3895213347334635098'), 'json', onlyA)).toBe('invalid');
    // Why verification must precede parsing: a JSON round trip loses the trace_id digits.
    const reserialized = JSON.stringify(JSON.parse(signed));
    expect(reserialized).toContain('"trace_id":3895213347334635000');
    expect(verifyLine(reserialized, 'json', onlyA)).toBe('invalid');
  });

  it.each(['cef', 'json', 'cps'] as const)('a %s line with one changed byte of the signature is invalid', (format) => {
    const line = format === 'cef' ? CEF_AUTHZ_LINE : format === 'json' ? JSON_AUTHZ_LINE : CPS_AUTHZ_LINE;
    const signed = signLine(line, format, keyA.privateKey);
    const flipped = withSignatureBytes(signed, format, (bytes) => {
      bytes[10] ^= 0x01;
      return bytes;
    });
    expect(flipped).not.toBe(signed);
    expect(verifyLine(flipped, format, onlyA)).toBe('invalid');
  });

  it('the sig in Konnect\'s alphabetical position (not last) verifies', () => {
    const line = jsonAuthLineWithSigInAlphabeticalPosition(signMessage(JSON_AUTH_LINE, keyA.privateKey));
    expect(line).toContain('"severity":0,"sig":"');
    expect(line).toMatch(/"sig":"[^"]+","src":/);
    expect(verifyLine(line, 'json', onlyA)).toBe('valid');
  });

  it('the sig as the first key verifies', () => {
    const message = '{"a":1,"trace_id":6891110586028963295}';
    const line = `{"sig":"${signMessage(message, keyA.privateKey)}","a":1,"trace_id":6891110586028963295}`;
    expect(verifyLine(line, 'json', onlyA)).toBe('valid');
  });

  it('with a rotated-in key (two keys in the JWKS), a line signed by the second is valid', () => {
    const jwks = parseJwks(JSON.stringify(publishJwks([keyA.publicKey, keyB.publicKey])));
    const keys = jwks.map((entry) => entry.publicKey);
    const signedByB = signJsonLine(JSON_AUTHZ_LINE, keyB.privateKey);
    expect(verifyLine(signedByB, 'json', keys)).toBe('valid');
    expect(verifyLine(signedByB, 'json', onlyA)).toBe('invalid');
  });

  it('an unsigned line is missing, with or without keys', () => {
    expect(verifyLine(CEF_AUTHZ_LINE, 'cef', onlyA)).toBe('missing');
    expect(verifyLine(JSON_AUTHZ_LINE, 'json', [])).toBe('missing');
    expect(verifyLine(CPS_AUTHZ_LINE, 'cps', onlyA)).toBe('missing');
  });

  it.each([
    ['not base64url', 'not*base64url'],
    ['63 bytes', encodeBase64Url(Buffer.alloc(63, 1))],
    ['65 bytes', encodeBase64Url(Buffer.alloc(65, 1))],
    ['empty', ''],
  ])('a malformed sig (%s) is invalid', (_what, signature) => {
    expect(verifyLine(`${CEF_AUTHZ_LINE} sig=${signature}`, 'cef', onlyA)).toBe('invalid');
    expect(verifyLine(JSON_AUTHZ_LINE.replace(/}$/, `,"sig":"${signature}"}`), 'json', onlyA)).toBe('invalid');
  });

  it('a signed line is invalid when there are no keys', () => {
    expect(verifyLine(signCefLine(CEF_AUTHZ_LINE, keyA.privateKey), 'cef', [])).toBe('invalid');
  });

  it('accepts a padded signature, raw bytes, and a trailing CRLF', () => {
    const signed = signJsonLine(JSON_AUTHZ_LINE, keyA.privateKey);
    const padded = signed.replace(/"sig":"([^"]+)"/, '"sig":"$1=="');
    expect(padded).not.toBe(signed);
    expect(verifyLine(padded, 'json', onlyA)).toBe('valid');
    expect(verifyLine(Buffer.from(`${signed}\r\n`), 'json', onlyA)).toBe('valid');
  });

  it('verifies over the received bytes even when they are not valid UTF-8', () => {
    const message = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff, 0xc3]), Buffer.from('"}')]);
    const signature = signMessage(message, keyA.privateKey);
    const line = Buffer.concat([message.subarray(0, -1), Buffer.from(`,"sig":"${signature}"}`)]);
    expect(verifyLine(line, 'json', onlyA)).toBe('valid');
  });

  it('no single flipped byte anywhere in a signed line verifies', () => {
    const signedLines = [
      ['cef', Buffer.from(signCefLine(CEF_AUTHZ_LINE, keyA.privateKey))],
      ['json', Buffer.from(signJsonLine(JSON_AUTHZ_LINE, keyA.privateKey))],
    ] as const;
    for (const [format, signed] of signedLines) {
      fc.assert(
        fc.property(fc.nat(signed.length - 1), fc.integer({ min: 1, max: 255 }), (index, mask) => {
          const tampered = Buffer.from(signed);
          tampered[index] ^= mask;
          expect(verifyLine(tampered, format, onlyA)).not.toBe('valid');
        }),
        { numRuns: 300 },
      );
    }
  });

  it('signs and verifies any single-line text as CEF and any compact object as JSON', () => {
    const text = fc.string({ unit: 'grapheme', minLength: 1 }).filter((value) => !/[\r\n]/.test(value));
    fc.assert(
      fc.property(text, (line) => {
        const cefLine = `2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|c|n|1|msg=${line}`;
        expect(verifyLine(signCefLine(cefLine, keyA.privateKey), 'cef', onlyA)).toBe('valid');
      }),
      { numRuns: 100 },
    );
    const objects = fc.dictionary(fc.string().filter((key) => key !== 'sig'), fc.jsonValue());
    fc.assert(
      fc.property(objects, (object) => {
        const json = JSON.stringify(object);
        expect(verifyLine(signJsonLine(json, keyA.privateKey), 'json', onlyA)).toBe('valid');
      }),
      { numRuns: 100 },
    );
  });
});

describe('verifyLineAsync', () => {
  it('agrees with verifyLine on valid, invalid, missing, malformed and rotated-in lines, and on keys that are not Ed25519', async () => {
    const signedByA = signCefLine(CEF_AUTHZ_LINE.replace(/ sig=\S*$/, ''), keyA.privateKey);
    const signedByB = signCefLine(CEF_AUTHZ_LINE.replace(/ sig=\S*$/, ''), keyB.privateKey);
    const malformed = signedByA.replace(/sig=\S*$/, 'sig=not-base64url!');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    const cases: Array<[string, readonly KeyObject[]]> = [
      [signedByA, onlyA],
      [signedByB, onlyA],
      [signedByB, [keyA.publicKey, keyB.publicKey]],
      [signedByA, [rsa, keyA.publicKey]],
      [signedByA, []],
      [malformed, onlyA],
      [CEF_AUTHZ_LINE.replace(/ sig=\S*$/, ''), onlyA],
    ];
    const outcomes = await Promise.all(cases.map(([line, keys]) => verifyLineAsync(line, 'cef', keys)));
    expect(outcomes).toEqual(['valid', 'invalid', 'valid', 'valid', 'invalid', 'invalid', 'missing']);
    expect(outcomes).toEqual(cases.map(([line, keys]) => verifyLine(line, 'cef', keys)));
  });
});

describe('verifySignature', () => {
  it('is true for a signature by any one of the keys and false otherwise', () => {
    const message = Buffer.from('message');
    const signature = signMessage(message, keyB.privateKey);
    expect(verifySignature(message, signature, [keyA.publicKey, keyB.publicKey])).toBe(true);
    expect(verifySignature(message, signature, onlyA)).toBe(false);
  });
});

describe('we verify what openssl signs (independent implementation)', () => {
  let tempDir: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    tempDir = makeTempDir('signature-openssl-');
  });
  afterEach(() => tempDir.dispose());

  it.each([
    ['cef', CEF_AUTHZ_LINE, '3959872677347089807', (line: string, signature: string) => `${line} sig=${signature}`],
    [
      'json',
      JSON_AUTHZ_LINE,
      '3895213347334635099',
      (line: string, signature: string) => `${line.slice(0, -1)},"sig":"${signature}"}`,
    ],
  ] as const)(
    'a %s line signed by openssl pkeyutl -sign -rawin with an openssl key is valid; a changed byte is invalid',
    async (format, line, traceId, attach) => {
      const { privateKeyPath, publicKeyPath } = opensslGenerateKey(tempDir.path);
      const signature = encodeBase64Url(opensslSign(tempDir.path, privateKeyPath, Buffer.from(line)));
      const keys = parseJwks(JSON.stringify(publishJwks([await readPublicKeyFile(publicKeyPath)]))).map(
        (entry) => entry.publicKey,
      );
      const signed = attach(line, signature);
      expect(verifyLine(signed, format, keys)).toBe('valid');
      expect(verifyLine(signed.replace(traceId, `${traceId.slice(0, -1)}0`), format, keys)).toBe('invalid');
      // Same key read through our private-key loader signs identically (Ed25519 is deterministic).
      expect(signMessage(line, await readPrivateKeyFile(privateKeyPath))).toBe(signature);
    },
  );
});

describe('verifyLineWithRefresh', () => {
  /** A source whose refresh swaps in `keysAfterRefresh`, counting refreshes. */
  function fakeSource(initial: readonly KeyObject[], keysAfterRefresh: readonly KeyObject[] | undefined) {
    let current = initial;
    const source: RefreshableKeySource & { refreshes: number } = {
      refreshes: 0,
      keys: () => current,
      refreshAfterFailure: async () => {
        source.refreshes++;
        if (keysAfterRefresh !== undefined) current = keysAfterRefresh;
        return keysAfterRefresh !== undefined;
      },
    };
    return source;
  }

  const signedByB = signCefLine(CEF_AUTHZ_LINE, keyB.privateKey);

  it('refreshes once on invalid and verifies again with the new keys', async () => {
    const source = fakeSource(onlyA, [keyA.publicKey, keyB.publicKey]);
    await expect(verifyLineWithRefresh(signedByB, 'cef', source)).resolves.toBe('valid');
    expect(source.refreshes).toBe(1);
  });

  it('stays invalid when the refresh brings no new keys', async () => {
    const source = fakeSource(onlyA, undefined);
    await expect(verifyLineWithRefresh(signedByB, 'cef', source)).resolves.toBe('invalid');
    expect(source.refreshes).toBe(1);
  });

  it('does not refresh for valid or missing lines', async () => {
    const source = fakeSource([keyB.publicKey], onlyA);
    await expect(verifyLineWithRefresh(signedByB, 'cef', source)).resolves.toBe('valid');
    await expect(verifyLineWithRefresh(CEF_AUTHZ_LINE, 'cef', source)).resolves.toBe('missing');
    expect(source.refreshes).toBe(0);
  });
});

describe('hasWellFormedSignature', () => {
  const { privateKey } = generateEd25519KeyPair();
  const cef = 'CEF:0|KongInc|Konnect|1.0|AuditLog|Authz.portals|1|rt=1700000000000 src=1.2.3.4';

  it('holds for a sig of 64 bytes of base64url, whoever signed it', () => {
    expect(hasWellFormedSignature(signCefLine(cef, privateKey), 'cef')).toBe(true);
    expect(hasWellFormedSignature(signJsonLine('{"a":1}', privateKey), 'json')).toBe(true);
  });

  it('fails for no sig, a sig of another length, and one that is not base64url', () => {
    expect(hasWellFormedSignature(cef, 'cef')).toBe(false);
    expect(hasWellFormedSignature(`${cef} sig=AAAA`, 'cef')).toBe(false);
    expect(hasWellFormedSignature('{"a":1,"sig":"@@@@"}', 'json')).toBe(false);
  });
});
