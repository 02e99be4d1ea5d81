/** RFC 3339 in UTC, with fractional seconds only when there are some, as Konnect writes `event_ts`. */
export function toRfc3339Utc(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Events of one batch mostly share their second: remember the last conversion. */
let lastEventTs = { input: '', output: '' as unknown };

/** Bring an RFC 3339 `event_ts` to UTC; anything else is kept as it came. */
export function normalizeEventTs(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (value === lastEventTs.input) return lastEventTs.output;
  let output: unknown = value;
  if (RFC3339.test(value)) {
    const epochMs = Date.parse(value.replace(' ', 'T'));
    if (!Number.isNaN(epochMs)) output = toRfc3339Utc(epochMs);
  }
  lastEventTs = { input: value, output };
  return output;
}
