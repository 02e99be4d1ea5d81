/**
 * Request bodies: JSON objects whose fields are checked one by one. Every problem is collected
 * and reported together as `invalid_parameters` (§1.8): unknown fields, wrong types, blanks,
 * endpoints that are not https:// URLs, log formats outside the enum.
 */
import type { Request } from 'express';
import { parseRfc3339 } from '../../formats/cef/timestamp';
import { parseJsonLossless } from '../../formats/json';
import { LOG_FORMATS } from '../model';
import { invalidParameters, type InvalidParameter } from './problems';

export type Body = Record<string, unknown>;

/** The request's JSON object body. `lossless` keeps integers beyond 2^53 as digit strings. */
export function readBody(request: Request, options: { lossless?: boolean } = {}): Body {
  const text = typeof request.body === 'string' ? request.body : '';
  if (text.trim() === '') throw invalidParameters([{ field: 'body', rule: 'required', reason: 'is missing; send a JSON object' }], 'the request body must be a JSON object');
  let value: unknown;
  if (options.lossless) {
    const parsed = parseJsonLossless(text);
    if (!parsed.ok) throw invalidParameters([{ field: 'body', rule: 'is_object', reason: parsed.message }], 'the request body is not valid JSON');
    value = parsed.value;
  } else {
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw invalidParameters([{ field: 'body', rule: 'is_object', reason: (error as Error).message }], 'the request body is not valid JSON');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidParameters([{ field: 'body', rule: 'is_object', reason: 'must be a JSON object' }], 'the request body must be a JSON object');
  }
  return value as Body;
}

export interface ValidationContext {
  allowHttp: boolean;
}

type FieldCheck = (value: unknown, field: string, context: ValidationContext) => InvalidParameter | undefined;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
/** What Node (and HTTP) allow in a header value: no control characters, no line breaks. */
const HEADER_VALUE = /^[\t\x20-\x7e]*$/;

export const isUuid = (text: string) => UUID.test(text);

const string: FieldCheck = (value, field) => {
  if (typeof value !== 'string') return { field, rule: 'is_string', reason: 'must be a string' };
  if (value.trim() === '') return { field, rule: 'required', reason: 'cannot be blank' };
  return undefined;
};

const boolean: FieldCheck = (value, field) =>
  typeof value === 'boolean' ? undefined : { field, rule: 'is_boolean', reason: 'must be a boolean (true or false)' };

const endpoint: FieldCheck = (value, field, context) => {
  const basic = string(value, field, context);
  if (basic) return basic;
  // A URL parser drops a tab, a line break and blanks at either end: stored, they would not be what is used.
  if (/[\s\u0000-\u001f\u007f]/.test(value as string)) return { field, rule: 'invalid', reason: 'must be a valid URL, without spaces or control characters' };
  let url: URL;
  try {
    url = new URL(value as string);
  } catch {
    return { field, rule: 'invalid', reason: 'must be a valid URL' };
  }
  if (url.protocol === 'http:' && !context.allowHttp) {
    return { field, rule: 'invalid', reason: 'must be an https:// URL (Konnect only delivers over HTTPS; start the stand-in with --allow-http to permit http:// locally)' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { field, rule: 'invalid', reason: `must be an https:// URL${context.allowHttp ? ' or http:// URL' : ''}` };
  }
  // `https:/x` parses as https://x/: refused, as it is not what was meant to be stored.
  if (url.hostname === '' || !/^https?:\/\/[^/]/i.test(value as string)) return { field, rule: 'invalid', reason: 'must be a valid URL' };
  if (url.username !== '' || url.password !== '') {
    return { field, rule: 'invalid', reason: 'must not hold a user name or password, which every GET would show: put the credential in authorization' };
  }
  return undefined;
};

const authorization: FieldCheck = (value, field, context) => {
  const basic = string(value, field, context);
  if (basic) return basic;
  if (!HEADER_VALUE.test(value as string)) {
    return { field, rule: 'matches_regex', reason: 'must be printable ASCII on one line (it is sent as the Authorization header)' };
  }
  return undefined;
};

const logFormat: FieldCheck = (value, field) =>
  typeof value === 'string' && (LOG_FORMATS as readonly string[]).includes(value)
    ? undefined
    : { field, rule: 'enum', reason: `must be one of ${LOG_FORMATS.join(', ')}`, choices: [...LOG_FORMATS] };

const uuid: FieldCheck = (value, field) =>
  typeof value === 'string' && UUID.test(value) ? undefined : { field, rule: 'is_uuid', reason: 'destination id format is invalid' };

const dateTime: FieldCheck = (value, field) =>
  typeof value === 'string' && RFC3339.test(value) && !Number.isNaN(parseRfc3339(value)) // Date.parse moves Feb 30 to March
    ? undefined
    : { field, rule: 'is_date_time', reason: 'must be an RFC 3339 date-time, e.g. 2025-06-18T21:02:36Z' };

export const FIELD_CHECKS = {
  name: string,
  endpoint,
  authorization,
  log_format: logFormat,
  skip_ssl_verification: boolean,
  enabled: boolean,
  audit_log_destination_id: uuid,
  start_at: dateTime,
  end_at: dateTime,
} satisfies Record<string, FieldCheck>;

export type FieldName = keyof typeof FIELD_CHECKS;

const READ_ONLY = new Set(['id', 'created_at', 'updated_at', 'status']);

/**
 * Checks `body` against the fields a request may carry. `required` fields must be present.
 * Throws one 400 listing every problem; returns the body typed when all is well.
 */
export function validateBody(
  body: Body,
  allowed: readonly FieldName[],
  required: readonly FieldName[],
  context: ValidationContext,
  extra: InvalidParameter[] = [],
): Body {
  const problems: InvalidParameter[] = [];
  for (const field of Object.keys(body)) {
    if ((allowed as readonly string[]).includes(field)) continue;
    problems.push(
      READ_ONLY.has(field)
        ? { field, rule: 'unknown_property', reason: 'is read-only' }
        : { field, rule: 'unknown_property', reason: 'is not a known property' },
    );
  }
  for (const field of required) {
    if (!(field in body)) problems.push({ field, rule: 'required', reason: 'is required' });
  }
  for (const field of allowed) {
    if (!(field in body)) continue;
    const problem = FIELD_CHECKS[field](body[field], field, context);
    if (problem) problems.push(problem);
  }
  problems.push(...extra);
  if (problems.length > 0) throw invalidParameters(problems);
  return body;
}

/** A value with no scheme (`abc123` rather than `Bearer abc123`): §7's reported mistake. */
export function lacksScheme(authorizationValue: string): boolean {
  return !/^\S+\s+\S/.test(authorizationValue.trim());
}

export const BARE_TOKEN_WARNING =
  '299 - "authorization has no scheme (e.g. \\"Bearer <token>\\"); it is sent verbatim as the Authorization header, so most receivers will reject it"';
