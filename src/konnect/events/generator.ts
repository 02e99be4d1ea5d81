/**
 * Synthetic audit events that look like a real org's (konnect-audit-logs.md §3): mostly
 * authorization checks, some access (create/update/delete) and authentication events, with
 * §3.3's names, classes and severities, real UUIDs, 19-digit trace ids and now and then an
 * empty user agent. Dev Portal authentication events are made for the portals given.
 *
 * Typing: `rt`, `severity` and `status` are numbers, `success`, `granted` and `kong_initiated`
 * booleans (the §3.2 typing rule), and `trace_id` a bigint, so JSON carries it as the bare
 * 19-digit integer every Konnect example shows.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { OrgProfile } from '../model';
import type { KonnectEvent } from './render';

export type EventKind = 'authentication' | 'authorization' | 'access' | 'dev-portal';
export const EVENT_KINDS: readonly EventKind[] = ['authentication', 'authorization', 'access', 'dev-portal'];

type Weighted<T> = ReadonlyArray<readonly [T, number]>;

/** Realistic proportions: permission checks dominate; access covers writes only. */
const ORG_KINDS: Weighted<EventKind> = [
  ['authorization', 70],
  ['access', 18],
  ['authentication', 12],
];

const AUTH_TYPES: Weighted<string> = [
  ['AUTHENTICATION_TYPE_PAT', 35],
  ['AUTHENTICATION_TYPE_SPAT', 20],
  ['AUTHENTICATION_TYPE_BASIC', 15],
  ['AUTHENTICATION_TYPE_SSO', 12],
  ['AUTHENTICATION_TYPE_GITHUB', 6],
  ['AUTHENTICATION_TYPE_GOOGLE', 6],
  ['AUTHENTICATION_TYPE_FEDERATED', 3],
  ['AUTHENTICATION_TYPE_WINDOWSLIVE', 2],
  ['AUTHENTICATION_TYPE_INVALID', 1],
];

/** §3.3: 0 success; 1 credential failure; 6 locked or disabled; 7 unknown/invalid. */
const AUTH_OUTCOMES: Weighted<readonly [string, number]> = [
  [['AUTHENTICATION_OUTCOME_SUCCESS', 0], 86],
  [['AUTHENTICATION_OUTCOME_INVALID_PASSWORD', 1], 5],
  [['AUTHENTICATION_OUTCOME_TOKEN_EXPIRED', 1], 4],
  [['AUTHENTICATION_OUTCOME_NOT_FOUND', 1], 2],
  [['AUTHENTICATION_OUTCOME_LOCKED', 6], 1],
  [['AUTHENTICATION_OUTCOME_DISABLED', 6], 1],
  [['AUTHENTICATION_OUTCOME_INVALID', 7], 1],
];

const AUTH_REQUESTS: Record<string, string> = {
  AUTHENTICATION_TYPE_PAT: '/api/v1/personal-access-tokens/introspect',
  AUTHENTICATION_TYPE_SPAT: '/api/v1/system-account-access-tokens/introspect',
  AUTHENTICATION_TYPE_BASIC: '/api/v1/authenticate',
  AUTHENTICATION_TYPE_SSO: '/api/v2/authenticate/sso/callback',
  AUTHENTICATION_TYPE_GITHUB: '/api/v2/authenticate/github/callback',
  AUTHENTICATION_TYPE_GOOGLE: '/api/v2/authenticate/google/callback',
  AUTHENTICATION_TYPE_FEDERATED: '/api/v2/authenticate/oidc/callback',
  AUTHENTICATION_TYPE_WINDOWSLIVE: '/api/v2/authenticate/windowslive/callback',
  AUTHENTICATION_TYPE_INVALID: '/api/v1/authenticate',
};

/** `event_class_id` of an authz event: the platform service that checked (§3.1). */
const AUTHZ_SERVICES: Weighted<string> = [
  ['konnect', 70],
  ['identity', 15],
  ['portal', 10],
  ['analytics', 5],
];

const AUTHZ_ACTIONS: Weighted<string> = [
  ['list', 35],
  ['retrieve', 30],
  ['read', 15],
  ['edit', 12],
  ['create', 5],
  ['delete', 3],
];

