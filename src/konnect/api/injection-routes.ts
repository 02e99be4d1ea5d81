/**
 * The stand-in's own endpoint (not Konnect's): `POST /stand-in/events` adds events to the
 * stream, so that a test or a demo can make exactly the events it wants delivered.
 *
 * - `{"events":[{…}, …]}`: Konnect JSON-shaped events, completed with defaults (see inject.ts).
 * - `{"generate": N, "type"?: "authentication"|"authorization"|"access"|"dev-portal", "portal_id"?: uuid}`:
 *   N synthetic events, of one type or in the usual proportions.
 *
 * Answers 202 `{"accepted": N, "trace_ids": ["…"]}`; the events are signed, stored for replay
 * and queued for the webhooks they belong to.
 */
import express, { Router } from 'express';
import { EVENT_KINDS, type EventKind } from '../events/generator';
import { completeInjectedEvent } from '../events/inject';
import type { KonnectEvent } from '../events/render';
import type { ApiContext } from './context';
import { invalidParameters, methodNotAllowed, type InvalidParameter } from './problems';
import { isUuid, readBody } from './validation';

export const MAX_INJECTED_EVENTS = 10_000;

export function injectionRoutes(context: ApiContext): Router {
  const router = Router();
  router
    .route('/stand-in/events')
    .post(express.text({ type: () => true, limit: '10mb' }), async (request, response) => {
      const body = readBody(request, { lossless: true });
      const events = eventsOf(context, body);
      await context.ingest(events);
      response.status(202).json({ accepted: events.length, trace_ids: events.map((event) => String(event.trace_id)) });
    })
    .all(methodNotAllowed(['POST']));
  return router;
}

function eventsOf(context: ApiContext, body: Record<string, unknown>): KonnectEvent[] {
  const problems: InvalidParameter[] = [];
  const known = new Set(['events', 'generate', 'type', 'portal_id']);
  for (const field of Object.keys(body)) {
    if (!known.has(field)) problems.push({ field, rule: 'unknown_property', reason: 'is not a known property' });
  }
  if (('events' in body) === ('generate' in body)) {
    problems.push({ field: 'events', rule: 'dependent_fields', reason: 'give either events (an array of events) or generate (a count)' });
  }
  if ('events' in body) {
    for (const field of ['type', 'portal_id']) {
      if (field in body) problems.push({ field, rule: 'dependent_fields', reason: 'goes with generate, not with events' });
    }
    const events = body.events;
    if (!Array.isArray(events) || events.length === 0 || events.length > MAX_INJECTED_EVENTS) {
      problems.push({ field: 'events', rule: 'is_array', reason: `must be an array of 1 to ${MAX_INJECTED_EVENTS} event objects` });
      throw invalidParameters(problems);
    }
    if (problems.length > 0) throw invalidParameters(problems);
    const now = Date.now();
    const completed = events.map((event, index) => completeInjectedEvent(event, index, context.store.state.org, now, problems));
    if (problems.length > 0) throw invalidParameters(problems);
    return completed as KonnectEvent[];
  }
  const count = Number(body.generate);
  if (!Number.isInteger(count) || count < 1 || count > MAX_INJECTED_EVENTS) {
    problems.push({ field: 'generate', rule: 'is_integer', reason: `must be a whole number from 1 to ${MAX_INJECTED_EVENTS}` });
  }
  const type = body.type;
  if (type !== undefined && !EVENT_KINDS.includes(type as EventKind)) {
    problems.push({ field: 'type', rule: 'enum', reason: `must be one of ${EVENT_KINDS.join(', ')}`, choices: [...EVENT_KINDS] });
  }
  const portalId = body.portal_id;
  if (portalId !== undefined && (typeof portalId !== 'string' || !isUuid(portalId))) {
    problems.push({ field: 'portal_id', rule: 'is_uuid', reason: 'must be a portal id (UUID)' });
  }
  if (portalId !== undefined && type !== undefined && type !== 'dev-portal') {
    problems.push({ field: 'portal_id', rule: 'dependent_fields', reason: 'only Dev Portal events have a portal_id (type dev-portal)' });
  }
  if (problems.length > 0) throw invalidParameters(problems);
  const kind = (type as EventKind | undefined) ?? (portalId !== undefined ? 'dev-portal' : undefined);
  return context.generator.generate(count, kind, portalId as string | undefined);
}
