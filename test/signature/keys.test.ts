import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  formatPrivateKey,
  formatPublicKey,
  generateEd25519KeyPair,
  jwkThumbprint,
  parsePrivateKey,
  parsePublicKey,
  publicKeyFromJwk,
  publicKeyOf,
  publicKeyToJwk,
  readPrivateKeyFile,
  readPublicKeyFile,
  writePrivateKeyFile,
  writePublicKeyFile,
} from '../../src/signature/keys';
import { signMessage } from '../../src/signature/sign';
import { makeTempDir } from './support/openssl';

/** RFC 8037 Appendix A.1 (the RFC 8032 §7.1 TEST 1 key). */
const RFC8037_PRIVATE_JWK = {
  kty: 'OKP',
  crv: 'Ed25519',
  d: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A',
  x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
};

function samePublicKey(a: KeyObject, b: KeyObject): boolean {
  return publicKeyOf(a).export({ format: 'jwk' }).x === publicKeyOf(b).export({ format: 'jwk' }).x;
}

describe('keys', () => {
  let tempDir: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    tempDir = makeTempDir('signature-keys-');
  });
  afterEach(() => tempDir.dispose());

  it('generates an Ed25519 key pair whose halves belong together', () => {
    const { privateKey, publicKey } = generateEd25519KeyPair();
    expect(privateKey.asymmetricKeyType).toBe('ed25519');
    expect(privateKey.type).toBe('private');
    expect(publicKey.type).toBe('public');
    expect(samePublicKey(privateKey, publicKey)).toBe(true);
  });

  it('computes the RFC 7638 thumbprint of RFC 8037 Appendix A.3', () => {
    expect(jwkThumbprint(RFC8037_PRIVATE_JWK.x)).toBe('kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
  });

  it('exports a public key as Konnect\'s JWK shape with the thumbprint as kid', () => {
    const key = parsePrivateKey(JSON.stringify(RFC8037_PRIVATE_JWK));
    const jwk = publicKeyToJwk(key);
    expect(JSON.stringify(jwk)).toBe(
      '{"kty":"OKP","alg":"EdDSA","kid":"kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}',
    );
    expect(publicKeyToJwk(key, 'my-kid').kid).toBe('my-kid');
  });

  it('signs like RFC 8037 Appendix A.4 with a key loaded from its JWK (known answer)', () => {
    const key = parsePrivateKey(JSON.stringify(RFC8037_PRIVATE_JWK));
    expect(signMessage('eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc', key)).toBe(
      'hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg',
    );
  });

  it.each(['pem', 'jwk'] as const)('round-trips private and public keys through %s text', (encoding) => {
    const { privateKey, publicKey } = generateEd25519KeyPair();
    const privateText = formatPrivateKey(privateKey, encoding);
    const publicText = formatPublicKey(publicKey, encoding);
    expect(parsePrivateKey(privateText).export({ format: 'jwk' })).toEqual(privateKey.export({ format: 'jwk' }));
    expect(samePublicKey(parsePublicKey(publicText), publicKey)).toBe(true);
    if (encoding === 'pem') {
      expect(privateText).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
      expect(publicText).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    } else {
      expect(JSON.parse(privateText)).toMatchObject({ kty: 'OKP', crv: 'Ed25519', d: expect.any(String) });
      expect(JSON.parse(publicText)).not.toHaveProperty('d');
    }
  });

  it.each(['pem', 'jwk'] as const)('writes and reads %s key files, the private one with mode 0600', async (encoding) => {
    const { privateKey, publicKey } = generateEd25519KeyPair();
    const privatePath = join(tempDir.path, `key.${encoding}`);
    const publicPath = join(tempDir.path, `pub.${encoding}`);
    await writePrivateKeyFile(privatePath, privateKey, { encoding });
    await writePublicKeyFile(publicPath, publicKey, { encoding });
    expect(statSync(privatePath).mode & 0o777).toBe(0o600);
    expect(samePublicKey(await readPrivateKeyFile(privatePath), privateKey)).toBe(true);
    expect(samePublicKey(await readPublicKeyFile(publicPath), publicKey)).toBe(true);
  });

  it('does not overwrite a key file unless asked to', async () => {
    const path = join(tempDir.path, 'key.pem');
    const first = generateEd25519KeyPair().privateKey;
    const second = generateEd25519KeyPair().privateKey;
    await writePrivateKeyFile(path, first);
    await expect(writePrivateKeyFile(path, second)).rejects.toThrow(/EEXIST/);
    expect(samePublicKey(await readPrivateKeyFile(path), first)).toBe(true);
    await writePrivateKeyFile(path, second, { overwrite: true });
    expect(samePublicKey(await readPrivateKeyFile(path), second)).toBe(true);
  });

  it('names the file when a key file cannot be read or parsed', async () => {
    const path = join(tempDir.path, 'junk.pem');
    writeFileSync(path, 'hello');
    await expect(readPrivateKeyFile(path)).rejects.toThrow(`${path}: expected a private key as PEM or JWK`);
    await expect(readPublicKeyFile(join(tempDir.path, 'absent.pem'))).rejects.toThrow(/cannot read key file .*absent\.pem/);
  });

  it('refuses keys that are not Ed25519, with a message that says so', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const rsaPrivatePem = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const rsaPublicPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string;
    expect(() => parsePrivateKey(rsaPrivatePem)).toThrow('private key is rsa, expected Ed25519');
    expect(() => parsePublicKey(rsaPublicPem)).toThrow('public key is rsa, expected Ed25519');
    expect(() => publicKeyFromJwk({ kty: 'RSA', n: 'AQAB', e: 'AQAB' }, 'JWKS key 0')).toThrow(
      'JWKS key 0 is kty "RSA", expected OKP Ed25519',
    );
    expect(() => publicKeyFromJwk({ kty: 'OKP', crv: 'X25519', x: RFC8037_PRIVATE_JWK.x })).toThrow(
      'JWK is crv "X25519", expected Ed25519',
    );
    const thirtyThreeBytes = Buffer.alloc(33, 7).toString('base64url');
    expect(() => publicKeyFromJwk({ kty: 'OKP', crv: 'Ed25519', x: thirtyThreeBytes })).toThrow(
      'JWK has an x of 33 bytes, expected 32',
    );
    expect(() => publicKeyFromJwk({ kty: 'OKP', crv: 'Ed25519', x: 'not base64url!' })).toThrow(
      'JWK has an x that is not base64url',
    );
  });

  it('refuses a private key where a public one is expected', () => {
    const { privateKey } = generateEd25519KeyPair();
    expect(() => parsePublicKey(formatPrivateKey(privateKey, 'pem'))).toThrow('expected a public key, got a private key PEM');
    expect(() => parsePublicKey(formatPrivateKey(privateKey, 'jwk'))).toThrow(/got a private key JWK/);
  });

  it('refuses a private JWK whose x does not belong to its d', () => {
    const otherX = publicKeyToJwk(generateEd25519KeyPair().publicKey).x;
    expect(() => parsePrivateKey(JSON.stringify({ ...RFC8037_PRIVATE_JWK, x: otherX }))).toThrow(
      'private key JWK has an x that does not belong to its d',
    );
  });
});
