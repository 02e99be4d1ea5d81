/** `Authorization: Bearer <api token>` on every API call (§1.1), compared in constant time. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { Problem } from '../../problem';

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

export function requireBearer(token: string): RequestHandler {
  const expected = digest(token);
  return (request, _response, next) => {
    const header = request.headers.authorization;
    const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match || !timingSafeEqual(digest(match[1]!), expected)) {
      throw new Problem(401, 'Unauthorized', 'Unauthorized', { 'www-authenticate': 'Bearer realm="konnect-stand-in"' });
    }
    next();
  };
}
