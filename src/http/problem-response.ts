import type { ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { Problem } from '../problem';
import { answerError, problemHandler, type ProblemBody } from '../problem-handler';
import type { Logger } from '../observability/logger';

/** The receiver's problem+json body: RFC 9457 members, `instance` the path that failed. */
const receiverProblemBody: ProblemBody = (problem, request) => ({
  type: 'about:blank',
  title: problem.title,
  status: problem.status,
  detail: problem.detail,
  instance: (request.url ?? '').split('?')[0],
});

export const notFound: RequestHandler = (request) => {
  throw new Problem(404, 'Not Found', `nothing is served at ${request.method} ${request.path}`);
};

/** For a path served to GET (and HEAD) only: any other method gets 405 with Allow. */
export const onlyGet: RequestHandler = (request) => {
  throw new Problem(405, 'Method Not Allowed', `${request.method} is not served at ${request.path}; use GET`, { allow: 'GET, HEAD' });
};

export const receiverProblemHandler = (logger: Logger) => problemHandler(logger, receiverProblemBody);

/** The receiver's answer to an error raised outside Express (the ingest route). */
export const answerReceiverError = (error: unknown, response: ServerResponse, logger: Logger, requestId: string) =>
  answerError(error, response, logger, receiverProblemBody, requestId);
