import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import express, { type Express } from 'express';
import parseUrl from 'parseurl';
import { healthRoutes, type ReadinessCheck } from './health-routes';
import { ingestPaths, ingestRoute, type IngestOptions } from './ingest-route';
import { answerReceiverError, notFound, onlyGet, receiverProblemHandler } from './problem-response';
import { badRequest } from '../problem';
import type { Logger } from '../observability/logger';
import { securityHeaders } from './security-headers';
import { connectionDiscipline } from './connection-close';
import type { ReceiverMetrics } from '../observability/metrics';

/** Prometheus text format of every receiver metric. */
export function metricsRoute(metrics: ReceiverMetrics): express.RequestHandler {
  return async (_request, response) => {
    response.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  };
}

export interface ReceiverAppOptions extends IngestOptions {
  /** Serve GET /metrics on this app (false when --metrics-listen puts it elsewhere). */
  serveMetrics: boolean;
}

/**
 * Every answer gets an X-Request-Id (`requestId`) and a count by status. Throws when an
 * HTTP/1.1 request names no Host (the id is set by then, for the answer to carry).
 */
function identifyRequest(request: IncomingMessage, response: ServerResponse, metrics: ReceiverMetrics, requestId: string): void {
  response.setHeader('x-request-id', requestId);
  response.once('finish', () => metrics.requests.inc({ code: String(response.statusCode) }));
  if (request.headers.host === undefined && request.httpVersion === '1.1') throw badRequest('the Host header is missing: HTTP/1.1 requires one');
}

function requestIdentity(metrics: ReceiverMetrics): express.RequestHandler {
  return (request, response, next) => {
    const requestId = randomUUID();
    response.locals.requestId = requestId;
    identifyRequest(request, response, metrics, requestId);
    next();
  };
}

/** The app of --metrics-listen: GET /metrics, under the same contract as the receiver's answers. */
export function createMetricsApp(metrics: ReceiverMetrics, logger: Logger): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.use(connectionDiscipline);
  app.use(securityHeaders());
  app.use(requestIdentity(metrics));
  app.route('/metrics').get(metricsRoute(metrics)).all(onlyGet);
  app.use(notFound);
  app.use(receiverProblemHandler(logger));
  return app;
}

/**
 * The receiver's request listener: the ingest path is served by plain node:http, everything else
 * by the Express app. Express gives each request and response a new prototype
 * (Object.setPrototypeOf), which leaves Node's own HTTP code slower on them: measured here,
 * Express cost 150–160 µs of CPU a POST against 35 µs for node:http, and the receiver 288 µs
 * on a one-event request before this. The ingest route goes through the same steps as
 * the app's (connection discipline, helmet's headers, a request id, problem+json answers),
 * from the same functions.
 */
export function createReceiverListener(options: ReceiverAppOptions): RequestListener {
  const app = createReceiverApp(options);
  const paths = ingestPaths(options.path);
  const ingest = ingestRoute(options);
  const setSecurityHeaders = securityHeaders();
  return (request, response) => {
    if (!paths.has(parseUrl(request)?.pathname ?? '')) {
      app(request, response);
      return;
    }
    connectionDiscipline(request, response, () =>
      setSecurityHeaders(request, response, () => {
        const requestId = randomUUID();
        const answerError = (error: unknown) => answerReceiverError(error, response, options.logger, requestId);
        try {
          identifyRequest(request, response, options.metrics, requestId);
        } catch (error) {
          answerError(error);
          return;
        }
        ingest(request, response, requestId).catch(answerError);
      }),
    );
  };
}

/** The receiver's Express app, for every path but the ingest path. helmet's headers go on every response, errors included. */
function createReceiverApp(options: ReceiverAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  // Health and metrics answers change from one request to the next: an ETag is wasted hashing.
  app.disable('etag');
  app.use(connectionDiscipline);
  app.use(securityHeaders());
  app.use(requestIdentity(options.metrics));
  if (options.serveMetrics) app.route('/metrics').get(metricsRoute(options.metrics)).all(onlyGet);
  const readiness: ReadinessCheck[] = [...options.sinks, options.deadLetter];
  if (options.verifier) readiness.push({ name: 'jwks', unreadyReason: () => options.verifier!.unreadyReason() });
  app.use(healthRoutes(readiness));
  app.use(notFound);
  app.use(receiverProblemHandler(options.logger));
  return app;
}
