/**
 * The org webhook, v2 (§1.4: endpoint settings inline) and v3 (§1.5: bound to a destination),
 * the Dev Portal webhooks (§1.7) and every webhook's delivery status (§1.6).
 */
import { Router, type Request } from 'express';
import {
  ensureWebhookRecord,
  portalTarget,
  statusView,
  timestamp,
  v2WebhookView,
  v3WebhookView,
  webhookRecord,
  type StandInState,
  type TargetKey,
  type WebhookRecord,
} from '../model';
import type { ApiContext } from './context';
import { warnIfBareToken } from './context';
import { applySettings, find, upsertDefaultDestination } from './destination-routes';
import { conflict, invalidParameters, methodNotAllowed, notFound } from './problems';
import { isUuid, readBody, validateBody } from './validation';

const VERSIONS = ['v2', 'v3'] as const;
const portalPaths = (suffix: string) => VERSIONS.map((version) => `/${version}/portals/:portalId/${suffix}`);

export function webhookRoutes(context: ApiContext): Router {
  const router = Router();
  const { store } = context;

  router
    .route('/v2/audit-log-webhook')
    .get((_request, response) => {
      response.json(v2WebhookView(store.state));
    })
    .patch(async (request, response) => {
      const body = validateBody(readBody(request), ['endpoint', 'authorization', 'enabled', 'log_format', 'skip_ssl_verification'], [], context);
      patchV2Webhook(context, body);
      warnIfBareToken(context, response, body, 'PATCH /v2/audit-log-webhook');
      await store.save();
      response.json(v2WebhookView(store.state));
    })
    .all(methodNotAllowed(['GET', 'PATCH']));

  router
    .route(['/v3/audit-log-webhook', ...portalPaths('audit-log-webhook')])
    .get((request, response) => {
      const record = webhookRecord(store.state, targetOf(request));
      if (!record || !record.config.configured) throw notFound(`The audit log webhook${where(request)} is not configured`);
      response.json(v3WebhookView(record.config));
    })
    .patch(async (request, response) => {
      const target = targetOf(request);
      const body = validateBody(readBody(request), ['audit_log_destination_id', 'enabled'], [], context);
      const record = ensureWebhookRecord(store.state, target);
      patchBinding(store.state, record, body, where(request));
      await store.save();
      context.logger.info('webhook updated', { webhook: target, ...v3WebhookView(record.config) });
      response.json(v3WebhookView(record.config));
    })
    .delete(async (request, response) => {
      const target = targetOf(request);
      const record = webhookRecord(store.state, target);
      if (!record || !record.config.configured) throw notFound(`The audit log webhook${where(request)} is not configured`);
      if (target !== 'org' && ['accepted', 'pending', 'running'].includes(record.replay.status)) {
        throw conflict(`A replay job is ${record.replay.status} for this portal; delete the webhook once it has completed or failed`);
      }
      record.config = { ...record.config, audit_log_destination_id: '', enabled: false, updated_at: timestamp() };
      await store.save();
      context.logger.info('webhook cleared', { webhook: target });
      response.status(204).end();
    })
    .all(methodNotAllowed(['GET', 'PATCH', 'DELETE']));

  router
    .route(['/v2/audit-log-webhook/status', '/v3/audit-log-webhook/status', ...portalPaths('audit-log-webhook/status')])
    .get((request, response) => {
      response.json(statusView(webhookRecord(store.state, targetOf(request))));
    })
    .all(methodNotAllowed(['GET']));

  return router;
}

/** `org`, or the portal named in the path (a UUID; anything else is not a portal: 404). */
export function targetOf(request: Request): TargetKey {
  const portalId = request.params.portalId as string | undefined;
  if (portalId === undefined) return 'org';
  if (!isUuid(portalId)) throw notFound(`Portal ${portalId} not found (portal ids are UUIDs)`);
  return portalTarget(portalId);
}

function where(request: Request): string {
  return request.params.portalId === undefined ? '' : ` of portal ${request.params.portalId}`;
}

/** v3 and portal PATCH: bind a destination and/or switch delivery on or off. */
function patchBinding(state: StandInState, record: WebhookRecord, body: Record<string, unknown>, place: string): void {
  const id = body.audit_log_destination_id as string | undefined;
  if (id !== undefined) find(state, id); // 404 when there is no such destination
  const boundId = id?.toLowerCase() ?? record.config.audit_log_destination_id;
  const enabled = (body.enabled as boolean | undefined) ?? record.config.enabled;
  if (enabled && boundId === '') {
    throw invalidParameters([
      { field: 'audit_log_destination_id', rule: 'required', reason: `is required to enable the webhook${place}: no destination is bound` },
    ]);
  }
  record.config = {
    configured: record.config.configured || boundId !== '',
    enabled,
    audit_log_destination_id: boundId,
    updated_at: timestamp(),
  };
}

/**
 * v2 PATCH: endpoint settings go to the bound destination, or to the default destination
 * (created and bound when there is none); `enabled` switches delivery on or off.
 */
function patchV2Webhook(context: ApiContext, body: Record<string, unknown>): void {
  const { state } = context.store;
  const record = state.org_webhook;
  const before = { ...record.config };
  const settings = Object.fromEntries(
    Object.entries(body).filter(([field]) => ['endpoint', 'authorization', 'log_format', 'skip_ssl_verification'].includes(field)),
  );
  let boundId = record.config.audit_log_destination_id;
  if (Object.keys(settings).length > 0) {
    const bound = state.destinations.find((destination) => destination.id === boundId);
    if (bound) applySettings(bound, settings);
    else boundId = upsertDefaultDestination(context, settings).id;
  }
  // `enabled` defaults to false (§1.4) for a webhook that was not configured before.
  const enabled = (body.enabled as boolean | undefined) ?? (before.configured ? before.enabled : false);
  if (enabled && boundId === '') {
    throw invalidParameters([{ field: 'endpoint', rule: 'required', reason: 'is required to enable the webhook' }]);
  }
  record.config = { configured: before.configured || boundId !== '', enabled, audit_log_destination_id: boundId, updated_at: timestamp() };
  context.logger.info('org webhook updated (v2)', { enabled, audit_log_destination_id: boundId, fields: Object.keys(body).sort() });
}

