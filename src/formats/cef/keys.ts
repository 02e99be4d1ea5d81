/**
 * What an extension key is. A key is a run of letters, digits, `_`, `.`, `,`, `[`, `]` and `-`
 * whose first character is a letter, digit or `_` (wider than the spec's alphanumerics because
 * producers send `ad.user`, `ad.field[0]`, `ad.Error_,Code`, `X-Header`; Beats and Logstash do too).
 */

const SPACE = 32;

/** 1 = may appear in a key, 3 = may also start a key. ASCII only. */
const KEY_CHAR = new Uint8Array(128);
for (let c = 48; c <= 57; c++) KEY_CHAR[c] = 3; // 0-9
for (let c = 65; c <= 90; c++) KEY_CHAR[c] = 3; // A-Z
for (let c = 97; c <= 122; c++) KEY_CHAR[c] = 3; // a-z
KEY_CHAR[95] = 3; // _
for (const c of '.,[]-') KEY_CHAR[c.charCodeAt(0)] = 1;

export function isKeyChar(code: number): boolean {
  return code < 128 && KEY_CHAR[code] !== 0;
}

export function isKeyStartChar(code: number): boolean {
  return code < 128 && KEY_CHAR[code] === 3;
}

/** True when `key` is something the parser reads back as a key (the formatter checks this). */
export function isExtensionKey(key: string): boolean {
  if (key.length === 0 || !isKeyStartChar(key.charCodeAt(0))) return false;
  for (let i = 1; i < key.length; i++) if (!isKeyChar(key.charCodeAt(i))) return false;
  return true;
}

/**
 * If a key ends at the `=` at `eq` and starts after `floor` right behind a space (or behind
 * `alsoAfter`, when given), returns the key's first index; otherwise -1.
 */
export function keyStartBefore(line: string, eq: number, floor: number, alsoAfter = SPACE): number {
  let k = eq;
  while (k > floor && isKeyChar(line.charCodeAt(k - 1))) k--;
  if (k === eq || k <= floor) return -1;
  const before = line.charCodeAt(k - 1);
  if (before !== SPACE && before !== alsoAfter) return -1;
  return isKeyStartChar(line.charCodeAt(k)) ? k : -1;
}

/** If `line[from, …)` starts with a key followed by `=` (before `end`), the index of that `=`; else -1. */
export function keyEndAt(line: string, from: number, end: number): number {
  if (!isKeyStartChar(line.charCodeAt(from))) return -1;
  let k = from + 1;
  while (k < end && isKeyChar(line.charCodeAt(k))) k++;
  return k < end && line.charCodeAt(k) === 61 /* = */ ? k : -1;
}
