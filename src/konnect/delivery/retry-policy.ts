/**
 * When Konnect retries a delivery and how long it waits (§2): the defaults of
 * hashicorp/go-retryablehttp. Connection errors, 5xx except 501, and 429 are retried up to
 * 4 times; waits start at 1 s and double up to 30 s; `Retry-After` on a 429 or 503 is honored
 * (but kept within the maximum wait).
 */
import type { RetryPolicy } from '../../config/konnect-config';
import type { AttemptResult } from './attempt';

/**
 * Certificate problems are not retried: another try meets the same certificate (go-retryablehttp
 * does not retry an unknown authority either). Nor is an endpoint that cannot be a request at all.
 */
const PERMANENT_ERRORS = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_CHAIN_TOO_LONG',
  'INVALID_CA',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_INVALID_URL',
  'ERR_INVALID_PROTOCOL',
  'ERR_INVALID_CHAR',
  'ABORT_ERR',
]);

export function isSuccess(result: AttemptResult): boolean {
  return result.kind === 'response' && result.status >= 200 && result.status < 300;
}

export function isRetryable(result: AttemptResult): boolean {
  if (result.kind === 'error') return !PERMANENT_ERRORS.has(result.code);
  return result.status === 429 || (result.status >= 500 && result.status !== 501) || result.status === 0;
}

/** The wait before retry number `retryIndex` (0 for the first retry). */
export function retryWaitMs(result: AttemptResult, retryIndex: number, policy: RetryPolicy, nowMs: number = Date.now()): number {
  if (result.kind === 'response' && (result.status === 429 || result.status === 503) && result.retryAfter !== undefined) {
    const requested = parseRetryAfter(result.retryAfter, nowMs);
    if (requested !== undefined) return Math.min(requested, policy.waitMaxMs);
  }
  return Math.min(policy.waitMinMs * 2 ** retryIndex, policy.waitMaxMs);
}

/** `Retry-After` as delay-seconds or an HTTP date; undefined when it is neither. */
export function parseRetryAfter(value: string, nowMs: number): number | undefined {
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (!Number.isFinite(date) || !/[a-z]/i.test(text)) return undefined;
  return Math.max(0, date - nowMs);
}
