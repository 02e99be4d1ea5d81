import type { RequestHandler } from 'express';
import { Problem } from '../problem';
import { problemHandler, type ProblemBody } from '../problem-handler';
import type { Logger } from '../observability/logger';

/** The receiver's problem+json body: RFC 9457 members, `instance` the path that failed. */
const receiverProblemBody: ProblemBody = (problem, request) => ({
  type: 'about:blank',
  title: problem.title,
  status: problem.status,
  detail: problem.detail,
  instance: request.originalUrl.split('?')[0],
});

export const notFound: RequestHandler = (request) => {
  throw new Problem(404, 'Not Found', `nothing is served at ${request.method} ${request.path}`);
};

export const receiverProblemHandler = (logger: Logger) => problemHandler(logger, receiverProblemBody);
