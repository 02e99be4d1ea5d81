/**
 * The one error type that crosses layers: a status, a short title and a detail a person can
 * act on. The HTTP layer turns it into application/problem+json; nothing else formats it.
 */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = 'Problem';
  }
}

export const badRequest = (detail: string, extensions?: Record<string, unknown>) =>
  new Problem(400, 'Bad Request', detail, {}, extensions);
// No `Connection: close` of its own: an answer sent while the body is still arriving closes the
// connection anyway (connection-close.ts), and one sent after it all arrived must not, or the
// answers to requests pipelined behind it, already under way, would never be sent.
export const payloadTooLarge = (detail: string) => new Problem(413, 'Payload Too Large', detail);
export const unsupportedMediaType = (detail: string) => new Problem(415, 'Unsupported Media Type', detail);
export const serviceUnavailable = (detail: string, retryAfterSeconds: number, headers: Record<string, string> = {}) =>
  new Problem(503, 'Service Unavailable', detail, { 'retry-after': String(retryAfterSeconds), ...headers });
