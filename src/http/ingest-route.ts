import type { Request, RequestHandler, Response } from 'express';
import { contentCoding, decompress } from '../ingest/decompress';
import { readBody } from '../ingest/read-body';
import type { Logger } from '../observability/logger';
import { deliverBatch } from '../pipeline/deliver';
import { processBatch, TooManyEventsError, type BatchOptions } from '../pipeline/process-batch';
import { badRequest, payloadTooLarge, Problem, serviceUnavailable } from '../problem';
import { SinkError, type Sink } from '../sinks/sink';
import { createAuthorizationCheck } from './authorization';
import type { SignatureVerifier } from '../pipeline/signature-verifier';

export interface IngestOptions {
  path: string;
  authorizations: readonly string[];
  /** Cap on the body as sent and on the decoded body, in bytes. */
  maxBody: number;
  batch: BatchOptions;
  sinks: readonly Sink[];
  deadLetter: Sink;
  logger: Logger;
  /** What 503 answers put in Retry-After. */
  retryAfterSeconds: number;
  /** Set when signatures are checked. */
  verifier?: SignatureVerifier;
}

/** How many per-event errors a response lists; the dead letter holds all of them. */
const LISTED_ERRORS = 10;

/** POST <path>: authorize → read → decompress → frame/parse/normalize → write → answer. */
export function ingestRoute(options: IngestOptions): RequestHandler {
  const isAuthorized = createAuthorizationCheck(options.authorizations);
  const batchOptions = { ...options.batch, ...options.verifier?.batchOptions() };
  const paths = new Set([options.path, options.path.endsWith('/') ? options.path.slice(0, -1) : `${options.path}/`]);

  return async (request: Request, response: Response, next) => {
    if (!paths.has(request.path)) return next();
    if (request.method !== 'POST') {
      throw new Problem(405, 'Method Not Allowed', `${request.method} is not accepted here; send events with POST`, {
        allow: 'POST',
      });
    }
    if (!isAuthorized(request.headers.authorization)) {
      request.resume();
      const requestId = response.locals.requestId as string;
      options.logger.warn('authorization failed', {
        request_id: requestId,
        client: request.socket.remoteAddress,
        reason: request.headers.authorization === undefined ? 'missing' : 'mismatch',
      });
      throw new Problem(
        401,
        'Unauthorized',
        request.headers.authorization === undefined
          ? 'the Authorization header is missing'
          : 'the Authorization header does not match any configured value (it is compared exactly, scheme and case included)',
      );
    }

    const body = await readBody(request, options.maxBody);
    const decoded = await decompress(body, contentCoding(request.headers['content-encoding'], body), options.maxBody);
    if (decoded.length === 0) throw badRequest('the request body is empty; send one event per line');

    const requestId = response.locals.requestId as string;
    const receivedAtMs = Date.now();
    const process = () => {
      try {
        return processBatch(decoded, receivedAtMs, requestId, batchOptions);
      } catch (error) {
        if (error instanceof TooManyEventsError) throw payloadTooLarge(`${error.message}; split the batch`);
        throw error;
      }
    };
    let batch = process();
    if (batch.signatures.invalid > 0 && options.verifier && (await options.verifier.refreshAfterFailure())) {
      batch = process(); // the keys rotated: check again with the new set
    }
    if (batch.accepted === 0 && batch.rejected.length === 0) {
      throw badRequest('the request body holds only blank lines; send one event per line');
    }

    try {
      await deliverBatch(batch, options.sinks, options.deadLetter);
    } catch (error) {
      if (!(error instanceof SinkError)) throw error;
      options.logger.error('sink write failed', { request_id: requestId, error: error.message });
      throw serviceUnavailable(`${error.message}; nothing from this request was acknowledged, retry later`, options.retryAfterSeconds);
    }

    if (batch.rejected.length > 0) {
      options.logger.warn('events rejected to the dead letter', { request_id: requestId, rejected: batch.rejected.length });
    }
    response.status(200).json({
      accepted: batch.accepted,
      rejected: batch.rejected.length,
      ...(batch.rejected.length > 0 ? { errors: batch.rejected.slice(0, LISTED_ERRORS) } : {}),
    });
  };
}
