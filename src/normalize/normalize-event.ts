import type { CefEvent } from '../formats/cef/types';
import type { ParsedEvent } from '../formats/parse-frame';
import type { JsonObject } from '../formats/json';
import { ownCopy } from '../formats/cef/own-copy';
import { normalizeEventTs } from './event-time';
import { integerTextKeptAsIs, konnectKindOf, typeAsKind, type KonnectKind } from './konnect-typing';

export type NormalizedEvent = Record<string, unknown>;

/**
 * One Konnect-shaped event whatever the wire format, so that the same event sent as CEF and
 * as JSON comes out identical. Keys are sorted, as in Konnect's own JSON.
 */
export function normalizeEvent(parsed: ParsedEvent): NormalizedEvent {
  return parsed.format === 'cef' ? fromCef(parsed.cef) : fromJson(parsed.fields);
}

function fromJson(fields: JsonObject): NormalizedEvent {
  return build(layoutFor(Object.keys(fields), NO_HEADER), fields, NO_HEADER);
}

function fromCef(cef: CefEvent): NormalizedEvent {
  const { layout, headerValues } = cefLayout(cef);
  return build(layout, cef.extensions, headerValues);
}

/** CEF header fields and the prefix time join the extensions, and win over extensions of the same name. */
function cefLayout(cef: CefEvent): { layout: Layout; headerValues: unknown[] } {
  const time = cef.prefix?.time?.iso ?? cef.prefix?.unreadTime;
  const header = time !== undefined ? HEADER_KEYS_AND_TIME : HEADER_KEYS;
  const headerValues = [cef.version, cef.deviceVendor, cef.deviceProduct, cef.deviceVersion, cef.deviceEventClassId, cef.name, cef.severity, time];
  return { layout: layoutFor(Object.keys(cef.extensions), header), headerValues };
}

/**
 * JSON.stringify(normalizeEvent(…)) of a CEF event, written without building the object. Only
 * for an event whose line holds nothing JSON escapes (no `"`, `\` or control character): then
 * no value needs escaping either, as each is a piece of the line (nothing was unescaped), a
 * number, or a time written here.
 */
export function normalizedPlainCefJson(cef: CefEvent): string {
  const { layout, headerValues } = cefLayout(cef);
  const { keys, sources, kinds, memberPrefixes, stringMemberPrefixes } = layout;
  if (memberPrefixes === undefined || stringMemberPrefixes === undefined) return JSON.stringify(build(layout, cef.extensions, headerValues));
  // A string value's closing quote goes out with the next member's prefix: two pieces per member.
  let out = '';
  let quoteOpen = false;
  for (let i = 0; i < keys.length; i++) {
    const source = sources[i]!;
    const value = source === FROM_FIELDS ? cef.extensions[keys[i]!] : headerValues[source];
    const kind = kinds[i];
    const close = quoteOpen ? '"' : '';
    if (kind === 'integer' && typeof value === 'string' && integerTextKeptAsIs(value)) {
      // What toInteger and JSON.stringify would give, without either (a 13-digit `rt` is no small integer).
      out += close + memberPrefixes[i] + value;
      quoteOpen = false;
      continue;
    }
    const typed = kind === 'event_ts' ? normalizeEventTs(value) : typeAsKind(kind, value);
    if (typed === undefined) return JSON.stringify(build(layout, cef.extensions, headerValues));
    if (typeof typed === 'string') {
      out += close + stringMemberPrefixes[i] + typed;
      quoteOpen = true;
    } else {
      out += close + memberPrefixes[i] + JSON.stringify(typed);
      quoteOpen = false;
    }
  }
  return quoteOpen ? `${out}"}` : `${out}}`;
}

/** Konnect's JSON names of the CEF header fields, in the order `fromCef` lists their values. */
const HEADER_KEYS: readonly string[] = ['cef_version', 'event_vendor', 'event_product', 'event_version', 'event_class_id', 'name', 'severity'];
const HEADER_KEYS_AND_TIME: readonly string[] = [...HEADER_KEYS, 'event_ts'];
const NO_HEADER: readonly never[] = [];

/**
 * What one key sequence becomes: the output keys sorted, where each value comes from, and its
 * kind. Konnect's events come in a few key sequences (its JSON is sorted but for `sig`, last), so
 * this is worked out once per sequence instead of sorting and looking up every key per event.
 */
export interface Layout {
  keys: readonly string[];
  /** Per output key, its index among the field keys; FROM_HEADER for a header value. */
  fieldIndexes: readonly number[];
  /** FROM_FIELDS, or an index into the header values. */
  sources: readonly number[];
  /** 'event_ts' for the value that goes through normalizeEventTs. */
  kinds: ReadonlyArray<KonnectKind | 'event_ts' | undefined>;
  /**
   * Per output key, its JSON text up to the value (`{"key":`, then `,"key":`); undefined when
   * an object would not hold the keys in this order (array-index keys go first), or for a
   * `__proto__` key (rare enough to leave to JSON.stringify of the built object).
   */
  memberPrefixes: readonly string[] | undefined;
  /** The same, each followed by the opening quote of a string value. */
  stringMemberPrefixes: readonly string[] | undefined;
}

