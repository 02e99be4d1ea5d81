import { parseJwks, readJwks, publishJwks } from '../../src/signature/jwks';
import { generateEd25519KeyPair, publicKeyToJwk } from '../../src/signature/keys';

describe('publishJwks', () => {
  it('publishes Konnect\'s JWKS shape, one entry per key, private keys by their public half', () => {
    const first = generateEd25519KeyPair();
    const second = generateEd25519KeyPair();
    const document = publishJwks([first.publicKey, second.privateKey]);
    expect(document).toEqual({ keys: [publicKeyToJwk(first.publicKey), publicKeyToJwk(second.publicKey)] });
    expect(Object.keys(document.keys[0]!)).toEqual(['kty', 'alg', 'kid', 'crv', 'x']);
    expect(JSON.stringify(document)).not.toContain('"d"');
  });
});

describe('parseJwks', () => {
  const key = generateEd25519KeyPair();
  const jwk = publicKeyToJwk(key.publicKey);

  it('reads what publishJwks writes, with kid, x and a ready KeyObject', () => {
    const [entry, ...rest] = parseJwks(JSON.stringify(publishJwks([key.publicKey])));
    expect(rest).toEqual([]);
    expect(entry!.kid).toBe(jwk.kid);
    expect(entry!.x).toBe(jwk.x);
    expect(entry!.publicKey.asymmetricKeyType).toBe('ed25519');
    expect(entry!.publicKey.export({ format: 'jwk' }).x).toBe(jwk.x);
  });

  it('reads Konnect\'s documented example shape (kid as a hex string)', () => {
    const text = JSON.stringify({
      keys: [{ kty: 'OKP', alg: 'EdDSA', kid: '3f60bc4376c937154f3c004ebd180433ac0d03e6', crv: 'Ed25519', x: jwk.x }],
    });
    expect(parseJwks(text).map((entry) => entry.kid)).toEqual(['3f60bc4376c937154f3c004ebd180433ac0d03e6']);
  });

  it('accepts a key without kid or alg, and keeps a duplicated key once', () => {
    const bare = { kty: 'OKP', crv: 'Ed25519', x: jwk.x };
    const entries = parseJwks(JSON.stringify({ keys: [bare, jwk] }));
    expect(entries).toHaveLength(1);
    expect(entries[0]!.kid).toBeUndefined();
  });

  it.each([
    ['text that is not JSON', 'not json', /^JWKS is not valid JSON: /],
    ['a JSON array', '[]', 'JWKS is not a JSON object'],
    ['no keys array', '{"keys":{}}', 'JWKS has no "keys" array'],
    ['an empty key list', '{"keys":[]}', 'JWKS has no keys'],
    ['an RSA key', '{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"}]}', 'JWKS key 0 is kty "RSA", expected OKP Ed25519'],
    ['an EC key', '{"keys":[{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}]}', 'JWKS key 0 is kty "EC", expected OKP Ed25519'],
    ['an X25519 key', '{"keys":[{"kty":"OKP","crv":"X25519","x":"AA"}]}', 'JWKS key 0 is crv "X25519", expected Ed25519'],
    ['a key without kty', '{"keys":[{"crv":"Ed25519"}]}', 'JWKS key 0 has no kty, expected OKP Ed25519'],
    ['a key that is not an object', '{"keys":["x"]}', 'JWKS key 0 is not a JSON object'],
  ])('refuses %s with a message that names the problem', (_what, text, message) => {
    expect(() => parseJwks(text)).toThrow(message);
  });

  it('skips keys that are not Ed25519 signing keys (RFC 7517 §5) and names each, keeping the Ed25519 ones', () => {
    const rsa = { kty: 'RSA', n: 'AQAB', e: 'AQAB' };
    const x25519 = { kty: 'OKP', crv: 'X25519', x: jwk.x };
    const encryption = { ...jwk, use: 'enc' };
    const { keys, skipped } = readJwks(JSON.stringify({ keys: [rsa, jwk, x25519, encryption] }));
    expect(keys.map((entry) => entry.x)).toEqual([jwk.x]);
    expect(skipped).toEqual([
      'JWKS key 0 is kty "RSA", expected OKP Ed25519',
      'JWKS key 2 is crv "X25519", expected Ed25519',
      'JWKS key 3 is use "enc", expected sig',
    ]);
  });

  it('refuses a set that holds a symmetric key\'s secret, like a private key', () => {
    expect(() => parseJwks(JSON.stringify({ keys: [jwk, { kty: 'oct', k: 'c2VjcmV0' }] }))).toThrow('JWKS key 1 contains private key material ("k")');
  });

  it('names at most five skipped keys, however many there are', () => {
    const { skipped } = readJwks(JSON.stringify({ keys: [jwk, ...Array.from({ length: 1000 }, () => ({ kty: 'RSA' }))] }));
    expect(skipped).toHaveLength(6);
    expect(skipped[5]).toBe('and 995 more');
    expect(() => parseJwks(JSON.stringify({ keys: Array.from({ length: 1000 }, () => ({ kty: 'RSA' })) }))).toThrow(/; and 995 more$/);
  });

  it('refuses a set with no Ed25519 signing key, naming every key', () => {
    const text = JSON.stringify({ keys: [{ kty: 'RSA', n: 'AQAB', e: 'AQAB' }, { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' }] });
    expect(() => parseJwks(text)).toThrow('JWKS holds no Ed25519 signing key: JWKS key 0 is kty "RSA", expected OKP Ed25519; JWKS key 1 is kty "EC", expected OKP Ed25519');
  });

  it('refuses the whole set when an Ed25519 key in it is broken', () => {
    const rsa = { kty: 'RSA', n: 'AQAB', e: 'AQAB' };
    expect(() => parseJwks(JSON.stringify({ keys: [rsa, jwk, { ...jwk, x: 'AA' }] }))).toThrow('JWKS key 2 has an x of 1 bytes, expected 32');
  });

  it('refuses an x that is not 32 bytes (like the 33-byte x in Konnect\'s docs)', () => {
    const x = Buffer.alloc(33, 9).toString('base64url');
    expect(() => parseJwks(JSON.stringify({ keys: [{ ...jwk, x }] }))).toThrow('JWKS key 0 has an x of 33 bytes, expected 32');
  });

  it('refuses a wrong alg or use', () => {
    expect(() => parseJwks(JSON.stringify({ keys: [{ ...jwk, alg: 'ES256' }] }))).toThrow(
      'JWKS key 0 is alg "ES256", expected EdDSA',
    );
    expect(() => parseJwks(JSON.stringify({ keys: [{ ...jwk, use: 'enc' }] }))).toThrow('JWKS key 0 is use "enc", expected sig');
  });

  it('refuses a JWKS that leaks a private key', () => {
    const leaked = { ...jwk, d: key.privateKey.export({ format: 'jwk' }).d };
    expect(() => parseJwks(JSON.stringify({ keys: [leaked] }))).toThrow('JWKS key 0 contains private key material ("d")');
  });
});
