/** One batch, delivered with Konnect's retries: gzip once, attempt, wait, attempt again. */
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { RetryPolicy } from '../../config/konnect-config';
import type { EndpointSettings } from '../model';
import { attemptDelivery, type AttemptResult, type GzipContentEncoding } from './attempt';
import { isRetryable, isSuccess, retryWaitMs } from './retry-policy';

const gzip = promisify(zlib.gzip);

export interface SendOptions {
  retry: RetryPolicy;
  timeoutMs: number;
  contentEncoding?: GzipContentEncoding;
  signal?: AbortSignal;
  /** Called after every attempt, before any wait (the webhook status is updated from here). */
  onAttempt?: (result: AttemptResult, attempt: number) => void | Promise<void>;
}

export interface SendOutcome {
  ok: boolean;
  attempts: number;
  last: AttemptResult;
}

/** The body Konnect sends: one event per line, newline-terminated, gzip'd. */
export async function batchBody(lines: readonly string[]): Promise<Buffer> {
  return gzip(Buffer.from(`${lines.join('\n')}\n`, 'utf8'));
}

export async function sendBatch(lines: readonly string[], settings: EndpointSettings, options: SendOptions): Promise<SendOutcome> {
  const body = await batchBody(lines);
  let attempts = 0;
  for (;;) {
    attempts += 1;
    const result = await attemptDelivery({
      endpoint: settings.endpoint,
      authorization: settings.authorization,
      body,
      skipSslVerification: settings.skip_ssl_verification,
      timeoutMs: options.timeoutMs,
      ...(options.contentEncoding ? { contentEncoding: options.contentEncoding } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    await options.onAttempt?.(result, attempts);
    if (isSuccess(result)) return { ok: true, attempts, last: result };
    const retriesDone = attempts - 1;
    if (!isRetryable(result) || retriesDone >= options.retry.maxRetries || options.signal?.aborted) {
      return { ok: false, attempts, last: result };
    }
    try {
      await sleep(retryWaitMs(result, retriesDone, options.retry), undefined, options.signal ? { signal: options.signal } : {});
    } catch {
      return { ok: false, attempts, last: result }; // aborted while waiting
    }
  }
}
