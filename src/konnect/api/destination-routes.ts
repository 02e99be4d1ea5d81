/**
 * Audit log destinations (§1.3): `POST`/`GET /v3/audit-log-destinations`, `GET`/`PATCH`/`DELETE`
 * `/v2|v3/audit-log-destinations/{id}`, and the seed's calls: `PATCH`/`GET /v2/audit-log-destinations`
 * on the collection path, answering one object (the "default" destination).
 */
import { randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import {
  destinationView,
  seedDestinationView,
  timestamp,
  type Destination,
  type LogFormat,
  type StandInState,
} from '../model';
import type { ApiContext } from './context';
import { warnIfBareToken } from './context';
import { conflict, invalidParameters, methodNotAllowed, notFound, type InvalidParameter } from './problems';
import { readBody, validateBody, type Body, type FieldName } from './validation';

const SETTINGS: readonly FieldName[] = ['name', 'endpoint', 'authorization', 'log_format', 'skip_ssl_verification'];
const DEFAULT_PAGE_SIZE = 10;
const MAX_PAGE_SIZE = 100;

export function destinationRoutes(context: ApiContext): Router {
  const router = Router();
  const { store } = context;

  // The seed's calls (v2 collection path, one object).
  router
    .route('/v2/audit-log-destinations')
    .get((_request, response) => {
      const destination = defaultDestination(store.state);
      if (!destination) throw notFound('No destination has been set with PATCH /v2/audit-log-destinations yet');
      response.json(seedDestinationView(destination));
    })
    .patch(async (request, response) => {
      const body = validateBody(readBody(request), SETTINGS, [], context);
      assertUniqueName(store.state, body.name, store.state.default_destination_id);
      warnIfBareToken(context, response, body, 'PATCH /v2/audit-log-destinations');
      const destination = upsertDefaultDestination(context, body);
      await store.save();
      response.json(seedDestinationView(destination));
    })
    .post((request, response) => create(context, request, response.status(201)))
    .all(methodNotAllowed(['GET', 'PATCH', 'POST']));

  router
    .route('/v3/audit-log-destinations')
    .get((request, response) => {
      response.json(listDestinations(store.state, request));
    })
    .post((request, response) => create(context, request, response.status(201)))
    .all(methodNotAllowed(['GET', 'POST']));

  router
    .route(['/v2/audit-log-destinations/:id', '/v3/audit-log-destinations/:id'])
    .get((request, response) => {
      response.json(destinationView(find(store.state, String(request.params.id))));
    })
    .patch(async (request, response) => {
      const destination = find(store.state, String(request.params.id));
      const body = validateBody(readBody(request), SETTINGS, [], context);
      assertUniqueName(store.state, body.name, destination.id);
      warnIfBareToken(context, response, body, `PATCH ${request.path.slice(0, 3)}/audit-log-destinations/{id}`);
      applySettings(destination, body);
      await store.save();
      context.logger.info('destination updated', { id: destination.id, fields: Object.keys(body).sort() });
      response.json(destinationView(destination));
    })
    .delete(async (request, response) => {
      const destination = find(store.state, String(request.params.id));
      const users = bindingsOf(store.state, destination.id);
      if (users.length > 0) {
        throw conflict(`Destination is in use by the ${users.join(' and the ')}; unbind it first (DELETE the webhook or PATCH another audit_log_destination_id)`);
      }
      store.state.destinations = store.state.destinations.filter((candidate) => candidate.id !== destination.id);
      if (store.state.default_destination_id === destination.id) store.state.default_destination_id = '';
      await store.save();
      context.logger.info('destination deleted', { id: destination.id });
      response.status(204).end();
    })
    .all(methodNotAllowed(['GET', 'PATCH', 'DELETE']));

  return router;
}

async function create(context: ApiContext, request: Request, response: Response): Promise<void> {
  const { state } = context.store;
  const body = validateBody(readBody(request), SETTINGS, ['name', 'endpoint', 'authorization', 'log_format'], context);
  assertUniqueName(state, body.name, undefined);
  warnIfBareToken(context, response, body, `POST ${request.path}`);
  const destination = newDestination(body, body.name as string);
  state.destinations.push(destination);
  await context.store.save();
  context.logger.info('destination created', { id: destination.id, name: destination.name, log_format: destination.log_format });
  response.json(destinationView(destination));
}

function newDestination(body: Body, name: string): Destination {
  const now = timestamp();
  return {
    id: randomUUID(),
    name,
    endpoint: body.endpoint as string,
    authorization: body.authorization as string,
    log_format: (body.log_format as LogFormat | undefined) ?? 'cef',
    skip_ssl_verification: (body.skip_ssl_verification as boolean | undefined) ?? false,
    created_at: now,
    updated_at: now,
  };
}

export function applySettings(destination: Destination, body: Body): void {
  let changed = false;
  for (const field of SETTINGS) {
    if (field in body && (destination as unknown as Record<string, unknown>)[field] !== body[field]) {
      (destination as unknown as Record<string, unknown>)[field] = body[field];
      changed = true;
    }
  }
  if (changed) destination.updated_at = timestamp();
}

export function defaultDestination(state: StandInState): Destination | undefined {
  return state.destinations.find((destination) => destination.id === state.default_destination_id);
}

/**
 * The seed's `PATCH /v2/audit-log-destinations` (and the v2 webhook's inline settings): updates
 * the default destination, or creates it (endpoint and authorization required). On creation,
 * an org webhook that was never configured is bound to it and enabled, as the seed's page
 * describes the answer as "the webhook's configuration details".
 */
export function upsertDefaultDestination(context: ApiContext, body: Body): Destination {
  const { state } = context.store;
  const existing = defaultDestination(state);
  if (existing) {
    applySettings(existing, body);
    context.logger.info('default destination updated', { id: existing.id, fields: Object.keys(body).sort() });
    return existing;
  }
  const missing = (['endpoint', 'authorization'] as const).filter((field) => !(field in body));
  if (missing.length > 0) {
    throw invalidParameters(missing.map((field) => ({ field, rule: 'required', reason: 'is required: no destination has been set yet' })));
  }
  const destination = newDestination(body, (body.name as string | undefined) ?? freeName(state, 'default'));
  state.destinations.push(destination);
  state.default_destination_id = destination.id;
  const webhook = state.org_webhook.config;
  if (!webhook.configured) {
    state.org_webhook.config = { configured: true, enabled: true, audit_log_destination_id: destination.id, updated_at: timestamp() };
    context.logger.info('org webhook bound to the new default destination and enabled', { id: destination.id });
  }
  context.logger.info('default destination created', { id: destination.id, log_format: destination.log_format });
  return destination;
}

function freeName(state: StandInState, base: string): string {
  const taken = new Set(state.destinations.map((destination) => destination.name));
  if (!taken.has(base)) return base;
  for (let index = 2; ; index += 1) if (!taken.has(`${base}-${index}`)) return `${base}-${index}`;
}

function assertUniqueName(state: StandInState, name: unknown, selfId: string | undefined): void {
  if (typeof name !== 'string') return;
  if (state.destinations.some((destination) => destination.name === name && destination.id !== selfId)) {
    throw conflict(`A destination named "${name}" already exists; names are unique`);
  }
}

export function find(state: StandInState, id: string): Destination {
  const destination = state.destinations.find((candidate) => candidate.id === id.toLowerCase());
  if (!destination) throw notFound(`Audit log destination ${id} not found`);
  return destination;
}

function bindingsOf(state: StandInState, id: string): string[] {
  const users: string[] = [];
  if (state.org_webhook.config.audit_log_destination_id === id) users.push('org audit-log webhook');
  for (const [portalId, record] of Object.entries(state.portal_webhooks)) {
    if (record.config.audit_log_destination_id === id) users.push(`audit-log webhook of portal ${portalId}`);
  }
  return users;
}

/**
 * `{"data":[…],"meta":{"next","previous","size"}}` (§1.3), oldest first. `page[after]` and
 * `page[before]` take the opaque cursors found in `next` and `previous`; `filter[name]` (or
 * `filter[name][eq]`) matches exactly and `filter[name][contains]` a substring.
 */
const LIST_PARAMETERS: ReadonlySet<string> = new Set(['page[size]', 'page[after]', 'page[before]', 'filter[name]', 'filter[name][eq]', 'filter[name][contains]']);

function listDestinations(state: StandInState, request: Request): Record<string, unknown> {
  const query = request.query as Record<string, unknown>;
  const text = (key: string) => (typeof query[key] === 'string' ? (query[key] as string) : undefined);
  const problems: InvalidParameter[] = [];
  // A parameter not taken here (`filter[name][neq]`, a typo) or given twice would otherwise be
  // ignored silently, and the list would look like an answer to it.
  for (const [key, value] of Object.entries(query)) {
    if (!LIST_PARAMETERS.has(key)) {
      problems.push({ field: key, rule: 'unknown_property', reason: `is not a parameter of this list; it takes ${[...LIST_PARAMETERS].join(', ')}` });
    } else if (typeof value !== 'string') {
      problems.push({ field: key, rule: 'invalid', reason: 'is given more than once' });
    }
  }
  let size = DEFAULT_PAGE_SIZE;
  const sizeText = text('page[size]');
  if (sizeText !== undefined) {
    size = Number(sizeText);
    if (!/^\d+$/.test(sizeText) || size < 1 || size > MAX_PAGE_SIZE) {
      problems.push({ field: 'page[size]', rule: 'is_integer', reason: `must be a whole number from 1 to ${MAX_PAGE_SIZE}` });
    }
  }
  const after = decodeCursor(text('page[after]'), 'page[after]', problems);
  const before = decodeCursor(text('page[before]'), 'page[before]', problems);
  if (text('filter[name]') !== undefined && text('filter[name][eq]') !== undefined) {
    problems.push({ field: 'filter[name][eq]', rule: 'dependent_fields', reason: 'is filter[name] spelled another way: give one of them' });
  }
  if (after !== undefined && before !== undefined) {
    problems.push({ field: 'page[before]', rule: 'dependent_fields', reason: 'cannot be combined with page[after]' });
  }
  if (problems.length > 0) throw invalidParameters(problems);

  const eq = text('filter[name]') ?? text('filter[name][eq]');
  const contains = text('filter[name][contains]');
  const matching = state.destinations.filter(
    (destination) => (eq === undefined || destination.name === eq) && (contains === undefined || destination.name.includes(contains)),
  );
  let start = 0;
  let end = Math.min(matching.length, size);
  if (after !== undefined) {
    start = matching.findIndex((destination) => destination.id === after) + 1;
    end = Math.min(matching.length, start + size);
  } else if (before !== undefined) {
    const index = matching.findIndex((destination) => destination.id === before);
    end = index < 0 ? 0 : index;
    start = Math.max(0, end - size);
  }
  const page = matching.slice(start, end);
  const link = (key: 'after' | 'before', id: string) => {
    const params = new URLSearchParams();
    params.set('page[size]', String(size));
    params.set(`page[${key}]`, Buffer.from(id, 'utf8').toString('base64url'));
    if (eq !== undefined) params.set('filter[name]', eq);
    if (contains !== undefined) params.set('filter[name][contains]', contains);
    return `${request.baseUrl}${request.path}?${params.toString()}`;
  };
  return {
    data: page.map(destinationView),
    meta: {
      next: page.length > 0 && end < matching.length ? link('after', page[page.length - 1]!.id) : null,
      previous: page.length > 0 && start > 0 ? link('before', page[0]!.id) : null,
      size,
    },
  };
}

function decodeCursor(value: string | undefined, field: string, problems: InvalidParameter[]): string | undefined {
  if (value === undefined) return undefined;
  const id = Buffer.from(value, 'base64url').toString('utf8');
  if (!/^[0-9a-f-]{36}$/.test(id)) {
    problems.push({ field, rule: 'invalid', reason: 'is not a cursor from a previous page (meta.next or meta.previous)' });
    return undefined;
  }
  return id;
}
