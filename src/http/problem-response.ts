import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { Problem } from '../problem';
import type { Logger } from '../observability/logger';

/** The one place that writes application/problem+json (RFC 9457). */
export function sendProblem(response: Response, problem: Problem): void {
  response.status(problem.status);
  for (const [name, value] of Object.entries(problem.headers)) response.setHeader(name, value);
  response.type('application/problem+json');
  response.send(
    JSON.stringify({
      type: 'about:blank',
      title: problem.title,
      status: problem.status,
      detail: problem.detail,
      instance: response.req.originalUrl.split('?')[0],
      ...problem.extensions,
    }),
  );
}

export const notFound: RequestHandler = (request) => {
  throw new Problem(404, 'Not Found', `nothing is served at ${request.method} ${request.path}`);
};

/** Errors that are not Problems are our fault: 500 with no internals, and a log line. */
export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, request, response, _next) => {
    if (response.headersSent) {
      response.destroy();
      return;
    }
    if (error instanceof Problem) {
      sendProblem(response, error);
      return;
    }
    const status = (error as { status?: number; type?: string }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      // Errors raised by Express itself for the client's mistakes (e.g. a malformed URL).
      sendProblem(response, new Problem(status, 'Bad Request', (error as Error).message));
      return;
    }
    logger.error('unhandled error', { request_id: response.locals.requestId, path: request.path, error: String(error) });
    sendProblem(response, new Problem(500, 'Internal Server Error', 'the receiver failed unexpectedly; see its log'));
  };
}