const AGENTS_INTERNAL: Weighted<string> = [
  ['grpc-node-js/1.12.4', 45],
  ['grpc-go/1.54.0', 30],
  ['grpc-node/1.24.11 grpc-c/8.0.0 (linux; chttp2; ganges)', 25],
];

const AGENTS_CLIENT: Weighted<string> = [
  ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36', 35],
  ['Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0', 10],
  ['kongctl/0.9.0', 15],
  ['deck/1.39.0', 12],
  ['terraform-provider-konnect/2.6.0', 12],
  ['curl/8.5.0', 10],
  ['Go-http-client/1.1', 6],
];

const ACCESS_METHODS: Weighted<string> = [
  ['POST', 40],
  ['PATCH', 25],
  ['PUT', 15],
  ['DELETE', 20],
];

/** Mostly success; §3.3 severities: 1 default, 6 for 401/403, 10 for 500. */
const ACCESS_STATUS: Record<string, Weighted<number>> = {
  POST: [[201, 80], [200, 5], [400, 7], [401, 2], [403, 3], [409, 2], [500, 1]],
  PATCH: [[200, 85], [400, 6], [401, 2], [403, 3], [404, 3], [500, 1]],
  PUT: [[200, 88], [400, 5], [401, 2], [403, 3], [500, 2]],
  DELETE: [[204, 85], [404, 6], [401, 2], [403, 4], [409, 2], [500, 1]],
};

const ENTITIES = ['services', 'routes', 'plugins', 'consumers', 'upstreams', 'certificates', 'vaults'];

export interface GeneratorOptions {
  org: OrgProfile;
  /** Portals that Dev Portal events are made for (those with a webhook). None: no Dev Portal events. */
  portalIds?: () => readonly string[];
  /** Share of Dev Portal events when there are portals (default 0.1). */
  devPortalShare?: number;
  random?: () => number;
  now?: () => number;
}

