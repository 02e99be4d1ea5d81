/**
 * A copy of `text` that shares no memory with the string it was cut from. V8 keeps a slice of a
 * long string as a view into the whole, so a cache keyed by a slice of a request body would keep
 * the whole body (up to --max-body) alive for as long as the entry lives. For cache misses only.
 */
export function ownCopy(text: string): string {
  // UTF-16 code units there and back: exact for any string, lone surrogates included.
  return Buffer.from(text, 'utf16le').toString('utf16le');
}
