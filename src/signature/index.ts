/** Ed25519 signatures on Konnect audit lines: keys, sign, verify, JWKS. See README.md. */

export { decodeBase64Url, encodeBase64Url } from './base64url';
export {
  ED25519_KEY_BYTES,
  formatPrivateKey,
  formatPublicKey,
  generateEd25519KeyPair,
  jwkThumbprint,
  parsePrivateKey,
  parsePublicKey,
  publicKeyFromJwk,
  publicKeyOf,
  publicKeyToJwk,
  readPrivateKeyFile,
  readPublicKeyFile,
  writePrivateKeyFile,
  writePublicKeyFile,
} from './keys';
export type { Ed25519KeyPair, Ed25519PrivateJwk, Ed25519PublicJwk, KeyEncoding, WriteKeyOptions } from './keys';
export { KONNECT_LOG_FORMATS, splitKonnectLine, splitKonnectLineBytes } from './konnect-line';
export type { KonnectLogFormat, SplitLine, SplitLineBytes } from './konnect-line';
export { ED25519_SIGNATURE_BYTES, hasWellFormedSignature, verifyLine, verifyLineAsync, verifyLineWithRefresh, verifySignature } from './verify';
export type { RefreshableKeySource, VerificationResult } from './verify';
export { signCefLine, signCpsLine, signJsonLine, signLine, signMessage } from './sign';
export { parseJwks, publishJwks } from './jwks';
export type { JwksDocument, JwksKey } from './jwks';
export {
  DEFAULT_JWKS_FETCH_TIMEOUT_MS,
  DEFAULT_JWKS_MIN_REFRESH_INTERVAL_MS,
  DEFAULT_JWKS_REFRESH_INTERVAL_MS,
  JwksSource,
} from './jwks-source';
export type { JwksSourceOptions, JwksSourceStatus } from './jwks-source';
