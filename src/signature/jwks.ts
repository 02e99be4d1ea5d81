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
 * Parses a JWKS and builds its keys. Keys that are not for Ed25519 signatures (RSA, EC, X25519,
 * `use: "enc"`, another `alg`) are skipped, as RFC 7517 §5 asks, so that a key the publisher adds
 * for something else cannot take the verifier down; they are listed in `skipped`. The whole
 * document is refused, with an Error that names the problem, when it is not JSON, holds no
 * Ed25519 signing key, holds a broken one (an `x` that is not 32 bytes), or holds private key
 * material. Duplicate keys (same `x`) are kept once.
 */
export function readJwks(text: string): { keys: JwksKey[]; skipped: string[] } {
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
  const skipped: string[] = [];
  keys.forEach((value: unknown, index) => {
    const label = `JWKS key ${index}`;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${label} is not a JSON object`);
    // A JWKS is public; a private part (or a symmetric key's secret) means the publisher leaked it.
    for (const secret of ['d', 'k']) {
      if (secret in value) throw new Error(`${label} contains private key material ("${secret}"); refusing it`);
    }
    if (!claimsEd25519Signing(value)) {
      skipped.push(notUsable(value, label));
      return;
    }
    const jwk = validateEd25519PublicJwk(value, label);
    if (!byX.has(jwk.x)) byX.set(jwk.x, { kid: jwk.kid, x: jwk.x, publicKey: publicKeyFromJwk(jwk, label) });
  });
  if (byX.size === 0) throw new Error(skipped.length === 1 ? skipped[0]! : `JWKS holds no Ed25519 signing key: ${capped(skipped).join('; ')}`);
  return { keys: [...byX.values()], skipped: capped(skipped) };
}

/** How many skipped keys are named; a set may hold thousands, and each reason goes into a log line. */
const LISTED = 5;

function capped(reasons: string[]): string[] {
  return reasons.length > LISTED ? [...reasons.slice(0, LISTED), `and ${reasons.length - LISTED} more`] : reasons;
}

/** The keys of a JWKS (see readJwks), without the list of those skipped. */
export function parseJwks(text: string): JwksKey[] {
  return readJwks(text).keys;
}

/** Whether a JWK says it is an Ed25519 key for signatures (then it must also be a sound one). */
function claimsEd25519Signing(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const jwk = value as Record<string, unknown>;
  return (
    jwk['kty'] === 'OKP' &&
    jwk['crv'] === 'Ed25519' &&
    (jwk['use'] === undefined || jwk['use'] === 'sig') &&
    (jwk['alg'] === undefined || jwk['alg'] === 'EdDSA' || jwk['alg'] === 'Ed25519')
  );
}

/** Why a key is not one to verify with, in validateEd25519PublicJwk's words. */
function notUsable(value: unknown, label: string): string {
  try {
    validateEd25519PublicJwk(value, label);
  } catch (error) {
    return messageOf(error);
  }
  return `${label} is not an Ed25519 signing key`;
}
