import type { EventFormat } from '../formats/parse-frame';

export type SignatureOutcome = 'valid' | 'invalid' | 'missing' | 'unchecked';

/** How every record written starts, accepted or dead-lettered: how a sink knows its own lines. */
export const RECORD_START = '{"received_at":"';

/**
 * The output contract: one JSON record per accepted event, written as one line. Key order is part
 * of the contract; `warnings` is there only when the parser warned, and `raw` is left out when it
 * is undefined (--keep-raw false). The newline is added by the encoder.
 *
 * Written as a template, not by JSON.stringify of a wrapper object: `receivedAt` is an ISO time
 * and `format` and `signature` are fixed words, none of which needs escaping, so only the event
 * and the raw line are serialized (measured 1.8x faster on Konnect's CEF events).
 */
export function acceptedRecord(
  receivedAt: string,
  format: EventFormat,
  /** The normalized event, already JSON. */
  eventJson: string,
  signature: SignatureOutcome,
  raw: string | undefined,
  /** isPlainText(raw): then it goes between quotes as it is. */
  rawIsPlain: boolean,
  /** What the parser read leniently (an unescaped `=`, a repeated key, …); undefined when nothing. */
  warnings?: readonly string[],
): string {
  if (warnings !== undefined) {
    const rawMember = raw === undefined ? '' : `,"raw":${rawJson(raw, rawIsPlain)}`;
    return `{"received_at":"${receivedAt}","format":"${format}","event":${eventJson},"signature":"${signature}","warnings":${JSON.stringify(warnings)}${rawMember}}`;
  }
  // One template each, not a shared head extended: that measured 2–4 % slower on processBatch.
  if (raw === undefined) return `{"received_at":"${receivedAt}","format":"${format}","event":${eventJson},"signature":"${signature}"}`;
  return `{"received_at":"${receivedAt}","format":"${format}","event":${eventJson},"signature":"${signature}","raw":${rawJson(raw, rawIsPlain)}}`;
}

function rawJson(raw: string, rawIsPlain: boolean): string {
  return rawIsPlain ? `"${raw}"` : JSON.stringify(raw);
}

const CONTROL_CHARACTER = /[\u0000-\u001f]/;

/**
 * Whether JSON writes `text` as it is, between quotes: no `"`, `\` or control character (most
 * CEF lines). A shortcut worth taking, as JSON.stringify escapes character by character. A line
 * is decoded from valid UTF-8, so it holds no lone surrogate (the one other thing JSON escapes).
 */
export function isPlainText(text: string): boolean {
  return text.indexOf('"') < 0 && text.indexOf('\\') < 0 && !CONTROL_CHARACTER.test(text);
}

export interface DeadLetterRecord {
  receivedAt: string;
  reason: string;
  raw: string;
  /** Line of the request body the event started on. */
  line: number;
  requestId: string;
  /** The exact bytes, when they were not valid UTF-8. */
  rawBase64?: string;
}

/** One dead-letter record, without its newline (see acceptedRecord). */
export function deadLetterRecord(record: DeadLetterRecord): string {
  return JSON.stringify({
    received_at: record.receivedAt,
    reason: record.reason,
    raw: record.raw,
    line: record.line,
    request_id: record.requestId,
    ...(record.rawBase64 !== undefined ? { raw_base64: record.rawBase64 } : {}),
  });
}
