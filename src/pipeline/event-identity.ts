import { hash } from 'node:crypto';

/**
 * What makes two deliveries the same event, for deduplication: a SHA-256 of the line as it
 * arrived. Konnect resends an event (a retry, a replay) byte for byte. The signature alone would
 * not do: whether it verified can change between two copies (a key rotation, a JWKS outage), and
 * a changed copy that kept it must not pass for the original.
 */
export function eventIdentity(raw: string): string {
  return hash('sha256', raw, 'base64url');
}
