/**
 * The stand-in's configuration model: destinations, the org and Dev Portal webhooks, their
 * delivery status and replay jobs, as konnect-audit-logs.md §1.3–1.7 and §5 describe them.
 * Views (what the API returns) never include `authorization`.
 */
import type { KonnectLogFormat } from '../signature';

export type LogFormat = KonnectLogFormat;
export const LOG_FORMATS: readonly LogFormat[] = ['cef', 'json', 'cps'];

/** Konnect's "never set" timestamp (the spec's `0001-01-01T00:00:0Z`, written as valid RFC 3339). */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

/** Where and how a batch is sent: the destination fields that matter to delivery. */
export interface EndpointSettings {
  endpoint: string;
  /** Sent verbatim as the Authorization header. Never returned by the API, never logged. */
  authorization: string;
  log_format: LogFormat;
  skip_ssl_verification: boolean;
}

export interface Destination extends EndpointSettings {
  id: string;
  name: string;
  created_at: string;
  updated_at: string;
}

export interface WebhookConfig {
  /** False until a destination is first bound: GET /v2/audit-log-webhook then reads `endpoint: "unconfigured"`. */
  configured: boolean;
  enabled: boolean;
  /**
   * The bound destination; `''` when none, as DELETE /v3/audit-log-webhook leaves it. The v2
   * webhook's inline endpoint settings are kept in a destination too (see docs/konnect-stand-in.md).
   */
  audit_log_destination_id: string;
  updated_at: string;
}

export interface WebhookStatus {
  webhook_status: 'active' | 'inactive';
  last_attempt_at?: string;
  /** The receiver's HTTP status; 0 when no response came (connection or TLS failure). */
  last_response_code?: number;
  last_response_message?: string;
}

export type ReplayStatus = 'unconfigured' | 'accepted' | 'pending' | 'running' | 'completed' | 'failed';

export interface ReplayJob {
  start_at: string;
  end_at: string;
  status: ReplayStatus;
  updated_at: string;
}

export interface WebhookRecord {
  config: WebhookConfig;
  status: WebhookStatus;
  replay: ReplayJob;
}

/** The synthetic organization whose activity the generator makes up; stable across restarts. */
export interface OrgProfile {
  org_id: string;
  principal_ids: string[];
  control_plane_ids: string[];
}

export interface StandInState {
  version: 1;
  org: OrgProfile;
  destinations: Destination[];
  /** The destination that `PATCH /v2/audit-log-destinations` (the seed's call) creates and updates. */
  default_destination_id: string;
  org_webhook: WebhookRecord;
  portal_webhooks: Record<string, WebhookRecord>;
}

/** `org` or `portal:<portalId>`: whose webhook a batch, a status or a replay job belongs to. */
export type TargetKey = 'org' | `portal:${string}`;

export const portalTarget = (portalId: string): TargetKey => `portal:${portalId.toLowerCase()}`;

export function newWebhookRecord(): WebhookRecord {
  return {
    config: { configured: false, enabled: false, audit_log_destination_id: '', updated_at: ZERO_TIME },
    status: { webhook_status: 'active' },
    replay: { start_at: ZERO_TIME, end_at: ZERO_TIME, status: 'unconfigured', updated_at: ZERO_TIME },
  };
}

export function webhookRecord(state: StandInState, target: TargetKey): WebhookRecord | undefined {
  if (target === 'org') return state.org_webhook;
  return state.portal_webhooks[target.slice('portal:'.length)];
}

/** The record of a target, created (unconfigured) on first use for a portal. */
export function ensureWebhookRecord(state: StandInState, target: TargetKey): WebhookRecord {
  if (target === 'org') return state.org_webhook;
  const portalId = target.slice('portal:'.length);
  return (state.portal_webhooks[portalId] ??= newWebhookRecord());
}

/** What delivery to a target would use right now, or why nothing would be sent. */
export type Resolved =
  | { deliverable: true; settings: EndpointSettings; destinationId: string }
  | { deliverable: false; reason: string };

export function resolveTarget(state: StandInState, target: TargetKey): Resolved {
  const record = webhookRecord(state, target);
  if (!record || !record.config.configured) return { deliverable: false, reason: 'the webhook is not configured' };
  if (!record.config.enabled) return { deliverable: false, reason: 'the webhook is disabled' };
  const id = record.config.audit_log_destination_id;
  if (id === '') return { deliverable: false, reason: 'the webhook has no destination' };
  const destination = state.destinations.find((candidate) => candidate.id === id);
  if (!destination) return { deliverable: false, reason: `its destination ${id} no longer exists` };
  return { deliverable: true, settings: settingsOf(destination), destinationId: id };
}

export function settingsOf(value: EndpointSettings): EndpointSettings {
  return {
    endpoint: value.endpoint,
    authorization: value.authorization,
    log_format: value.log_format,
    skip_ssl_verification: value.skip_ssl_verification,
  };
}

// ---- Views: what the API answers. None of them carries `authorization`. ----

export function destinationView(destination: Destination): Record<string, unknown> {
  return {
    id: destination.id,
    name: destination.name,
    endpoint: destination.endpoint,
    log_format: destination.log_format,
    skip_ssl_verification: destination.skip_ssl_verification,
    created_at: destination.created_at,
    updated_at: destination.updated_at,
  };
}

/** The seed's response shape for `PATCH`/`GET /v2/audit-log-destinations`. */
export function seedDestinationView(destination: Destination): Record<string, unknown> {
  return {
    id: destination.id,
    endpoint: destination.endpoint,
    log_format: destination.log_format,
    skip_ssl_verification: destination.skip_ssl_verification,
    updated_at: destination.updated_at,
  };
}

/** `GET /v2/audit-log-webhook`: the settings of the bound destination, shown inline. */
export function v2WebhookView(state: StandInState): Record<string, unknown> {
  const config = state.org_webhook.config;
  if (!config.configured) return { enabled: false, endpoint: 'unconfigured' };
  const bound = state.destinations.find((destination) => destination.id === config.audit_log_destination_id);
  return {
    endpoint: bound?.endpoint ?? 'unconfigured',
    enabled: config.enabled,
    log_format: bound?.log_format ?? 'cef',
    skip_ssl_verification: bound?.skip_ssl_verification ?? false,
    ...(config.audit_log_destination_id !== '' ? { audit_log_destination_id: config.audit_log_destination_id } : {}),
    updated_at: config.updated_at,
  };
}

/** `GET /v3/audit-log-webhook` and the portal webhook. */
export function v3WebhookView(config: WebhookConfig): Record<string, unknown> {
  return { audit_log_destination_id: config.audit_log_destination_id, enabled: config.enabled };
}

export function statusView(record: WebhookRecord | undefined): Record<string, unknown> {
  if (!record || !record.config.configured) return { webhook_enabled: false, webhook_status: 'unconfigured' };
  const { status } = record;
  return {
    webhook_enabled: record.config.enabled,
    webhook_status: status.webhook_status,
    ...(status.last_attempt_at !== undefined ? { last_attempt_at: status.last_attempt_at } : {}),
    ...(status.last_response_code !== undefined ? { last_response_code: status.last_response_code } : {}),
    ...(status.last_response_message !== undefined ? { last_response_message: status.last_response_message } : {}),
  };
}

export function replayView(job: ReplayJob): Record<string, unknown> {
  return { start_at: job.start_at, end_at: job.end_at, status: job.status, updated_at: job.updated_at };
}

/** RFC 3339 UTC with milliseconds when there are any, as Konnect's examples show (`…14.52Z`). */
export function timestamp(ms: number = Date.now()): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}
