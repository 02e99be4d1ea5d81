/**
 * Base64url (RFC 4648 §5), as Konnect uses it for signatures and JWK `x`.
 * Konnect writes it without padding; padded input is accepted too.
 */

const BASE64URL_ALPHABET = /^[A-Za-z0-9_-]*$/;

export function encodeBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/**
 * Strict decode. Returns undefined for anything that is not canonical base64url:
 * a foreign character (`+`, `/`, space…), a bad length, misplaced padding, or
 * non-zero unused trailing bits. Node's own decoder silently skips such input,
 * which would let two different texts stand for one signature.
 */
export function decodeBase64Url(text: string): Buffer | undefined {
  const unpadded = withoutPadding(text);
  if (unpadded === undefined) return undefined;
  if (!BASE64URL_ALPHABET.test(unpadded) || unpadded.length % 4 === 1) return undefined;
  const bytes = Buffer.from(unpadded, 'base64url');
  if (bytes.toString('base64url') !== unpadded) return undefined;
  return bytes;
}

function withoutPadding(text: string): string | undefined {
  const firstPad = text.indexOf('=');
  if (firstPad < 0) return text;
  const padding = text.length - firstPad;
  const paddingIsWellFormed =
    padding <= 2 && text.length % 4 === 0 && /^=+$/.test(text.slice(firstPad));
  return paddingIsWellFormed ? text.slice(0, firstPad) : undefined;
}
