/** Replay jobs (§5): `PUT`/`GET /v2|v3/audit-log-replay-job` and the Dev Portal variants. */
import { Router } from 'express';
import { replayView } from '../model';
import { lastMillisecondOf } from '../replay';
import type { ApiContext } from './context';
import { methodNotAllowed, type InvalidParameter } from './problems';
import { readBody, validateBody } from './validation';
import { targetOf } from './webhook-routes';

/** Clocks differ a little; an `end_at` this far ahead of the stand-in's clock is still "now". */
const CLOCK_SKEW_MS = 60_000;

export function replayRoutes(context: ApiContext): Router {
  const router = Router();
  router
    .route([
      '/v2/audit-log-replay-job',
      '/v3/audit-log-replay-job',
      '/v2/portals/:portalId/audit-log-replay-job',
      '/v3/portals/:portalId/audit-log-replay-job',
    ])
    .get((request, response) => {
      response.json(replayView(context.replay.get(targetOf(request))));
    })
    .put(async (request, response) => {
      const target = targetOf(request);
      const body = readBody(request);
      validateBody(body, ['start_at', 'end_at'], ['start_at', 'end_at'], context);
      const start = Date.parse(body.start_at as string);
      const end = lastMillisecondOf(body.end_at as string); // a whole-second end_at names that whole second
      const now = Date.now();
      const oldest = now - context.retentionMs;
      const problems: InvalidParameter[] = [];
      const days = Math.round(context.retentionMs / 86_400_000);
      if (start < oldest) problems.push({ field: 'start_at', rule: 'invalid', reason: `must be within the last ${days} days` });
      if (start > now + CLOCK_SKEW_MS) problems.push({ field: 'start_at', rule: 'invalid', reason: 'must not be in the future' });
      if (end < oldest) problems.push({ field: 'end_at', rule: 'invalid', reason: `must be within the last ${days} days` });
      if (end > now + CLOCK_SKEW_MS) problems.push({ field: 'end_at', rule: 'invalid', reason: 'must not be in the future' });
      if (end < start) problems.push({ field: 'end_at', rule: 'invalid', reason: 'must not be before start_at' });
      if (problems.length > 0) validateBody(body, ['start_at', 'end_at'], [], context, problems);
      const job = await context.replay.submit(target, body.start_at as string, body.end_at as string);
      context.logger.info('replay job accepted', { webhook: target, start_at: job.start_at, end_at: job.end_at });
      response.status(202).json(replayView(job));
    })
    .all(methodNotAllowed(['GET', 'PUT']));
  return router;
}
