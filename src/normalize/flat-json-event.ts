import type { FlatMember } from '../formats/json/flat-object';
import { normalizeEventTs } from './event-time';
import { typeAsKind, type KonnectKind } from './konnect-typing';
import { jsonLayout } from './normalize-event';

/**
 * The normalized event of a flat JSON line, as JSON text: exactly what
 * JSON.stringify(normalizeEvent(…)) gives for the parsed line, but written from the line itself,
 * with no object built. Konnect's JSON is flat, compact and sorted but for `sig` (last), so most
 * of a line is copied in a few slices: only values whose type the rule changes (`trace_id`, `rt`,
 * `success`…) are written anew. `members` are the line's, from readFlatObject. undefined when the
 * line names a key twice; the general path then parses it.
 */
export function normalizeFlatJson(text: string, members: readonly FlatMember[]): string | undefined {
  const keys: string[] = new Array(members.length);
  for (let i = 0; i < members.length; i++) keys[i] = members[i]!.key;
  const layout = jsonLayout(keys);
  // A key twice: JSON.parse keeps the last value in the first one's place.
  if (layout.keys.length !== members.length) return undefined;

  let out = '{';
  let separator = '';
  // A run of members that keep their text and come in the input's order is copied as one slice.
  let runStart = -1;
  let runEnd = -1;
  let previousIndex = -2;
  for (let i = 0; i < members.length; i++) {
    const index = layout.fieldIndexes[i]!;
    const member = members[index]!;
    const written = retypedValue(text, member, layout.kinds[i]);
    if (written === undefined && runStart >= 0 && index === previousIndex + 1) {
      runEnd = member.valueEnd;
    } else {
      if (runStart >= 0) {
        out += separator + text.slice(runStart, runEnd);
        separator = ',';
      }
      if (written === undefined) {
        runStart = member.start;
        runEnd = member.valueEnd;
      } else {
        runStart = -1;
        out += separator + text.slice(member.start, member.valueStart) + written;
        separator = ',';
      }
    }
    previousIndex = index;
  }
  if (runStart >= 0) out += separator + text.slice(runStart, runEnd);
  return out + '}';
}

/** The value's new text when the typing rule changes it (or JSON writes it differently); undefined when it stays. */
function retypedValue(text: string, member: FlatMember, kind: KonnectKind | 'event_ts' | undefined): string | undefined {
  let value: unknown;
  switch (member.kind) {
    case 'plain-string':
      if (kind === undefined || kind === 'string') return undefined;
      value = text.slice(member.valueStart + 1, member.valueEnd - 1);
      break;
    case 'escaped-string':
      value = member.value;
      break;
    case 'safe-integer':
      if (kind === undefined || kind === 'integer') return undefined;
      value = Number(text.slice(member.valueStart, member.valueEnd));
      break;
    case 'unsafe-integer':
      value = text.slice(member.valueStart, member.valueEnd);
      break;
    case 'true':
    case 'false':
      if (kind === undefined || kind === 'boolean') return undefined;
      value = member.kind === 'true';
      break;
    case 'null':
      return undefined; // no rule changes null
  }
  const typed = kind === 'event_ts' ? normalizeEventTs(value) : typeAsKind(kind, value);
  // An unsafe integer becomes a string, and escapes are written the way JSON.stringify writes them.
  if (typed === value && member.kind !== 'unsafe-integer' && member.kind !== 'escaped-string') return undefined;
  return JSON.stringify(typed);
}
