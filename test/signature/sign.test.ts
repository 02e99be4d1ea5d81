import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';

import { decodeBase64Url } from '../../src/signature/base64url';
import { generateEd25519KeyPair, writePublicKeyFile } from '../../src/signature/keys';
import { splitKonnectLine } from '../../src/signature/konnect-line';
import { verifyLine } from '../../src/signature/verify';
import { signCefLine, signCpsLine, signJsonLine, signLine, signMessage } from '../../src/signature/sign';
import { CEF_AUTHZ_LINE, CPS_AUTHZ_LINE, JSON_AUTHZ_LINE } from './support/konnect-lines';
import { makeTempDir, opensslVerify, requireOpenssl3 } from './support/openssl';

const B64URL_SIGNATURE = /^[A-Za-z0-9_-]{86}$/;

describe('signing like Konnect', () => {
  const { privateKey, publicKey } = generateEd25519KeyPair();

  it('signMessage returns 64 bytes as unpadded base64url', () => {
    const signature = signMessage('hello', privateKey);
    expect(signature).toMatch(B64URL_SIGNATURE);
    expect(decodeBase64Url(signature)).toHaveLength(64);
  });

  it('signCefLine appends " sig=<b64url>" and leaves the line before it untouched', () => {
    const signed = signCefLine(CEF_AUTHZ_LINE, privateKey);
    const [before, signature] = signed.split(' sig=');
    expect(before).toBe(CEF_AUTHZ_LINE);
    expect(signature).toMatch(B64URL_SIGNATURE);
    expect(signature).toBe(signMessage(CEF_AUTHZ_LINE, privateKey));
  });

  it('signCefLine signs a line whose client text already ends in " sig=…" as it is, and the last sig verifies it', () => {
    const withClientText = CEF_AUTHZ_LINE.replace(/user_agent=\S+/, 'user_agent=x sig=AAAA');
    expect(withClientText.endsWith(' sig=AAAA')).toBe(true);
    const signed = signCefLine(withClientText, privateKey);
    expect(signed).toBe(`${withClientText} sig=${signMessage(withClientText, privateKey)}`);
    expect(verifyLine(signed, 'cef', [publicKey])).toBe('valid');
    expect(verifyLine(withClientText, 'cef', [publicKey])).toBe('invalid');
  });

  it('signJsonLine inserts ,"sig":"…" before the final } and signs the input as given', () => {
    const signed = signJsonLine(JSON_AUTHZ_LINE, privateKey);
    const signature = signMessage(JSON_AUTHZ_LINE, privateKey);
    expect(signed).toBe(`${JSON_AUTHZ_LINE.slice(0, -1)},"sig":"${signature}"}`);
    expect(signed).toContain('"trace_id":3895213347334635099,"user_agent":"grpc-go/1.54.0","sig":"');
  });

  it('signJsonLine signs {} as {"sig":"…"}', () => {
    expect(signJsonLine('{}', privateKey)).toBe(`{"sig":"${signMessage('{}', privateKey)}"}`);
  });

  it('signCpsLine puts the sig at the end of the event object and signs the whole outer line', () => {
    const signed = signCpsLine(CPS_AUTHZ_LINE, privateKey);
    expect(signed).toBe(`${CPS_AUTHZ_LINE.slice(0, -2)},"sig":"${signMessage(CPS_AUTHZ_LINE, privateKey)}"}}`);
  });

  it('signLine dispatches on the format', () => {
    expect(signLine(CEF_AUTHZ_LINE, 'cef', privateKey)).toBe(signCefLine(CEF_AUTHZ_LINE, privateKey));
    expect(signLine(JSON_AUTHZ_LINE, 'json', privateKey)).toBe(signJsonLine(JSON_AUTHZ_LINE, privateKey));
    expect(signLine(CPS_AUTHZ_LINE, 'cps', privateKey)).toBe(signCpsLine(CPS_AUTHZ_LINE, privateKey));
  });

  it.each([
    ['a line break', () => signCefLine(`${CEF_AUTHZ_LINE}\n`, privateKey), 'line contains a line break'],
    ['a JSON line already signed', () => signJsonLine('{"a":1,"sig":"x"}', privateKey), 'JSON line already has a sig'],
    ['JSON that is not an object', () => signJsonLine('[1,2]', privateKey), 'JSON line must start with "{"'],
    ['JSON with bytes after the object', () => signJsonLine('{"a":1} ', privateKey), 'must end with the object\'s closing "}"'],
    ['broken JSON', () => signJsonLine('{"a":}', privateKey), 'JSON line is not a JSON object: expected a value'],
    ['a CPS line without event', () => signCpsLine('{"evt":{}}', privateKey), 'CPS line has no "event" object'],
    ['a public key', () => signMessage('x', publicKey), 'signing key is a public key, expected a private key'],
    [
      'an RSA key',
      () => signMessage('x', generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey),
      'signing key is rsa, expected Ed25519',
    ],
  ])('refuses %s', (_what, action, message) => {
    expect(action).toThrow(message);
  });
});

describe('openssl verifies what we sign (independent implementation)', () => {
  let tempDir: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    tempDir = makeTempDir('signature-openssl-');
  });
  afterEach(() => tempDir.dispose());

  it('OpenSSL 3 is available (these tests fail, never skip, without it)', () => {
    expect(requireOpenssl3()).toMatch(/^OpenSSL [3-9]\./);
  });

  it.each([
    ['cef', CEF_AUTHZ_LINE],
    ['json', JSON_AUTHZ_LINE],
    ['cps', CPS_AUTHZ_LINE],
  ] as const)('a %s line signed by us verifies with openssl pkeyutl -rawin; a changed byte does not', async (format, line) => {
    const { privateKey, publicKey } = generateEd25519KeyPair();
    const publicKeyPath = join(tempDir.path, 'our-pub.pem');
    await writePublicKeyFile(publicKeyPath, publicKey);
    const signed = signLine(line, format, privateKey);
    const { message, signature } = splitKonnectLine(signed, format);
    expect(message).toBe(line);
    const signatureBytes = decodeBase64Url(signature!)!;

    const verified = opensslVerify(tempDir.path, publicKeyPath, Buffer.from(message), signatureBytes);
    expect(verified).toEqual({ status: 0, output: 'Signature Verified Successfully' });

    const tampered = Buffer.from(message);
    tampered[tampered.length - 2] ^= 0x01;
    const rejected = opensslVerify(tempDir.path, publicKeyPath, tampered, signatureBytes);
    expect(rejected.status).not.toBe(0);
    expect(rejected.output).toContain('Signature Verification Failure');
  });
});
