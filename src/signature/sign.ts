/**
 * Signs lines the way Konnect does, for the local stand-in of Konnect and tests.
 * The caller builds the line; nothing here serializes or reorders JSON.
 */

import { sign, type KeyObject } from 'node:crypto';

import { encodeBase64Url } from './base64url';
import { memberKeyIs, skimJsonObject, JsonSkimError } from './json-skim';
import type { JsonObjectSkim } from './json-skim';
import { assertEd25519 } from './keys';
import type { KonnectLogFormat } from './konnect-line';

/** base64url (no padding) of the pure Ed25519 signature of `message` (UTF-8 when a string). */
export function signMessage(message: string | Uint8Array, privateKey: KeyObject): string {
  assertSigningKey(privateKey);
  const bytes = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
  return encodeBase64Url(sign(null, bytes, privateKey));
}

/**
 * `<line> sig=<b64url>`: signs the whole line, `<ts> konghq.com ` prefix included. A line that
 * already ends in ` sig=…` is signed as it is, as Konnect would: that is a client's text (a user
 * agent `x sig=AAAA`, Konnect escapes nothing), and verification takes the last ` sig=`.
 */
export function signCefLine(lineWithoutSig: string, privateKey: KeyObject): string {
  assertSingleLine(lineWithoutSig);
  return `${lineWithoutSig} sig=${signMessage(lineWithoutSig, privateKey)}`;
}

/**
 * Inserts `,"sig":"<b64url>"` before the final `}` of a compact JSON object
 * (`{"sig":"…"}` for `{}`). The signed message is the input, byte for byte.
 */
export function signJsonLine(compactJsonWithoutSig: string, privateKey: KeyObject): string {
  assertSingleLine(compactJsonWithoutSig);
  const bytes = Buffer.from(compactJsonWithoutSig, 'utf8');
  const object = skimWholeObject(bytes, 'JSON line');
  if (object.members.some((member) => memberKeyIs(bytes, member, 'sig'))) {
    throw new Error('JSON line already has a sig');
  }
  return insertSig(bytes, object, signMessage(bytes, privateKey));
}

/**
 * CPS (`{"event":{…}}`): Konnect does not document how it signs CPS. Our choice,
 * matched by verifyLine: the message is the whole outer line without the sig,
 * and the sig goes at the end of the `event` object, like a JSON-format event.
 */
export function signCpsLine(compactCpsLineWithoutSig: string, privateKey: KeyObject): string {
  assertSingleLine(compactCpsLineWithoutSig);
  const bytes = Buffer.from(compactCpsLineWithoutSig, 'utf8');
  const outer = skimWholeObject(bytes, 'CPS line');
  if (outer.members.some((member) => memberKeyIs(bytes, member, 'sig'))) {
    throw new Error('CPS line already has a sig');
  }
  const event = outer.members.find((member) => memberKeyIs(bytes, member, 'event'));
  if (event === undefined || bytes[event.valueStart] !== 0x7b) {
    throw new Error('CPS line has no "event" object');
  }
  const eventObject = skimJsonObject(bytes, event.valueStart);
  if (eventObject.members.some((member) => memberKeyIs(bytes, member, 'sig'))) {
    throw new Error('CPS line already has a sig');
  }
  return insertSig(bytes, eventObject, signMessage(bytes, privateKey));
}

export function signLine(line: string, format: KonnectLogFormat, privateKey: KeyObject): string {
  switch (format) {
    case 'cef':
      return signCefLine(line, privateKey);
    case 'json':
      return signJsonLine(line, privateKey);
    case 'cps':
      return signCpsLine(line, privateKey);
  }
}

function insertSig(bytes: Buffer, object: JsonObjectSkim, signature: string): string {
  const separator = object.members.length > 0 ? ',' : '';
  const member = Buffer.from(`${separator}"sig":"${signature}"`, 'utf8');
  const closeBrace = object.closeBrace;
  return Buffer.concat([bytes.subarray(0, closeBrace), member, bytes.subarray(closeBrace)]).toString('utf8');
}

/** The line must be exactly one JSON object: `{` first, its `}` last. */
function skimWholeObject(bytes: Buffer, label: string): JsonObjectSkim {
  if (bytes[0] !== 0x7b) throw new Error(`${label} must start with "{"`);
  let object: JsonObjectSkim;
  try {
    object = skimJsonObject(bytes, 0);
  } catch (error) {
    if (error instanceof JsonSkimError) throw new Error(`${label} is not a JSON object: ${error.message}`);
    throw error;
  }
  if (object.closeBrace !== bytes.length - 1) {
    throw new Error(`${label} must end with the object's closing "}"`);
  }
  return object;
}

function assertSigningKey(key: KeyObject): void {
  assertEd25519(key, 'signing key');
  if (key.type !== 'private') throw new Error('signing key is a public key, expected a private key');
}

// A line break inside would split the event when the receiver frames the batch by lines.
function assertSingleLine(line: string): void {
  if (/[\r\n]/.test(line)) throw new Error('line contains a line break');
}
