import type { Frame, RejectionCode } from '../ingest/framing';
import { parseCef } from './cef';
import type { CefEvent, CefWarning } from './cef/types';
import { isJsonObject, parseJsonLossless, type JsonObject } from './json';

export type EventFormat = 'cef' | 'json' | 'cps';

export type ParsedEvent =
  | { format: 'json' | 'cps'; fields: JsonObject }
  | { format: 'cef'; cef: CefEvent; warnings: CefWarning[] };

export type ParseOutcome = { ok: true; event: ParsedEvent } | { ok: false; reason: string; code: RejectionCode };

export interface FormatOptions {
  /** Zone for CEF timestamps that carry none (and no `dtz`). */
  cefTimezone?: string;
}

/** Turn one frame into a parsed event of whichever format it is written in. */
export function parseFrame(frame: Frame, options: FormatOptions = {}): ParseOutcome {
  switch (frame.kind) {
    case 'invalid':
      return { ok: false, reason: frame.reason, code: frame.code };
    case 'json': {
      const parsed = parseJsonLossless(frame.text, frame.scanned);
      if (!parsed.ok) return { ok: false, reason: parsed.message, code: 'malformed_json' };
      const fields = parsed.value as JsonObject;
      return { ok: true, event: isCpsEnvelope(fields) ? { format: 'cps', fields: fields.event } : { format: 'json', fields } };
    }
    case 'text': {
      if (!frame.cef) {
        const reason = frame.afterCef
          ? 'line is neither a JSON object nor CEF (no "CEF:" found); it comes right after a CEF line, so it may be the rest of that line\'s event, cut at a raw line break in a value (CEF writes one as \\n)'
          : 'line is neither a JSON object nor CEF (no "CEF:" found)';
        return { ok: false, reason, code: 'unknown_format' };
      }
      const result = parseCef(frame.text, options.cefTimezone ? { timezone: options.cefTimezone } : {});
      if (!result.ok) return { ok: false, reason: `invalid CEF: ${result.error.message}`, code: 'invalid_cef' };
      return { ok: true, event: { format: 'cef', cef: result.event, warnings: result.warnings } };
    }
  }
}

/** CrowdStrike Parsing Standard wraps each event as {"event":{…}} and nothing else. */
function isCpsEnvelope(fields: JsonObject): fields is { event: JsonObject } {
  for (const key in fields) if (key !== 'event') return false;
  return isJsonObject(fields.event);
}
