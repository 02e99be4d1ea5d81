/**
 * The stand-in's own endpoint (not Konnect's): `POST /stand-in/signing-key/rotate` signs new
 * events with a new key, so that a receiver's handling of a key rotation can be tried end to end.
 *
 * - `{}` (or no body): the previous keys stay in the JWKS, as during a real rotation's overlap,
 *   so events signed before (and replays of them) still verify.
 * - `{"retire_previous": true}`: only the new key is published from now on.
 *
 * Answers 200 with the JWKS as it now is (the new key first).
 */
import { Router } from 'express';
import type { ApiContext } from './context';
import { invalidParameters, methodNotAllowed, type InvalidParameter } from './problems';
import { readBody } from './validation';

export function signingKeyRoutes(context: ApiContext): Router {
  const router = Router();
  router
    .route('/stand-in/signing-key/rotate')
    .post(async (request, response) => {
      // No body at all (Express leaves request.body undefined) or a blank one means `{}`.
      const body = typeof request.body !== 'string' || request.body.trim() === '' ? {} : readBody(request);
      const problems: InvalidParameter[] = [];
      for (const field of Object.keys(body)) {
        if (field !== 'retire_previous') problems.push({ field, rule: 'unknown_property', reason: 'is not a known property' });
      }
      if (body.retire_previous !== undefined && typeof body.retire_previous !== 'boolean') {
        problems.push({ field: 'retire_previous', rule: 'type', reason: 'must be true or false' });
      }
      if (problems.length > 0) throw invalidParameters(problems, 'the rotation request is not valid');
      const jwks = await context.rotateSigningKey(body.retire_previous === true);
      context.logger.info('signing key rotated', { kids: jwks.keys.map((key) => key.kid) });
      response.json(jwks);
    })
    .all(methodNotAllowed(['POST']));
  return router;
}
