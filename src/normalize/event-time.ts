import { rfc3339Time } from '../formats/cef/timestamp';

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Events of one batch mostly share their second: remember the last conversion (two variables, no allocation). */
let lastInput = '';
let lastOutput: unknown = '';

/**
 * And their minute. `YYYY-MM-DDTHH:MM:` of the last `…:SSZ` that the parse gave back unchanged:
 * that minute exists, so every second 00–59 in it comes back unchanged too, without the parse
 * (most of the cost). Only a round trip sets it, so a date that does not exist (Feb 30) cannot.
 */
let lastUtcMinute = '';
const UTC_SECONDS_LENGTH = 20; // 2025-06-18T21:00:01Z
const MINUTE_LENGTH = 17; // 2025-06-18T21:00:

function isInLastUtcMinute(value: string): boolean {
  if (value.length !== UTC_SECONDS_LENGTH || value.charCodeAt(19) !== 0x5a /* Z */) return false;
  const tens = value.charCodeAt(17);
  const units = value.charCodeAt(18);
  if (tens < 0x30 || tens > 0x35 || units < 0x30 || units > 0x39) return false;
  // From the end, where another minute differs first; measured faster than startsWith.
  for (let i = MINUTE_LENGTH - 1; i >= 0; i--) if (value.charCodeAt(i) !== lastUtcMinute.charCodeAt(i)) return false;
  return true;
}

/** Bring an RFC 3339 `event_ts` to UTC; anything else is kept as it came. */
export function normalizeEventTs(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (lastUtcMinute !== '' && isInLastUtcMinute(value)) return value;
  if (value === lastInput) return lastOutput;
  let output: unknown = value;
  // The CEF codec's RFC 3339 reader, which (unlike Date.parse) refuses a time that does not
  // exist (Feb 30, 24:00, +24:00) instead of moving it, and one outside years 0000–9999 in UTC,
  // which RFC 3339 cannot write: such a value is kept as it came. A leap second (:60) is kept as
  // it came too, as Date.parse always did.
  if (RFC3339.test(value) && value.charCodeAt(17) < 0x36 /* 6 */) {
    const time = rfc3339Time(value.replace(' ', 'T'));
    if (time !== undefined) {
      output = time.iso;
      if (output === value && value.length === UTC_SECONDS_LENGTH) lastUtcMinute = value.slice(0, MINUTE_LENGTH);
    }
  }
  lastInput = value;
  lastOutput = output;
  return output;
}
