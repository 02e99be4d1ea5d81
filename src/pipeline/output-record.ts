import type { EventFormat } from '../formats/parse-frame';
import type { NormalizedEvent } from '../normalize/normalize-event';

export type SignatureOutcome = 'valid' | 'invalid' | 'missing' | 'unchecked';

/**
 * The output contract: one JSON record per accepted event, written as one line. Key order is part
 * of the contract. The newline is added by the encoder: appending it here would make a rope that
 * costs a copy of the whole record to flatten when it is encoded.
 */
export function acceptedRecord(
  receivedAt: string,
  format: EventFormat,
  event: NormalizedEvent,
  signature: SignatureOutcome,
  raw: string,
): string {
  return JSON.stringify({ received_at: receivedAt, format, event, signature, raw });
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
