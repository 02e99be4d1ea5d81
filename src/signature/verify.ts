/**
 * Verifies Konnect's Ed25519 signatures on raw lines, before any parsing.
 */

import { verify, type KeyObject } from 'node:crypto';

import { decodeBase64Url } from './base64url';
import { splitKonnectLineBytes } from './konnect-line';
import type { KonnectLogFormat } from './konnect-line';

export type VerificationResult = 'valid' | 'invalid' | 'missing';

export const ED25519_SIGNATURE_BYTES = 64;

/**
 * `valid` when some key verifies the line's sig; `invalid` when a sig is present
 * and no key verifies it (a malformed sig, or no keys at all, included);
 * `missing` when the line has no sig.
 *
 * Pass the line as the bytes received when you have them: a string is encoded
 * as UTF-8 first. Keys should be built once (see parseJwks / JwksSource.keys()).
 * Events carry no key id, so every key is tried.
 */
export function verifyLine(
  line: string | Uint8Array,
  format: KonnectLogFormat,
  keys: readonly KeyObject[],
): VerificationResult {
  const bytes = typeof line === 'string' ? Buffer.from(line, 'utf8') : line;
  const { message, signature } = splitKonnectLineBytes(bytes, format);
  if (signature === undefined) return 'missing';
  return verifySignature(message, signature, keys) ? 'valid' : 'invalid';
}

/** The 64 bytes of a base64url Ed25519 signature; undefined when it cannot be one. */
function signatureBytesOf(signature: string): Buffer | undefined {
  const bytes = decodeBase64Url(signature);
  return bytes !== undefined && bytes.length === ED25519_SIGNATURE_BYTES ? bytes : undefined;
}

/**
 * Whether the line's sig could be an Ed25519 signature at all (64 bytes of base64url). One that
 * cannot is invalid under every key, so fetching the keys again cannot change its outcome.
 */
export function hasWellFormedSignature(line: string | Uint8Array, format: KonnectLogFormat): boolean {
  const { signature } = splitKonnectLineBytes(typeof line === 'string' ? Buffer.from(line, 'utf8') : line, format);
  return signature !== undefined && signatureBytesOf(signature) !== undefined;
}

/** True when `signature` (base64url, padded or not) is a valid Ed25519 signature of `message` by one of `keys`. */
export function verifySignature(
  message: Uint8Array,
  signature: string,
  keys: readonly KeyObject[],
): boolean {
  const signatureBytes = signatureBytesOf(signature);
  if (signatureBytes === undefined) return false;
  for (const key of keys) {
    try {
      // null algorithm = pure Ed25519 (RFC 8032), no pre-hash.
      if (verify(null, message, key, signatureBytes)) return true;
    } catch {
      // A key that is not Ed25519 cannot verify this signature; try the next one.
    }
  }
  return false;
}

/**
 * verifyLine on libuv's thread pool: the Ed25519 work of many lines runs on several cores while
 * the event loop goes on. Each check costs a thread-pool hand-off (about 15 µs of CPU beside
 * the ~90 µs of the check), so it pays only when several lines are checked at once.
 */
export async function verifyLineAsync(
  line: string | Uint8Array,
  format: KonnectLogFormat,
  keys: readonly KeyObject[],
): Promise<VerificationResult> {
  const bytes = typeof line === 'string' ? Buffer.from(line, 'utf8') : line;
  const { message, signature } = splitKonnectLineBytes(bytes, format);
  if (signature === undefined) return 'missing';
  const signatureBytes = signatureBytesOf(signature);
  if (signatureBytes === undefined) return 'invalid';
  for (const key of keys) {
    const verified = await new Promise<boolean>((resolve) => {
      try {
        // With a callback, crypto.verify runs on the thread pool.
        verify(null, message, key, signatureBytes, (error, result) => resolve(!error && result));
      } catch {
        resolve(false); // a key that is not Ed25519 cannot verify this signature
      }
    });
    if (verified) return 'valid';
  }
  return 'invalid';
}

/** What verifyLineWithRefresh needs from a key source; JwksSource is one. */
export interface RefreshableKeySource {
  /** The current keys; a new array whenever the set changes. */
  keys(): readonly KeyObject[];
  /** Refetch the keys unless that was done too recently; resolves when done. */
  refreshAfterFailure(): Promise<unknown>;
}

/**
 * verifyLine, and when the line is `invalid`, one throttled key refresh and a
 * second try, so a key Konnect has just rotated in is picked up. Lines that are
 * `valid` or `missing` never wait. Many invalid lines at once share one fetch
 * (the source coalesces and throttles refreshes).
 */
export async function verifyLineWithRefresh(
  line: string | Uint8Array,
  format: KonnectLogFormat,
  source: RefreshableKeySource,
): Promise<VerificationResult> {
  const keysTried = source.keys();
  const first = verifyLine(line, format, keysTried);
  if (first !== 'invalid') return first;
  await source.refreshAfterFailure();
  // Compare by identity: the keys may also have changed through a refresh
  // that another line started, which this call did not perform itself.
  const keysNow = source.keys();
  return keysNow === keysTried ? first : verifyLine(line, format, keysNow);
}
