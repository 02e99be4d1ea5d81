import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Exact match against any configured value, whatever its scheme (`Bearer x`, `Splunk x`,
 * `Basic …`). Comparing fixed-size digests keeps the time independent of where the values
 * differ and of their lengths; every value is compared, so the count of matches leaks nothing.
 */
export function createAuthorizationCheck(acceptedValues: readonly string[]): (presented: string | undefined) => boolean {
  const accepted = acceptedValues.map(digest);
  return (presented) => {
    if (presented === undefined) return false;
    const candidate = digest(presented);
    let matched = false;
    for (const value of accepted) matched = timingSafeEqual(value, candidate) || matched;
    return matched;
  };
}