const FROM_FIELDS = -1;
const FROM_HEADER = -1;

/** Assigned one by one in sorted order; a field named `__proto__` is kept as a field of its own, never made the prototype. */
function build(layout: Layout, fields: Readonly<Record<string, unknown>>, headerValues: readonly unknown[]): NormalizedEvent {
  const { keys, sources, kinds } = layout;
  const typed: Record<string, unknown> = {};
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const source = sources[i]!;
    const value = source === FROM_FIELDS ? fields[key] : headerValues[source];
    const kind = kinds[i];
    const typedValue = kind === 'event_ts' ? normalizeEventTs(value) : typeAsKind(kind, value);
    if (key === '__proto__') Object.defineProperty(typed, key, { value: typedValue, enumerable: true, writable: true, configurable: true });
    else typed[key] = typedValue;
  }
  return typed;
}

/**
 * Layouts are found through a trie of field keys, one level per key. Property names are unique
 * strings in the engine, so comparing a key with a node's few children is a pointer check: much
 * cheaper than joining the keys into one string to look up. Keys come from the sender, so the
 * trie is bounded (nodes, children per node, key length, keys per event): when full it starts
 * over (as the CEF key trie does), so junk can neither grow it nor pin it.
 */
interface TrieNode {
  keys: string[];
  children: TrieNode[];
  layout: Layout | undefined;
}

/** Tests lower these. */
export const LAYOUT_CACHE_LIMITS = { nodes: 4096, children: 32, keyLength: 64, keys: 64 };
/** One trie per header (JSON, CEF, CEF with a prefix time). */
let tries = new Map<readonly string[], TrieNode>();
let nodeCount = 0;

/** How many trie nodes are in use (for tests). */
export function layoutCacheSize(): number {
  return nodeCount;
}

/** The layout of a JSON event with these keys, in the order they came (cached like every layout). */
export function jsonLayout(fieldKeys: string[]): Layout {
  return layoutFor(fieldKeys, NO_HEADER);
}

function layoutFor(fieldKeys: string[], headerKeys: readonly string[]): Layout {
  const node = trieNodeFor(fieldKeys, headerKeys);
  if (node === undefined) return makeLayout(fieldKeys, headerKeys);
  // Cached: built from copies, as a key sliced from a line would keep its whole request body alive.
  return (node.layout ??= makeLayout(fieldKeys.map(ownCopy), headerKeys));
}

/** The node for this key sequence, added when new; undefined when it is not to be cached. */
function trieNodeFor(fieldKeys: string[], headerKeys: readonly string[]): TrieNode | undefined {
  if (fieldKeys.length > LAYOUT_CACHE_LIMITS.keys) return undefined;
  if (nodeCount + fieldKeys.length + 1 > LAYOUT_CACHE_LIMITS.nodes) startOver();
  let node = tries.get(headerKeys) ?? newTrie(headerKeys);
  for (let i = 0; i < fieldKeys.length; i++) {
    const key = fieldKeys[i]!;
    const keys = node.keys;
    let child = 0;
    while (child < keys.length && keys[child] !== key) child++;
    if (child === keys.length) {
      if (key.length > LAYOUT_CACHE_LIMITS.keyLength) return undefined;
      if (child >= LAYOUT_CACHE_LIMITS.children) {
        startOver();
        return undefined;
      }
      keys.push(ownCopy(key));
      node.children.push(newNode());
    }
    node = node.children[child]!;
  }
  return node;
}

function startOver(): void {
  tries = new Map();
  nodeCount = 0;
}

function newTrie(headerKeys: readonly string[]): TrieNode {
  const root = newNode();
  tries.set(headerKeys, root);
  return root;
}

function newNode(): TrieNode {
  nodeCount++;
  return { keys: [], children: [], layout: undefined };
}

function makeLayout(fieldKeys: string[], headerKeys: readonly string[]): Layout {
  const sourceOf = new Map<string, number>();
  const fieldIndexOf = new Map<string, number>();
  fieldKeys.forEach((key, index) => {
    sourceOf.set(key, FROM_FIELDS);
    if (!fieldIndexOf.has(key)) fieldIndexOf.set(key, index);
  });
  headerKeys.forEach((key, index) => sourceOf.set(key, index));
  const keys = [...sourceOf.keys()].sort();
  const sources = keys.map((key) => sourceOf.get(key)!);
  const memberPrefixes = keys.some((key) => key === '__proto__' || /^\d/.test(key))
    ? undefined
    : keys.map((key, i) => `${i === 0 ? '{' : ','}${JSON.stringify(key)}:`);
  return {
    keys,
    fieldIndexes: keys.map((key, i) => (sources[i] === FROM_FIELDS ? fieldIndexOf.get(key)! : FROM_HEADER)),
    sources,
    kinds: keys.map((key) => (key === 'event_ts' ? 'event_ts' : konnectKindOf(key))),
    memberPrefixes,
    stringMemberPrefixes: memberPrefixes?.map((prefix) => `${prefix}"`),
  };
}
