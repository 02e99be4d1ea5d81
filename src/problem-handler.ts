import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorRequestHandler } from 'express';
import type { Logger } from './observability/logger';
import { Problem } from './problem';

/** What a service puts in its problem+json body besides the Problem's own fields. */
export type ProblemBody = (problem: Problem, request: IncomingMessage) => Record<string, unknown>;

/**
 * Writes application/problem+json (RFC 9457) with the Problem's status and headers. Plain
 * node:http, so that a route served outside Express answers exactly as one inside it.
 */
export function writeProblem(response: ServerResponse, problem: Problem, body: ProblemBody): void {
  for (const [name, value] of Object.entries(problem.headers)) response.setHeader(name, value);
  writeJson(response, problem.status, { ...body(problem, response.req), ...problem.extensions }, 'application/problem+json');
}

/** Answers with `value` as JSON, its length given; a HEAD gets the headers alone. */
export function writeJson(response: ServerResponse, status: number, value: unknown, mediaType = 'application/json'): void {
  const text = JSON.stringify(value);
  response.statusCode = status;
  response.setHeader('content-type', `${mediaType}; charset=utf-8`);
  response.setHeader('content-length', Buffer.byteLength(text));
  response.end(response.req.method === 'HEAD' ? undefined : text);
}

/**
 * Answers an error: a Problem as it is; a 4xx raised by Express or a body parser (the client's
 * fault) as a problem; anything else is ours, a logged 500 that shows no internals.
 */
export function answerError(
  error: unknown,
  response: ServerResponse,
  logger: Logger,
  body: ProblemBody,
  requestId: string | undefined,
): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  if (error instanceof Problem) {
    writeProblem(response, error, body);
    return;
  }
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    writeProblem(response, new Problem(status, STATUS_TITLES[status] ?? 'Bad Request', clientErrorDetail(error as Error)), body);
    return;
  }
  const { method, url = '' } = response.req;
  logger.error('unhandled error', { request_id: requestId, method, path: url.split('?')[0], error: String(error) });
  writeProblem(response, new Problem(500, 'Internal Server Error', 'the service failed unexpectedly; see its log'), body);
}

/** The error middleware of both services' Express apps. */
export function problemHandler(logger: Logger, body: ProblemBody): ErrorRequestHandler {
  return (error: unknown, _request, response, _next) => answerError(error, response, logger, body, response.locals.requestId as string | undefined);
}

/** A body parser's own message, with the limit it does not name ("request entity too large"). */
function clientErrorDetail(error: Error & { type?: string; limit?: number }): string {
  if (error.type === 'entity.too.large' && typeof error.limit === 'number') {
    return `the request body is larger than ${error.limit} bytes, the most this endpoint takes`;
  }
  return error.message;
}

const STATUS_TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
};
