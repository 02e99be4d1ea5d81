import { randomUUID } from 'node:crypto';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { healthRoutes, type ReadinessCheck } from './health-routes';
import { ingestRoute, type IngestOptions } from './ingest-route';
import { notFound, receiverProblemHandler } from './problem-response';

/** The receiver's Express app. helmet's headers go on every response, errors included. */
export function createReceiverApp(options: IngestOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(helmet());
  app.use((_request, response, next) => {
    const requestId = randomUUID();
    response.locals.requestId = requestId;
    response.setHeader('x-request-id', requestId);
    next();
  });
  const readiness: ReadinessCheck[] = [...options.sinks, options.deadLetter];
  if (options.verifier) readiness.push({ name: 'jwks', unreadyReason: () => options.verifier!.unreadyReason() });
  app.use(healthRoutes(readiness));
  app.use(ingestRoute(options));
  app.use(notFound);
  app.use(receiverProblemHandler(options.logger));
  return app;
}
