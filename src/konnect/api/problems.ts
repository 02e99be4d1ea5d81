/**
 * The stand-in API's errors, shaped like Konnect's (§1.8): `application/problem+json` with
 * `status`, `title`, `instance` (`kong:trace:<id>`) and `detail`, plus `invalid_parameters`
 * on a 400. This is the one place in `konnect/` that writes them.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../../observability/logger';
import { Problem } from '../../problem';
import { problemHandler, type ProblemBody } from '../../problem-handler';
import { traceId } from '../events/generator';
import type { InvalidParameter } from '../events/inject';

export type { InvalidParameter };

/** 400 with the offending fields. The detail names them so a person can act on it. */
export function invalidParameters(items: readonly InvalidParameter[], detail?: string): Problem {
  const summary = detail ?? items.map((item) => `${item.field} ${item.reason}`).join('; ');
  return new Problem(400, 'Bad Request', summary, {}, { invalid_parameters: items });
}

export const notFound = (detail: string) => new Problem(404, 'Not Found', detail);
/** Konnect titles its 409s "Resource Conflict" (§1.8, §5). */
export const conflict = (detail: string) => new Problem(409, 'Resource Conflict', detail);

/** Konnect's body (§1.8): `instance` is a `kong:trace:<id>`, `type` an httpstatuses.com link. */
const konnectProblemBody: ProblemBody = (problem) => ({
  status: problem.status,
  title: problem.title,
  type: `https://httpstatuses.com/${problem.status}`,
  instance: `kong:trace:${traceId()}`,
  detail: problem.detail,
});


export const unknownRoute: RequestHandler = (request) => {
  throw notFound(`Not Found: nothing is served at ${request.method} ${request.path}`);
};

/** For `router.route(path).all(...)` after the methods it supports. */
export function methodNotAllowed(allowed: readonly string[]): RequestHandler {
  return (request) => {
    throw new Problem(405, 'Method Not Allowed', `${request.method} is not supported here; use ${allowed.join(' or ')}`, {
      allow: allowed.join(', '),
    });
  };
}

/**
 * Express's and the body parser's own 400s (a body that is not the gzip its Content-Encoding
 * says, a path with a broken %-escape) as Konnect's 400s, which always list invalid_parameters.
 */
const clientErrorsAsInvalidParameters: ErrorRequestHandler = (error: unknown, _request, _response, next) => {
  if (error instanceof Problem || (error as { status?: unknown }).status !== 400) {
    next(error);
    return;
  }
  const message = (error as Error).message;
  if (error instanceof URIError) {
    next(invalidParameters([{ field: 'path', rule: 'invalid', reason: `holds a malformed %-escape (${message})` }]));
  } else if (typeof (error as { code?: unknown }).code === 'string' && (error as { code: string }).code.startsWith('Z_')) {
    next(invalidParameters([{ field: 'body', reason: 'is not compressed as its Content-Encoding header says' }]));
  } else {
    next(invalidParameters([{ field: 'body', reason: message }]));
  }
};

export const konnectProblemHandler = (logger: Logger): ErrorRequestHandler[] => [clientErrorsAsInvalidParameters, problemHandler(logger, konnectProblemBody)];
