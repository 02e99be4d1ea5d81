import { frameBody, type FramingLimits } from '../ingest/framing';
import { parseFrame, type EventFormat, type FormatOptions, type ParseOutcome } from '../formats/parse-frame';
import type { CefWarning } from '../formats/cef/types';
import type { Frame, RejectionCode } from '../ingest/framing';
import { normalizedPlainCefJson, normalizeEvent } from '../normalize/normalize-event';
import { normalizeFlatJson } from '../normalize/flat-json-event';
import { hasWellFormedSignature } from '../signature/verify';
import { encodeLines } from './encode-lines';
import { eventIdentity } from './event-identity';
import { acceptedRecord, deadLetterRecord, isPlainText, type SignatureOutcome } from './output-record';

/** Decides the `signature` field from the raw line, before anything parses it. */
export type SignatureCheck = (raw: string, format: EventFormat) => Promise<SignatureOutcome>;

export interface BatchOptions extends FormatOptions {
  framing: FramingLimits;
  /** The most events one request may carry. */
  maxEvents: number;
  checkSignature?: SignatureCheck;
  /** Dead-letter every event whose signature is not valid. */
  requireValidSignature?: boolean;
  /** Work out each accepted event's identity, for deduplication. */
  identify?: boolean;
  /** false leaves `raw` out of accepted records (--keep-raw false); dead letters always keep it. */
  keepRaw?: boolean;
}

export interface RejectedEvent {
  line: number;
  reason: string;
  code: RejectionCode;
  /** The format the event looked like, as far as it could be told. */
  format: EventFormat | 'unknown';
}

const FORMAT_OF_REJECTION: Record<RejectionCode, EventFormat | 'unknown' | undefined> = {
  not_utf8: 'unknown',
  unknown_format: 'unknown',
  malformed_json: 'json',
  not_an_object: 'json',
  invalid_cef: 'cef',
  signature_invalid: undefined,
  signature_missing: undefined,
};

export interface BatchResult {
  accepted: number;
  /** Of the accepted, how many in each format the parser read with warnings (their records carry them). */
  warned: Record<EventFormat, number>;
  /** Per accepted record, in order, when asked (`identify`): what makes it the same event as another. */
  identities: string[];
  /** Per accepted record: where it ends in `acceptedOutput` (its newline included). */
  recordEnds: number[];
  /** Per accepted record, when asked (`identify`): its format, for counting duplicates by format. */
  recordFormats: EventFormat[];
  rejected: RejectedEvent[];
  /** Newline-terminated output records, encoded once for every sink. */
  acceptedOutput: Buffer;
  /** Newline-terminated dead-letter records, encoded. */
  deadLetterOutput: Buffer;
  /** Give the outputs' memory back for reuse, once every sink is done with them. */
  release(): void;
  /** How many events came in each format. */
  formats: Record<EventFormat, number>;
  /** How many well-framed events had each signature outcome. */
  signatures: Record<SignatureOutcome, number>;
  /** Of the `invalid` ones, how many carry a sig that is no Ed25519 signature at all: no key refetch can help those. */
  malformedSignatures: number;
}


