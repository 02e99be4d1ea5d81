import { hash } from 'node:crypto';
import type { ParsedEvent } from '../formats/parse-frame';
import type { SignatureOutcome } from './output-record';

/** Enough of a base64url signature to tell events apart (192 bits) at a third of the memory. */
const SIGNATURE_CHARS = 32;

/**
 * What makes two deliveries the same event, for deduplication. Konnect's signature when it was
 * verified: Ed25519 signatures are deterministic, so a resent event (a retry, a replay) carries
 * the same one, and no other event can. Else a SHA-256 of the line as it arrived: an unchecked
 * signature proves nothing, and a changed copy that kept it must not pass for the original.
 */
export function eventIdentity(event: ParsedEvent, raw: string, signature: SignatureOutcome): string {
  const sig = signature === 'valid' ? (event.format === 'cef' ? event.cef.extensions.sig : event.fields.sig) : undefined;
  return identityOf(typeof sig === 'string' ? sig : undefined, raw);
}

/** The identity of an event given its verified signature, if it has one, and its line as it arrived. */
export function identityOf(verifiedSignature: string | undefined, raw: string): string {
  if (verifiedSignature !== undefined && verifiedSignature.length >= SIGNATURE_CHARS) return `sig:${verifiedSignature.slice(0, SIGNATURE_CHARS)}`;
  return `sha256:${hash('sha256', raw, 'base64url')}`;
}
