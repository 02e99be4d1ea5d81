/**
 * Ed25519 keys: generate, read and write them as PEM or JWK (strings and files),
 * and describe a public key as the JWK that Konnect publishes.
 */

import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';

import { decodeBase64Url } from './base64url';

export type KeyEncoding = 'pem' | 'jwk';

export interface Ed25519KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** A public key in the shape of Konnect's JWKS entries (RFC 8037 OKP). */
export interface Ed25519PublicJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  /** base64url of the 32 raw public-key bytes. */
  x: string;
  kid?: string;
  alg?: string;
  use?: string;
}

export interface Ed25519PrivateJwk extends Ed25519PublicJwk {
  /** base64url of the 32-byte private seed. */
  d: string;
}

export const ED25519_KEY_BYTES = 32;

export function generateEd25519KeyPair(): Ed25519KeyPair {
  return generateKeyPairSync('ed25519');
}

/** The public half of a private key (a public key is returned as is). */
export function publicKeyOf(key: KeyObject): KeyObject {
  assertEd25519(key, 'key');
  return key.type === 'private' ? createPublicKey(key) : key;
}

/** RFC 7638 thumbprint (SHA-256, base64url) of an Ed25519 public key given by its `x`. */
export function jwkThumbprint(x: string): string {
  // RFC 7638: the required members only, in lexicographic order, no whitespace.
  const canonical = `{"crv":"Ed25519","kty":"OKP","x":"${x}"}`;
  return createHash('sha256').update(canonical, 'utf8').digest('base64url');
}

/**
 * The public key as Konnect's JWKS shows it, member order included:
 * `{"kty":"OKP","alg":"EdDSA","kid":…,"crv":"Ed25519","x":…}`.
 * `kid` defaults to the RFC 7638 thumbprint, so it is stable for a key.
 */
export function publicKeyToJwk(key: KeyObject, kid?: string): Ed25519PublicJwk {
  const x = rawPublicKeyBase64Url(publicKeyOf(key));
  return { kty: 'OKP', alg: 'EdDSA', kid: kid ?? jwkThumbprint(x), crv: 'Ed25519', x };
}

/**
 * Checks that `value` is an Ed25519 public JWK and builds its KeyObject.
 * `label` names the key in error messages, e.g. `JWKS key 0`.
 */
export function publicKeyFromJwk(value: unknown, label = 'JWK'): KeyObject {
  const jwk = validateEd25519PublicJwk(value, label);
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, format: 'jwk' });
}

