/**
 * The stand-in's HTTP API: Konnect's audit-log configuration endpoints (§1), the JWKS (§4) and
 * the stand-in's own injection endpoint. Every call needs `Authorization: Bearer <api token>`,
 * except `GET /v2/audit-log-webhook/jwks.json` (Konnect's docs fetch it without a token, and
 * receivers need it) and `GET /healthz`.
 */
import express, { type Express } from 'express';
import { requireBearer } from './auth';
import type { ApiContext } from './context';
import { destinationRoutes } from './destination-routes';
import { injectionRoutes } from './injection-routes';
import { konnectProblemHandler, methodNotAllowed, unknownRoute } from './problems';
import { replayRoutes } from './replay-routes';
import { signingKeyRoutes } from './signing-key-routes';
import { webhookRoutes } from './webhook-routes';

export function createKonnectApi(context: ApiContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple'); // `page[size]` stays a literal key, as Konnect spells it
  app.set('etag', false);

  app.use((request, response, next) => {
    const started = process.hrtime.bigint();
    response.on('finish', () => {
      // Method, path and status only: never headers or bodies (they may carry authorization values).
      context.logger.debug('api request', {
        method: request.method,
        path: request.path,
        status: response.statusCode,
        ms: Number((process.hrtime.bigint() - started) / 1_000_000n),
      });
    });
    next();
  });

  app
    .route('/v2/audit-log-webhook/jwks.json')
    .get((_request, response) => {
      response.setHeader('cache-control', 'public, max-age=300');
      response.json(context.jwks());
    })
    .all(methodNotAllowed(['GET']));
  app.get('/healthz', (_request, response) => {
    response.json({ status: 'ok' });
  });

  app.use(requireBearer(context.apiToken));
  app.use(injectionRoutes(context));
  // Bodies are read as text and parsed here, whatever the Content-Type, so that errors are ours.
  app.use(express.text({ type: () => true, limit: '1mb' }));
  app.use(destinationRoutes(context));
  app.use(signingKeyRoutes(context));
  app.use(webhookRoutes(context));
  app.use(replayRoutes(context));
  app.use(unknownRoute);
  app.use(konnectProblemHandler(context.logger));
  return app;
}
