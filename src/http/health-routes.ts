import { Router } from 'express';
import { onlyGet } from './problem-response';

/** Something that must work for the receiver to take events: a sink, the dead letter, the keys. */
export interface ReadinessCheck {
  readonly name: string;
  /** Undefined when ready; otherwise why not. */
  unreadyReason(): Promise<string | undefined>;
}

/** /healthz: the process answers. /readyz: every check passes. */
export function healthRoutes(checks: readonly ReadinessCheck[]): Router {
  const router = Router();
  router.route('/healthz').get((_request, response) => {
    response.json({ status: 'ok' });
  }).all(onlyGet);
  router.route('/readyz').get(async (_request, response) => {
    const reasons = await Promise.all(checks.map((check) => check.unreadyReason()));
    const report = Object.fromEntries(checks.map((check, index) => [check.name, reasons[index] ?? 'ok']));
    const ready = reasons.every((reason) => reason === undefined);
    response.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks: report });
  }).all(onlyGet);
  return router;
}
