const UNITS_MS: Record<string, number> = { ms: 1, s: 1000, '': 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parse `500ms`, `10s`, `5m`, `1h`, `1d` or bare seconds. Undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|)\s*$/i.exec(text);
  if (!match) return undefined;
  const ms = Math.round(Number(match[1]) * UNITS_MS[match[2]!.toLowerCase()]!);
  return ms > 0 ? ms : undefined;
}
