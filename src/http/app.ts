import { randomUUID } from 'node:crypto';
import express, { type Express } from 'express';
import { healthRoutes, type ReadinessCheck } from './health-routes';
import { ingestRoute, type IngestOptions } from './ingest-route';
import { notFound, receiverProblemHandler } from './problem-response';
import { badRequest, Problem } from '../problem';
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

/** Every answer gets an X-Request-Id and a count by status; an HTTP/1.1 request must name its Host. */
function requestIdentity(metrics: ReceiverMetrics): express.RequestHandler {
  return (request, response, next) => {
    const requestId = randomUUID();
    response.locals.requestId = requestId;
    response.setHeader('x-request-id', requestId);
    response.once('finish', () => metrics.requests.inc({ code: String(response.statusCode) }));
    if (request.headers.host === undefined && request.httpVersion === '1.1') throw badRequest('the Host header is missing: HTTP/1.1 requires one');
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
  app.route('/metrics').get(metricsRoute(metrics)).all((request) => {
    throw new Problem(405, 'Method Not Allowed', `${request.method} is not served at /metrics; use GET`, { allow: 'GET, HEAD' });
  });
  app.use(notFound);
  app.use(receiverProblemHandler(logger));
  return app;
}

/** The receiver's Express app. helmet's headers go on every response, errors included. */
export function createReceiverApp(options: ReceiverAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  // Answers to POSTs are never cached: hashing each body for an ETag is wasted work.
  app.disable('etag');
  app.use(connectionDiscipline);
  app.use(securityHeaders());
  app.use(requestIdentity(options.metrics));
  // The ingest route first: it is the hot path, and Express matches every layer before it.
  app.use(ingestRoute(options));
  if (options.serveMetrics) app.get('/metrics', metricsRoute(options.metrics));
  const readiness: ReadinessCheck[] = [...options.sinks, options.deadLetter];
  if (options.verifier) readiness.push({ name: 'jwks', unreadyReason: () => options.verifier!.unreadyReason() });
  app.use(healthRoutes(readiness));
  app.use(notFound);
  app.use(receiverProblemHandler(options.logger));
  return app;
}
