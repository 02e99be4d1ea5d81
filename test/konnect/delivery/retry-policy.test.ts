import type { AttemptResult } from '../../../src/konnect/delivery/attempt';
import { isRetryable, isSuccess, parseRetryAfter, retryWaitMs } from '../../../src/konnect/delivery/retry-policy';

const response = (status: number, retryAfter?: string): AttemptResult => ({
  kind: 'response',
  status,
  message: '',
  retryAfter,
  statusText: '',
  headers: {},
  body: Buffer.alloc(0),
});
const error = (code: string): AttemptResult => ({ kind: 'error', code, message: code });
const KONNECT = { maxRetries: 4, waitMinMs: 1000, waitMaxMs: 30_000 };

describe('retry policy (go-retryablehttp defaults, §2)', () => {
  it('counts any 2xx as delivered', () => {
    for (const status of [200, 201, 202, 204, 299]) expect(isSuccess(response(status))).toBe(true);
    for (const status of [199, 301, 400, 500]) expect(isSuccess(response(status))).toBe(false);
    expect(isSuccess(error('ECONNREFUSED'))).toBe(false);
  });

  it('retries 429 and 5xx except 501', () => {
    for (const status of [429, 500, 502, 503, 504, 599]) expect(isRetryable(response(status))).toBe(true);
    for (const status of [501, 400, 401, 403, 404, 409, 413, 301]) expect(isRetryable(response(status))).toBe(false);
  });

  it('retries connection errors, but not certificate problems or impossible requests', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE', 'EAI_AGAIN']) expect(isRetryable(error(code))).toBe(true);
    for (const code of ['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID', 'ERR_INVALID_URL', 'ABORT_ERR']) {
      expect(isRetryable(error(code))).toBe(false);
    }
  });

  it('waits 1, 2, 4, 8 s, doubling up to 30 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((index) => retryWaitMs(response(500), index, KONNECT))).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
  });

  it('honors Retry-After on 429 and 503, in seconds or as an HTTP date, within the maximum wait', () => {
    const now = Date.parse('2025-06-18T21:02:36Z');
    expect(retryWaitMs(response(429, '3'), 0, KONNECT, now)).toBe(3000);
    expect(retryWaitMs(response(503, '0'), 2, KONNECT, now)).toBe(0);
    expect(retryWaitMs(response(429, 'Wed, 18 Jun 2025 21:02:46 GMT'), 0, KONNECT, now)).toBe(10_000);
    expect(retryWaitMs(response(429, '120'), 0, KONNECT, now)).toBe(30_000);
    // Not on other statuses, and not when malformed.
    expect(retryWaitMs(response(500, '7'), 0, KONNECT, now)).toBe(1000);
    expect(retryWaitMs(response(429, 'soon'), 1, KONNECT, now)).toBe(2000);
  });

  it('parses Retry-After strictly', () => {
    expect(parseRetryAfter('5', 0)).toBe(5000);
    expect(parseRetryAfter(' 12 ', 0)).toBe(12_000);
    expect(parseRetryAfter('-1', 0)).toBeUndefined();
    expect(parseRetryAfter('1.5', 0)).toBeUndefined();
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:01 GMT', 3000)).toBe(0);
  });
});