/** frame → verify → parse → normalize → encode, for one decoded body. Writes nothing; a limit rejects with a Problem. */
export async function processBatch(body: Buffer, receivedAtMs: number, requestId: string, options: BatchOptions): Promise<BatchResult> {
  const receivedAt = new Date(receivedAtMs).toISOString();
  const frames = frameBody(body, options.framing, options.maxEvents);
  // Verified on the raw text before anything parses it, so no re-encoding can sway it.
  const signatures = options.checkSignature ? await checkSignatures(frames, options.checkSignature) : undefined;
  const acceptedRecords: string[] = [];
  const deadLetterRecords: string[] = [];
  const counts: Pick<BatchResult, 'accepted' | 'warned' | 'identities' | 'recordFormats' | 'rejected' | 'formats' | 'signatures' | 'malformedSignatures'> = {
    accepted: 0,
    warned: { cef: 0, json: 0, cps: 0 },
    identities: [],
    recordFormats: [],
    rejected: [],
    formats: { cef: 0, json: 0, cps: 0 },
    signatures: { valid: 0, invalid: 0, missing: 0, unchecked: 0 },
    malformedSignatures: 0,
  };
  const accept = (frame: Frame, signature: SignatureOutcome, format: EventFormat, eventJson: string, rawIsPlain: boolean, warnings?: string[]): void => {
    counts.accepted++;
    counts.formats[format]++;
    if (warnings !== undefined) counts.warned[format]++;
    if (options.identify) {
      counts.identities.push(eventIdentity(frame.text));
      counts.recordFormats.push(format);
    }
    acceptedRecords.push(acceptedRecord(receivedAt, format, eventJson, signature, options.keepRaw === false ? undefined : frame.text, rawIsPlain, warnings));
  };
  for (const [index, frame] of frames.entries()) {
    const signature: SignatureOutcome = signatures?.[index] ?? 'unchecked';
    if (frame.kind !== 'invalid') counts.signatures[signature]++;
    if (signature === 'invalid' && !hasWellFormedSignature(frame.text, signedFormatOf(frame))) counts.malformedSignatures++;
    const refused = options.requireValidSignature && signature !== 'valid';
    // Konnect's flat JSON is written out from its text; everything else is parsed.
    const flatEventJson = frame.kind === 'json' && frame.members && !refused ? normalizeFlatJson(frame.text, frame.members) : undefined;
    if (flatEventJson !== undefined) {
      accept(frame, signature, 'json', flatEventJson, false); // JSON always holds quotes
      continue;
    }
    const outcome: ParseOutcome = refused
      ? {
          ok: false,
          reason: `signature ${signature}: --signatures require accepts only events signed by a JWKS key`,
          code: signature === 'missing' ? 'signature_missing' : 'signature_invalid',
        }
      : parseFrame(frame, options);
    if (!outcome.ok) {
      const format = FORMAT_OF_REJECTION[outcome.code] ?? signedFormatOf(frame);
      counts.rejected.push({ line: frame.line, reason: outcome.reason, code: outcome.code, format });
      deadLetterRecords.push(deadLetterRecord({
        receivedAt,
        reason: outcome.reason,
        raw: frame.text,
        line: frame.line,
        requestId,
        ...(frame.kind === 'invalid' && frame.rawBase64 !== undefined ? { rawBase64: frame.rawBase64 } : {}),
      }));
      continue;
    }
    const { event } = outcome;
    const rawIsPlain = event.format === 'cef' && isPlainText(frame.text);
    // Nothing in a plain line needs escaping, so nothing in its event does: it is written directly.
    const eventJson = rawIsPlain ? normalizedPlainCefJson(event.cef) : JSON.stringify(normalizeEvent(event));
    accept(frame, signature, event.format, eventJson, rawIsPlain, event.format === 'cef' ? warningTexts(event.warnings, frame.text) : undefined);
  }
  const accepted = encodeLines(acceptedRecords);
  const deadLetter = encodeLines(deadLetterRecords);
  return {
    ...counts,
    recordEnds: accepted.ends,
    acceptedOutput: accepted.bytes,
    deadLetterOutput: deadLetter.bytes,
    release: () => {
      accepted.release();
      deadLetter.release();
    },
  };
}

/** Checks running at once for one batch: enough to keep the thread pool busy, not to crowd out file writes. */
const SIGNATURE_CHECKS_AT_ONCE = 64;

/** Each frame's outcome (`unchecked` for a frame that is not an event), the checks running side by side. */
async function checkSignatures(frames: readonly Frame[], check: SignatureCheck): Promise<SignatureOutcome[]> {
  const outcomes: SignatureOutcome[] = new Array(frames.length).fill('unchecked');
  let next = 0;
  const lane = async () => {
    while (next < frames.length) {
      const index = next++;
      const frame = frames[index]!;
      if (frame.kind !== 'invalid') outcomes[index] = await check(frame.text, signedFormatOf(frame));
    }
  };
  await Promise.all(Array.from({ length: Math.min(SIGNATURE_CHECKS_AT_ONCE, frames.length) }, lane));
  return outcomes;
}

/** The format a signature is checked in, from the frame alone: parsing comes after. */
function signedFormatOf(frame: Frame): EventFormat {
  if (frame.kind === 'text') return 'cef';
  return frame.text.startsWith('{"event":') ? 'cps' : 'json';
}

/** The most warnings one record lists; a line built to warn at every word would otherwise grow its record 40-fold. */
const LISTED_WARNINGS = 10;

/**
 * The parser's warnings as the record carries them, each with where in `raw` it was seen (the
 * first LISTED_WARNINGS, then how many more); undefined when none.
 */
function warningTexts(warnings: readonly CefWarning[], raw: string): string[] | undefined {
  if (warnings.length === 0) return undefined;
  const listed = warnings.slice(0, LISTED_WARNINGS);
  const characters = characterPositions(raw, listed.map((warning) => warning.offset));
  const texts = listed.map((warning, index) => (warning.offset === undefined ? warning.message : `${warning.message} (at character ${characters[index]})`));
  if (warnings.length > LISTED_WARNINGS) texts.push(`and ${warnings.length - LISTED_WARNINGS} more warnings`);
  return texts;
}

/**
 * The 1-based character (code point, as a person counts: an emoji is one) at each UTF-16 offset,
 * in one pass over the text however many offsets there are.
 */
function characterPositions(text: string, offsets: ReadonlyArray<number | undefined>): number[] {
  const order = offsets.map((offset, index) => ({ offset: offset ?? 0, index })).sort((a, b) => a.offset - b.offset);
  const positions: number[] = new Array(offsets.length);
  let characters = 1;
  let i = 0;
  for (const { offset, index } of order) {
    for (; i < offset; i++) {
      const code = text.charCodeAt(i);
      if (code >= 0xd800 && code <= 0xdbff && i + 1 < offset) i++; // the pair's second half
      characters++;
    }
    positions[index] = characters;
  }
  return positions;
}
