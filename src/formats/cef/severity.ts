/**
 * Severity: an integer 0–10, or Unknown/Low/Medium/High/Very-High. The text is kept as given;
 * `severityLevel` adds a number so receivers can filter without string tables.
 * Words map to the lowest integer of their band (Low 0, Medium 4, High 7, Very-High 9), as Beats does.
 */

const SPACE = 32;

const WORD_LEVELS: ReadonlyMap<string, number | undefined> = new Map<string, number | undefined>([
  ['unknown', undefined],
  ['low', 0],
  ['medium', 4],
  ['high', 7],
  ['very-high', 9],
  ['very high', 9],
]);

export interface SeverityReading {
  readonly level: number | undefined;
  /** False when the text is neither 0–10 nor one of the five words (case-insensitive). */
  readonly valid: boolean;
}

/** Shared answers for the integer severities: nothing to allocate on the hot path. */
const NUMERIC: readonly SeverityReading[] = Array.from({ length: 11 }, (_, level) => Object.freeze({ level, valid: true }));
const INVALID: SeverityReading = Object.freeze({ level: undefined, valid: false });

/** Reads a severity; surrounding spaces are ignored, the text itself is not changed. */
export function readSeverity(severity: string): SeverityReading {
  const length = severity.length;
  // Fast path: "0"–"9" and "10", which is what almost every producer sends.
  if (length === 1) {
    const d = severity.charCodeAt(0) - 48;
    if (d >= 0 && d <= 9) return NUMERIC[d] as SeverityReading;
  } else if (length === 2 && severity === '10') {
    return NUMERIC[10] as SeverityReading;
  }
  let from = 0;
  let to = length;
  while (from < to && severity.charCodeAt(from) === SPACE) from++;
  while (to > from && severity.charCodeAt(to - 1) === SPACE) to--;
  const text = severity.slice(from, to);
  if (/^\d{1,9}$/.test(text)) {
    const n = Number(text);
    return n <= 10 ? (NUMERIC[n] as SeverityReading) : INVALID;
  }
  const word = text.toLowerCase();
  if (WORD_LEVELS.has(word)) return { level: WORD_LEVELS.get(word), valid: true };
  return INVALID;
}

/** 0–10 for a valid severity, `undefined` for `Unknown` and anything unreadable. */
export function severityLevel(severity: string): number | undefined {
  return readSeverity(severity).level;
}
