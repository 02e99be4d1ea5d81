import { scanJsonValue, type ScannedValue } from './scan';

export type JsonObject = { [key: string]: unknown };

export type JsonParseResult = { ok: true; value: unknown } | { ok: false; message: string };

/**
 * JSON.parse that keeps every digit: integers beyond 2^53 (Konnect's `trace_id`) come back
 * as strings of their exact digits instead of rounded numbers, and numbers beyond a double's
 * range (`1e400`) as their text instead of Infinity, which JSON would write as null.
 */
export function parseJsonLossless(text: string, scanned?: ScannedValue): JsonParseResult {
  let source = text;
  const unsafeNumbers = scanned ? scanned.unsafeNumbers : findUnsafeNumbers(text);
  if (unsafeNumbers.length > 0) source = quoteRanges(text, unsafeNumbers, scanned ? scanned.start : 0);
  try {
    return { ok: true, value: JSON.parse(source) };
  } catch (error) {
    return { ok: false, message: `invalid JSON: ${(error as Error).message}` };
  }
}

function findUnsafeNumbers(text: string): Array<[number, number]> {
  const first = text.search(/\S/);
  if (first < 0) return [];
  const code = text.charCodeAt(first);
  if (code !== 0x7b && code !== 0x5b) return [];
  const scan = scanJsonValue(text, first);
  return scan.ok ? scan.value.unsafeNumbers : [];
}

function quoteRanges(text: string, ranges: Array<[number, number]>, offset: number): string {
  let out = '';
  let last = 0;
  for (const [start, end] of ranges) {
    out += text.slice(last, start - offset) + '"' + text.slice(start - offset, end - offset) + '"';
    last = end - offset;
  }
  return out + text.slice(last);
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