export function validateEd25519PublicJwk(value: unknown, label = 'JWK'): Ed25519PublicJwk {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${label} is not a JSON object`);
  }
  const jwk = value as Record<string, unknown>;
  if (jwk['kty'] !== 'OKP') throw new Error(wrongMember(label, 'kty', jwk['kty'], 'OKP Ed25519'));
  if (jwk['crv'] !== 'Ed25519') throw new Error(wrongMember(label, 'crv', jwk['crv'], 'Ed25519'));
  // "EdDSA" (RFC 8037) or the fully-specified "Ed25519" (RFC 9864); absent is fine.
  if (jwk['alg'] !== undefined && jwk['alg'] !== 'EdDSA' && jwk['alg'] !== 'Ed25519') {
    throw new Error(wrongMember(label, 'alg', jwk['alg'], 'EdDSA'));
  }
  if (jwk['use'] !== undefined && jwk['use'] !== 'sig') {
    throw new Error(wrongMember(label, 'use', jwk['use'], 'sig'));
  }
  const x = jwk['x'];
  if (typeof x !== 'string') throw new Error(`${label} has no x`);
  const raw = decodeBase64Url(x);
  if (raw === undefined) throw new Error(`${label} has an x that is not base64url`);
  if (raw.length !== ED25519_KEY_BYTES) {
    throw new Error(`${label} has an x of ${raw.length} bytes, expected ${ED25519_KEY_BYTES}`);
  }
  const kid = jwk['kid'];
  if (kid !== undefined && typeof kid !== 'string') throw new Error(`${label} has a kid that is not a string`);
  return {
    kty: 'OKP',
    crv: 'Ed25519',
    x,
    ...(kid === undefined ? {} : { kid }),
    ...(jwk['alg'] === undefined ? {} : { alg: jwk['alg'] as string }),
    ...(jwk['use'] === undefined ? {} : { use: 'sig' }),
  };
}

/** Reads a private key from PEM (PKCS#8) or JWK text. */
export function parsePrivateKey(text: string): KeyObject {
  const trimmed = text.trim();
  let key: KeyObject;
  if (trimmed.startsWith('{')) {
    key = privateKeyFromJwk(parseJsonObject(trimmed, 'private key JWK'));
  } else if (trimmed.startsWith('-----BEGIN')) {
    if (!/-----BEGIN (ENCRYPTED )?PRIVATE KEY-----/.test(trimmed)) {
      throw new Error('expected a PKCS#8 "PRIVATE KEY" PEM, got another PEM block');
    }
    key = withReason('private key PEM could not be read', () => createPrivateKey(trimmed));
  } else {
    throw new Error('expected a private key as PEM or JWK');
  }
  assertEd25519(key, 'private key');
  return key;
}

/** Reads a public key from PEM (SPKI) or JWK text. A private key is refused, not silently halved. */
export function parsePublicKey(text: string): KeyObject {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    const value = parseJsonObject(trimmed, 'public key JWK');
    if ('d' in value) throw new Error('expected a public key, got a private key JWK (it has "d")');
    return publicKeyFromJwk(value, 'public key JWK');
  }
  if (trimmed.startsWith('-----BEGIN')) {
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(trimmed)) {
      throw new Error('expected a public key, got a private key PEM');
    }
    const key = withReason('public key PEM could not be read', () => createPublicKey(trimmed));
    assertEd25519(key, 'public key');
    return key;
  }
  throw new Error('expected a public key as PEM or JWK');
}

/** PEM (PKCS#8) or JWK text; the JWK carries `kid` (the thumbprint) and `x` as well as `d`. */
export function formatPrivateKey(key: KeyObject, encoding: KeyEncoding = 'pem'): string {
  assertEd25519(key, 'private key');
  if (key.type !== 'private') throw new Error('expected a private key, got a public key');
  if (encoding === 'pem') return key.export({ type: 'pkcs8', format: 'pem' }) as string;
  const exported = key.export({ format: 'jwk' });
  const jwk: Ed25519PrivateJwk = { ...publicKeyToJwk(key), d: exported.d as string };
  return `${JSON.stringify(jwk, null, 2)}\n`;
}

/** PEM (SPKI) or JWK text. A private key is accepted and its public half written. */
export function formatPublicKey(key: KeyObject, encoding: KeyEncoding = 'pem'): string {
  const publicKey = publicKeyOf(key);
  if (encoding === 'pem') return publicKey.export({ type: 'spki', format: 'pem' }) as string;
  return `${JSON.stringify(publicKeyToJwk(publicKey), null, 2)}\n`;
}

export async function readPrivateKeyFile(path: string): Promise<KeyObject> {
  const text = await readKeyFile(path);
  return withReason(path, () => parsePrivateKey(text));
}

export async function readPublicKeyFile(path: string): Promise<KeyObject> {
  const text = await readKeyFile(path);
  return withReason(path, () => parsePublicKey(text));
}

export interface WriteKeyOptions {
  encoding?: KeyEncoding;
  /** Replace an existing file. Off by default so a signing key is never lost by accident. */
  overwrite?: boolean;
}

/** Writes the private key readable by its owner only (mode 0600). */
export async function writePrivateKeyFile(
  path: string,
  key: KeyObject,
  options: WriteKeyOptions = {},
): Promise<void> {
  const text = formatPrivateKey(key, options.encoding ?? 'pem');
  await writeFile(path, text, { mode: 0o600, flag: options.overwrite ? 'w' : 'wx' });
  // The mode above applies only when the file is created.
  await chmod(path, 0o600);
}

export async function writePublicKeyFile(
  path: string,
  key: KeyObject,
  options: WriteKeyOptions = {},
): Promise<void> {
  const text = formatPublicKey(key, options.encoding ?? 'pem');
  await writeFile(path, text, { mode: 0o644, flag: options.overwrite ? 'w' : 'wx' });
}

/** base64url of the 32 raw bytes of an Ed25519 public key. */
export function rawPublicKeyBase64Url(publicKey: KeyObject): string {
  return publicKey.export({ format: 'jwk' }).x as string;
}

export function assertEd25519(key: KeyObject, label: string): void {
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new Error(`${label} is ${key.asymmetricKeyType ?? key.type}, expected Ed25519`);
  }
}

function privateKeyFromJwk(value: Record<string, unknown>): KeyObject {
  const label = 'private key JWK';
  const publicPart = validateEd25519PublicJwk(value, label);
  const d = value['d'];
  if (typeof d !== 'string') throw new Error(`${label} has no d`);
  const seed = decodeBase64Url(d);
  if (seed === undefined || seed.length !== ED25519_KEY_BYTES) {
    throw new Error(`${label} has a d that is not ${ED25519_KEY_BYTES} base64url bytes`);
  }
  const key = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d, x: publicPart.x }, format: 'jwk' });
  // Node derives the public key from d and ignores x; a mismatch means a corrupt file.
  if (rawPublicKeyBase64Url(createPublicKey(key)) !== publicPart.x) {
    throw new Error(`${label} has an x that does not belong to its d`);
  }
  return key;
}

function parseJsonObject(text: string, label: string): Record<string, unknown> {
  const value: unknown = withReason(`${label} is not valid JSON`, () => JSON.parse(text));
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${label} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

async function readKeyFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read key file ${path}: ${messageOf(error)}`, { cause: error });
  }
}

function withReason<T>(context: string, action: () => T): T {
  try {
    return action();
  } catch (error) {
    throw new Error(`${context}: ${messageOf(error)}`, { cause: error });
  }
}

function wrongMember(label: string, member: string, value: unknown, expected: string): string {
  return value === undefined
    ? `${label} has no ${member}, expected ${expected}`
    : `${label} is ${member} ${JSON.stringify(value)}, expected ${expected}`;
}

/** An error's message; duck-typed because errors from Node internals may come from another realm. */
export function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}
