/**
 * JWKS documents as Konnect serves them at `GET /v2/audit-log-webhook/jwks.json`:
 * `{"keys":[{"kty":"OKP","alg":"EdDSA","kid":"…","crv":"Ed25519","x":"…"}]}`.
 */

import type { KeyObject } from 'node:crypto';

import { messageOf, publicKeyFromJwk, publicKeyToJwk, validateEd25519PublicJwk } from './keys';
import type { Ed25519PublicJwk } from './keys';

export interface JwksDocument {
  keys: Ed25519PublicJwk[];
}

/** One usable key from a JWKS, with its KeyObject built once for fast verification. */
export interface JwksKey {
  kid: string | undefined;
  /** base64url of the 32 raw public-key bytes; identifies the key. */
  x: string;
  publicKey: KeyObject;
}

/** The JWKS document for these keys (private keys are published by their public half). */
export function publishJwks(publicKeys: readonly KeyObject[]): JwksDocument {
  return { keys: publicKeys.map((key) => publicKeyToJwk(key)) };
}

/**
 * Parses a JWKS and builds its keys. Refuses the whole document, with an Error
 * that names the problem, when it is not JSON, has no keys, or holds a key that
 * is not an Ed25519 public key with a 32-byte `x`: a half-understood key set is
 * a configuration error to fix, not something to guess around.
 * Duplicate keys (same `x`) are kept once.
 */
export function parseJwks(text: string): JwksKey[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new Error(`JWKS is not valid JSON: ${messageOf(error)}`, { cause: error });
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new Error('JWKS is not a JSON object');
  }
  const keys = (document as Record<string, unknown>)['keys'];
  if (!Array.isArray(keys)) throw new Error('JWKS has no "keys" array');
  if (keys.length === 0) throw new Error('JWKS has no keys');

  const byX = new Map<string, JwksKey>();
  keys.forEach((value: unknown, index) => {
    const label = `JWKS key ${index}`;
    const jwk = validateEd25519PublicJwk(value, label);
    // A JWKS is public; a private part here means the publisher leaked its signing key.
    if (typeof value === 'object' && value !== null && 'd' in value) {
      throw new Error(`${label} contains private key material ("d"); refusing it`);
    }
    if (!byX.has(jwk.x)) {
      byX.set(jwk.x, { kid: jwk.kid, x: jwk.x, publicKey: publicKeyFromJwk(jwk, label) });
    }
  });
  return [...byX.values()];
}
