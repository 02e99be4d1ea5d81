/**
 * One delivery attempt: a single POST of a gzip'd batch, as Konnect sends it (§2, §10):
 * `Authorization` exactly as configured, `Content-Type: text/plain`, `Content-Encoding: gzip` (or
 * the spelling chosen: Kong's docs state `application/gzip`, and the wire value is unconfirmed).
 * The server certificate is verified unless `skip_ssl_verification` is set. Redirects are not followed.
 */
import http from 'node:http';
import https from 'node:https';

export type AttemptResult =
  | {
      kind: 'response';
      status: number;
      /** The start of the body on one line, or the reason phrase: `last_response_message`. */
      message: string;
      retryAfter: string | undefined;
      statusText: string;
      headers: http.IncomingHttpHeaders;
      /** The body as received, up to 64 KiB. */
      body: Buffer;
    }
  | { kind: 'error'; code: string; message: string };

export interface AttemptRequest {
  endpoint: string;
  /** Sent verbatim. Never logged and never part of a result. */
  authorization: string;
  /** The gzip'd body. */
  body: Buffer;
  /** How `Content-Encoding` names gzip; `gzip` when not given. */
  contentEncoding?: GzipContentEncoding;
  skipSslVerification: boolean;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** The ways a gzip body may be labelled: Konnect's wire value is unconfirmed (konnect-audit-logs.md §2). */
export const GZIP_CONTENT_ENCODINGS = ['gzip', 'application/gzip', 'x-gzip'] as const;
export type GzipContentEncoding = (typeof GZIP_CONTENT_ENCODINGS)[number];

export const USER_AGENT = 'audit-relay-konnect-stand-in';
/** How much of a response body becomes `last_response_message`. */
const MESSAGE_LIMIT = 256;
const READ_LIMIT = 64 * 1024;

export function attemptDelivery(request: AttemptRequest): Promise<AttemptResult> {
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL(request.endpoint);
    } catch {
      resolve({ kind: 'error', code: 'ERR_INVALID_URL', message: 'the endpoint is not a valid URL' });
      return;
    }
    const secure = url.protocol === 'https:';
    if (!secure && url.protocol !== 'http:') {
      resolve({ kind: 'error', code: 'ERR_INVALID_PROTOCOL', message: `unsupported scheme ${url.protocol}` });
      return;
    }
    let settled = false;
    const settle = (result: AttemptResult) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    const options: https.RequestOptions = {
      method: 'POST',
      headers: {
        authorization: request.authorization,
        'content-type': 'text/plain',
        'content-encoding': request.contentEncoding ?? 'gzip',
        'content-length': String(request.body.length),
        'user-agent': USER_AGENT,
      },
      agent: false,
      ...(secure ? { rejectUnauthorized: !request.skipSslVerification } : {}),
      ...(request.signal ? { signal: request.signal } : {}),
    };
    let outgoing: http.ClientRequest;
    try {
      outgoing = (secure ? https : http).request(url, options, (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          if (size < READ_LIMIT) chunks.push(chunk);
          size += chunk.length;
        });
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          const body = Buffer.concat(chunks).subarray(0, READ_LIMIT);
          const text = body.toString('utf8').replace(/\s+/g, ' ').trim();
          const retryAfter = response.headers['retry-after'];
          const statusText = response.statusMessage || http.STATUS_CODES[status] || '';
          settle({
            kind: 'response',
            status,
            message: text === '' ? statusText : truncate(text),
            retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined,
            statusText,
            headers: response.headers,
            body,
          });
        });
        response.on('error', (error: NodeJS.ErrnoException) => settle(errorResult(error)));
      });
    } catch (error) {
      settle(errorResult(error as NodeJS.ErrnoException));
      return;
    }
    // A deadline for the whole attempt, not an idle timeout: a receiver that trickles its answer
    // out byte by byte must not hold the attempt (and the retries behind it) open.
    const deadline = setTimeout(() => {
      const timedOut = Object.assign(new Error(`no complete answer within ${request.timeoutMs} ms`), { code: 'ETIMEDOUT' });
      settle(errorResult(timedOut)); // before destroy: an answer cut off part-way would report only "aborted"
      outgoing.destroy(timedOut);
    }, request.timeoutMs);
    outgoing.on('close', () => clearTimeout(deadline));
    outgoing.on('error', (error: NodeJS.ErrnoException) => settle(errorResult(error)));
    outgoing.end(request.body);
  });
}

function errorResult(error: NodeJS.ErrnoException): AttemptResult {
  const code = error.code ?? (error.name === 'AbortError' ? 'ABORT_ERR' : 'ERROR');
  const message = error.message && !error.message.includes(code) ? `${error.message} (${code})` : error.message || code;
  return { kind: 'error', code, message: truncate(message) };
}

function truncate(text: string): string {
  return text.length > MESSAGE_LIMIT ? `${text.slice(0, MESSAGE_LIMIT - 1)}…` : text;
}