export class EventGenerator {
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(private readonly options: GeneratorOptions) {
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  /** `count` events; `kind` forces one type, otherwise types come in realistic proportions. */
  generate(count: number, kind?: EventKind, portalId?: string): KonnectEvent[] {
    return Array.from({ length: count }, () => this.one(kind ?? this.pickKind(), portalId));
  }

  one(kind: EventKind, portalId?: string): KonnectEvent {
    switch (kind) {
      case 'authentication':
        return this.authentication();
      case 'authorization':
        return this.authorization();
      case 'access':
        return this.access();
      case 'dev-portal':
        return this.devPortal(portalId);
    }
  }

  private pickKind(): EventKind {
    const portals = this.options.portalIds?.() ?? [];
    if (portals.length > 0 && this.random() < (this.options.devPortalShare ?? 0.1)) return 'dev-portal';
    return this.pick(ORG_KINDS);
  }

  private header(product: string, classId: string, name: string, severity: number): KonnectEvent {
    const rt = this.now();
    return {
      event_ts: new Date(rt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      cef_version: 0,
      event_vendor: 'KongInc',
      event_product: product,
      event_version: '1.0',
      event_class_id: classId,
      name,
      severity,
      rt,
    };
  }

  private authentication(): KonnectEvent {
    const type = this.pick(AUTH_TYPES);
    const [name, severity] = type === 'AUTHENTICATION_TYPE_INVALID' ? (['AUTHENTICATION_OUTCOME_INVALID', 7] as const) : this.pick(AUTH_OUTCOMES);
    return {
      ...this.header('Konnect', type, name, severity),
      src: this.clientIp(),
      request: AUTH_REQUESTS[type]!,
      success: severity === 0,
      org_id: this.options.org.org_id,
      principal_id: this.principal(),
      trace_id: traceId(),
      user_agent: this.maybeEmpty(type.endsWith('PAT') ? this.pick(AGENTS_INTERNAL) : this.pick(AGENTS_CLIENT)),
    };
  }

  private authorization(): KonnectEvent {
    const granted = this.random() < 0.94;
    const event: KonnectEvent = {
      ...this.header('Konnect', this.pick(AUTHZ_SERVICES), this.authzName(), granted ? 1 : 6),
      src: '127.0.0.6',
      action: this.pick(AUTHZ_ACTIONS),
      granted,
      org_id: this.options.org.org_id,
      principal_id: this.principal(),
    };
    if (this.random() < 0.2) event.actor_id = '';
    event.trace_id = traceId();
    event.user_agent = this.maybeEmpty(this.pick(AGENTS_INTERNAL));
    if (this.random() < 0.05) event.kong_initiated = true;
    return event;
  }

  private access(): KonnectEvent {
    const method = this.pick(ACCESS_METHODS);
    const status = this.pick(ACCESS_STATUS[method]!);
    const severity = status === 500 ? 10 : status === 401 || status === 403 ? 6 : 1;
    const controlPlane = this.oneOf(this.options.org.control_plane_ids);
    const entity = this.oneOf(ENTITIES);
    const request =
      this.random() < 0.5
        ? `/konnect-api/api/control_planes/${controlPlane}/${entity}${method === 'POST' ? '' : `/${randomUUID()}`}`
        : `/v2/control-planes/${controlPlane}/core-entities/${entity}${method === 'POST' ? '' : `/${randomUUID()}`}`;
    const event: KonnectEvent = {
      ...this.header('Konnect', 'KongGateway', 'Ingress', severity),
      src: this.clientIp(),
      request,
      act: method,
      status,
      org_id: this.options.org.org_id,
      principal_id: this.principal(),
      user_agent: this.maybeEmpty(this.pick(AGENTS_CLIENT)),
      trace_id: traceId(),
      query: this.random() < 0.8 ? '{}' : `{"end":"${Math.floor(this.now() / 1000)}","start":"${Math.floor(this.now() / 1000) - 86400}"}`,
    };
    if (this.random() < 0.03) event.kong_initiated = true;
    return event;
  }

  /** Dev Portal logs hold authentication events only (§3.1). */
  private devPortal(portalId?: string): KonnectEvent {
    const portals = this.options.portalIds?.() ?? [];
    const portal = portalId ?? (portals.length > 0 ? this.oneOf(portals) : randomUUID());
    const [name, severity] = this.pick(AUTH_OUTCOMES);
    return {
      ...this.header('Dev-Portal', this.random() < 0.8 ? 'AUTHENTICATION_TYPE_BASIC' : 'AUTHENTICATION_TYPE_SSO', name, severity),
      src: this.clientIp(),
      request: '/api/v2/developer/authenticate',
      success: severity === 0,
      org_id: this.options.org.org_id,
      portal_id: portal,
      principal_id: randomUUID(),
      trace_id: traceId(),
      user_agent: this.random() < 0.3 ? '' : this.pick(AGENTS_CLIENT),
    };
  }

  private authzName(): string {
    const roll = this.random();
    if (roll < 0.3) return 'Authz.control-planes';
    if (roll < 0.5) return `Authz.control-planes/${this.oneOf(this.options.org.control_plane_ids)}`;
    if (roll < 0.6) return 'Authz.organization';
    if (roll < 0.7) return 'Authz.portals';
    if (roll < 0.8) return 'Authz.api-products';
    if (roll < 0.9) return 'Authz.usage';
    return 'Authz.identity-provider';
  }

  private principal(): string {
    return this.oneOf(this.options.org.principal_ids);
  }

  /** Konnect's own hops (127.0.0.6) or a public client address. */
  private clientIp(): string {
    if (this.random() < 0.4) return '127.0.0.6';
    const octet = () => 1 + Math.floor(this.random() * 254);
    return `${[34, 52, 104, 172, 185, 203][Math.floor(this.random() * 6)]}.${octet()}.${octet()}.${octet()}`;
  }

  /** Now and then Konnect sends `user_agent=` empty. */
  private maybeEmpty(agent: string): string {
    return this.random() < 0.05 ? '' : agent;
  }

  private oneOf<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  private pick<T>(table: Weighted<T>): T {
    const total = table.reduce((sum, [, weight]) => sum + weight, 0);
    let roll = this.random() * total;
    for (const [value, weight] of table) {
      roll -= weight;
      if (roll < 0) return value;
    }
    return table[table.length - 1]![0];
  }
}

const MIN_19_DIGITS = 10n ** 18n;
const MAX_INT64 = (1n << 63n) - 1n;

/** A random positive int64 of exactly 19 digits, like Konnect's trace ids (beyond 2^53). */
export function traceId(): bigint {
  for (;;) {
    const value = randomBytes(8).readBigUInt64BE() & MAX_INT64;
    if (value >= MIN_19_DIGITS) return value;
  }
}
