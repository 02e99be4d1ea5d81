/** The CEF codec's public types. The codec has no I/O and never imports the HTTP layer. */

export interface CefParseOptions {
  /** IANA zone or `±HH:MM` used for zoneless timestamps when the event has no `dtz`. Default UTC. */
  timezone?: string;
  /** Add `customFields`: `csN`/`cnN`/`cfpN`/`c6aN`/`deviceCustomDateN`/`flexStringN` named by their labels. */
  translateCustomFields?: boolean;
  /** Add `fullNameExtensions`: extensions keyed by the dictionary's full names (`src` → `sourceAddress`). */
  fullNames?: boolean;
  /**
   * "Now" in epoch ms, for year-less timestamps when the event has no usable `rt`.
   * Default `Date.now()`. Tests pin it; production leaves it unset.
   */
  now?: number;
}

/** A point in time the codec understood, with the text it came from. */
export interface CefTime {
  raw: string;
  epochMs: number;
  /** RFC 3339 UTC; fractional seconds only when they are not zero. */
  iso: string;
}

/** Whatever stood before `CEF:` (a syslog header, or Konnect's `<RFC 3339> konghq.com`). */
export interface CefPrefix {
  /** Exactly as received, without the single space that separates it from `CEF:`. */
  raw: string;
  /**
   * `konnect`: `<RFC 3339> <host>` (Konnect sends host `konghq.com`).
   * `rfc3164`: `[<PRI>]MMM dd HH:mm:ss host …`, or `<PRI>` followed by an RFC 3339 stamp.
   * `rfc5424`: `<PRI>1 TIMESTAMP HOST APP PROCID MSGID …`.
   */
  syntax: 'konnect' | 'rfc3164' | 'rfc5424' | 'unknown';
  /** The syslog `<PRI>` value, when present. */
  pri?: number;
  host?: string;
  /** RFC 5424 APP-NAME / PROCID / MSGID, when present and not the nil value `-`. */
  appName?: string;
  procId?: string;
  msgId?: string;
  /** The prefix's timestamp; a year-less BSD stamp takes its year from `rt`, else from now. */
  time?: CefTime;
  /** An RFC 3339 stamp that names no real time (Feb 30, hour 24, offset +24:00): kept as it came, with a warning. */
  unreadTime?: string;
}

export interface CefWarning {
  message: string;
  /** Character offset in the line where the problem was seen. */
  offset?: number;
  key?: string;
}

export interface CefError {
  /** Names what is wrong, e.g. "header has 5 of 7 fields: missing name, severity". */
  message: string;
  offset: number;
}

export interface CefEvent {
  /** The integer after `CEF:`. */
  version: number;
  deviceVendor: string;
  deviceProduct: string;
  deviceVersion: string;
  deviceEventClassId: string;
  name: string;
  /** As given: `0`–`10` or `Unknown`/`Low`/`Medium`/`High`/`Very-High`. */
  severity: string;
  /** 0–10; words map to Low 0, Medium 4, High 7, Very-High 9; Unknown and junk are undefined. */
  severityLevel: number | undefined;
  /** Decoded extension values, keyed as received, in the order received. */
  extensions: Record<string, string>;
  prefix?: CefPrefix;
  /**
   * Parsed `rt`, `start`, `end`, `deviceCustomDate1`, `deviceCustomDate2` and every other key the
   * dictionary types as a timestamp (short or full name), keyed as received; only those that parsed.
   */
  timestamps: Record<string, CefTime>;
  customFields?: Record<string, string>;
  fullNameExtensions?: Record<string, string>;
}

export type CefParseResult =
  | { ok: true; event: CefEvent; warnings: CefWarning[] }
  | { ok: false; error: CefError; partial: Partial<CefEvent>; warnings: CefWarning[] };

/** Extension values the formatter accepts; non-strings are written with `String(value)`. */
export type CefExtensionInput = string | number | boolean | bigint;

/** What `formatCef` writes. A parsed `CefEvent` is accepted as is. */
export interface CefFormatInput {
  /** Default 0. */
  version?: number;
  deviceVendor: string;
  deviceProduct: string;
  deviceVersion: string;
  deviceEventClassId: string;
  name: string;
  severity: string | number;
  /** Written in insertion order; `undefined` and `null` values are skipped. */
  extensions?: Record<string, CefExtensionInput | null | undefined>;
  /** Written before `CEF:` followed by one space; a `CefPrefix` contributes its `raw`. */
  prefix?: string | { raw: string };
}

export interface CefFormatOptions {
  /**
   * CR/LF are not allowed in the header. `space` (default) writes each CR, LF or CRLF as one space,
   * as Logstash does; `throw` raises a `CefFormatError` instead.
   */
  headerNewlines?: 'space' | 'throw';
}

/**
 * One Konnect audit event in its JSON shape (konnect-audit-logs.md §3.2/§3.5). Known keys are
 * typed; anything else is written after them. Values may be strings, numbers, booleans or bigints
 * because Konnect's own examples mix them (`rt`, `trace_id`, `success`, `cef_version`).
 */
export interface KonnectAuditEvent {
  event_ts?: string;
  cef_version?: number | string;
  event_vendor: string;
  event_product: string;
  event_version: string;
  event_class_id: string;
  name: string;
  severity: number | string;
  rt?: number | string | bigint;
  src?: string;
  request?: string;
  success?: boolean | string;
  action?: string;
  granted?: boolean | string;
  org_id?: string;
  portal_id?: string;
  principal_id?: string;
  principal_name?: string;
  actor_id?: string;
  act?: string;
  status?: number | string;
  kong_initiated?: boolean | string;
  trace_id?: bigint | number | string;
  user_agent?: string;
  query?: string;
  /** Never written: the signer appends ` sig=…` to the finished line. */
  sig?: string;
  [key: string]: CefExtensionInput | null | undefined;
}

/** One row of `dictionary.json`. */
export interface CefDictionaryEntry {
  short: string;
  full: string;
  type: CefValueType;
  length?: number;
  note?: string;
}

export type CefValueType =
  | 'string'
  | 'integer'
  | 'long'
  | 'double'
  | 'timestamp'
  | 'ipv4_address'
  | 'ipv6_address'
  | 'ip_address'
  | 'mac_address';
