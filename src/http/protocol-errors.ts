import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type { ReceiverMetrics } from '../observability/metrics';
import { helmetHeaders } from './security-headers';
import { answersDue, closeAfterCurrentAnswer } from './connection-close';
import type { Socket } from 'node:net';

/** Node's parser error codes, as a person would say what was wrong with the request. */
const PARSE_FAILURES: Record<string, { status: number; detail: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, detail: 'the request headers are larger than 16 kB' },
  HPE_INVALID_CHUNK_SIZE: { status: 400, detail: 'the chunked body has a chunk size that is not hexadecimal' },
  HPE_INVALID_CONTENT_LENGTH: { status: 400, detail: 'Content-Length is not a valid length' },
  HPE_UNEXPECTED_CONTENT_LENGTH: { status: 400, detail: 'Content-Length was sent more than once; send it once' },
  HPE_INVALID_TRANSFER_ENCODING: {
    status: 400,
    detail: 'Transfer-Encoding is not valid here (sent with a Content-Length, or not ending in chunked): send either Transfer-Encoding: chunked with no Content-Length, or a Content-Length alone',
  },
  HPE_INVALID_HEADER_TOKEN: { status: 400, detail: 'a header name or value holds a character HTTP does not allow' },
  HPE_INVALID_METHOD: { status: 400, detail: 'the request method is not valid HTTP' },
  HPE_PAUSED_H2_UPGRADE: { status: 400, detail: 'HTTP/2 is not served here: send HTTP/1.1 (curl --http1.1)' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, detail: 'the request was not received completely within the time allowed (--header-timeout, --request-timeout)' },
};

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 417: 'Expectation Failed', 431: 'Request Header Fields Too Large' };

/**
 * Requests Node refuses before Express sees them (malformed framing, timeouts, an unknown
 * Expect) get the same kind of answer as every other error: problem+json naming what was
 * wrong, helmet's headers, an X-Request-Id, and a count in the requests metric.
 */
export function answerProtocolErrors(server: http.Server, metrics: ReceiverMetrics): void {
  const { headers } = helmetHeaders();
  /** `instance` only when the request got as far as naming its path. */
  const answer = (status: number, detail: string, instance?: string) => {
    const requestId = randomUUID();
    const body = JSON.stringify({ type: 'about:blank', title: STATUS_TEXT[status], status, detail, ...(instance ? { instance } : {}) });
    metrics.requests.inc({ code: String(status) });
    return { requestId, body };
  };

  // https.Server passes a failed TLS handshake on as a clientError. No HTTP can be spoken on that
  // connection (an HTTP answer written to it would never leave, and the socket would stay open).
  const handshakeFailures = new WeakSet<Error>();
  server.prependListener('tlsClientError', (error: Error) => handshakeFailures.add(error));

  /** The whole answer as HTTP/1.1 text, for a socket no ServerResponse writes to. */
  const rawAnswer = (status: number, detail: string): string => {
    const { requestId, body } = answer(status, detail);
    const lines = [
      `HTTP/1.1 ${status} ${STATUS_TEXT[status]}`,
      'content-type: application/problem+json; charset=utf-8',
      `content-length: ${Buffer.byteLength(body)}`,
      'connection: close',
      `x-request-id: ${requestId}`,
    ];
    for (const [name, value] of headers) for (const item of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${item}`);
    return `${lines.join('\r\n')}\r\n\r\n${body}`;
  };

  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // Plain HTTP sent to the HTTPS port: answered in plain HTTP, on the TCP socket under the TLS one.
    const plain = (socket as Duplex & { _parent?: Duplex })._parent;
    if (handshakeFailures.has(error) && error.code === 'ERR_SSL_HTTP_REQUEST' && plain?.writable) {
      plain.end(rawAnswer(400, 'this port speaks HTTPS: send the request to https://, not http://'), () => socket.destroy());
      return;
    }
    // Answers still due to requests pipelined ahead of the broken one go first, and alone: the
    // connection closes after the last of them. An answer written now would arrive in the place
    // of theirs, and a sender would take it for the first one's. (A request whose own body was
    // cut short has no complete request ahead of it: this answer is its own.)
    const ahead = answersDue(socket as Socket).filter((answer) => !answer.writableFinished && answer.req.complete);
    if (ahead.length > 0) {
      closeAfterCurrentAnswer(socket as Socket);
      const last = ahead[ahead.length - 1]!;
      if (!last.headersSent) last.setHeader('connection', 'close');
      let left = ahead.length;
      for (const answer of ahead) answer.once('close', () => --left === 0 && socket.destroy());
      return;
    }
    const due = (socket as Duplex & { _httpMessage?: http.ServerResponse | null })._httpMessage;
    // Nothing can be answered on a connection the client reset or that already said it closes,
    // nor once an answer was started.
    if (
      handshakeFailures.has(error) ||
      error.code === 'ECONNRESET' ||
      error.code === 'HPE_CLOSED_CONNECTION' ||
      !socket.writable ||
      due?.headersSent
    ) {
      socket.destroy();
      return;
    }
    const failure = PARSE_FAILURES[error.code ?? ''] ?? { status: 400, detail: `the request is not valid HTTP/1.1 (${error.code ?? error.message})` };
    socket.end(rawAnswer(failure.status, failure.detail));
  });

  server.on('checkExpectation', (request: http.IncomingMessage, response: http.ServerResponse) => {
    closeAfterCurrentAnswer(request.socket); // it closes the connection: nothing behind it is processed
    const { requestId, body } = answer(417, `Expect: ${request.headers.expect} is not supported; send Expect: 100-continue, or no Expect header`, request.url?.split('?')[0]);
    response.setHeaders(headers);
    response.writeHead(417, {
      'content-type': 'application/problem+json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'x-request-id': requestId,
      connection: 'close',
    });
    response.end(body);
  });
}
