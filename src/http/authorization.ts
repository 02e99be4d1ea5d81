import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string, encoding: 'utf8' | 'latin1') => createHash('sha256').update(value, encoding).digest();

/**
 * Exact match against any configured value, whatever its scheme (`Bearer x`, `Splunk x`,
 * `Basic …`). Comparing fixed-size digests keeps the time independent of where the values
 * differ and of their lengths; every value is compared, so the count of matches leaks nothing.
 * Bytes are compared: Node hands header values over as Latin-1 (one character per byte), and a
 * configured value means its UTF-8 bytes, so `Bearer é` matches a sender that sends it as UTF-8.
 */
export function createAuthorizationCheck(acceptedValues: readonly string[]): (presented: string | undefined) => boolean {
  const accepted = acceptedValues.map((value) => digest(value, 'utf8'));
  return (presented) => {
    if (presented === undefined) return false;
    const candidate = digest(presented, 'latin1');
    let matched = false;
    for (const value of accepted) matched = timingSafeEqual(value, candidate) || matched;
    return matched;
  };
}
