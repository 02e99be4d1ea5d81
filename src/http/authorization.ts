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

/**
 * The accepted values as they are now. A reload (SIGHUP re-reads --authorization-file) replaces
 * them whole, between two requests: a request is checked against one set or the other.
 */
export class AcceptedAuthorizations {
  /** Replaced whole, so the check and the challenge always describe the same values. */
  private current: AcceptedSet;

  constructor(values: readonly string[]) {
    this.current = acceptedSet(values);
  }

  replace(values: readonly string[]): void {
    this.current = acceptedSet(values);
  }

  isAuthorized(presented: string | undefined): boolean {
    return this.current.check(presented);
  }

  /** WWW-Authenticate for a 401. */
  get challenge(): string {
    return this.current.challenge;
  }
}

interface AcceptedSet {
  check: (presented: string | undefined) => boolean;
  challenge: string;
}

function acceptedSet(values: readonly string[]): AcceptedSet {
  return { check: createAuthorizationCheck(values), challenge: authenticationChallenge(values) };
}

/**
 * WWW-Authenticate for a 401 (RFC 9110 §11.6.1 requires one): the schemes of the configured
 * values (`Bearer`, `Splunk`, `Basic`…), never anything of the values themselves.
 */
function authenticationChallenge(authorizations: readonly string[]): string {
  // A value with no space has no scheme: all of it is the secret, and it must not be named.
  const schemes = new Set(
    authorizations
      .filter((value) => value.includes(' '))
      .map((value) => value.slice(0, value.indexOf(' ')))
      .filter((scheme) => /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(scheme)),
  );
  if (schemes.size === 0) schemes.add('Bearer');
  return [...schemes].map((scheme) => `${scheme} realm="audit-relay"`).join(', ');
}
