import type { IncomingMessage, ServerResponse } from 'node:http';
import { contentCoding, decompress } from '../ingest/decompress';
import { readBody } from '../ingest/read-body';
import type { Logger } from '../observability/logger';
import { deliverBatch } from '../pipeline/deliver';
import type { BatchRunner } from '../pipeline/batch-runner';
import { badRequest, Problem, serviceUnavailable } from '../problem';
import { writeJson } from '../problem-handler';
import { SinkError, type Sink } from '../sinks/sink';
import type { AcceptedAuthorizations } from './authorization';
import { continueIfAwaited } from './expect-continue';
import type { SignatureVerifier } from '../pipeline/signature-verifier';
import type { AuthFailureLimiter } from './auth-failure-limiter';
import type { InFlightBudget } from './in-flight-budget';
import type { ReceiverMetrics } from '../observability/metrics';
import { keepRecords, type Claim, type Deduplicator } from '../pipeline/deduplicate';

export interface IngestOptions {
  path: string;
  /** The Authorization values accepted now (a reload may replace them). */
  authorizations: AcceptedAuthorizations;
  /** Cap on the body as sent and on the decoded body, in bytes. */
  maxBody: number;
  /** frame → verify → parse → normalize, on this thread or on workers. */
  batches: BatchRunner;
  sinks: readonly Sink[];
  deadLetter: Sink;
  logger: Logger;
  /** What 503 answers put in Retry-After. */
  retryAfterSeconds: number;
  /** Set when signatures are checked. */
  verifier?: SignatureVerifier;
  budget: InFlightBudget;
  authFailures: AuthFailureLimiter;
  /** Set when resent events are acknowledged without being written again (--dedup-window). */
  deduplicator?: Deduplicator;
  metrics: ReceiverMetrics;
}

/** How many per-event errors a response lists; the dead letter holds all of them. */
const LISTED_ERRORS = 10;

/** The ingest route's paths: --path, with or without a trailing slash (Express's non-strict routing). */
export function ingestPaths(path: string): ReadonlySet<string> {
  return new Set([path, path.endsWith('/') ? path.slice(0, -1) : `${path}/`]);
}

/** Handles a request to one of ingestPaths; rejects with the Problem to answer. */
export type IngestHandler = (request: IncomingMessage, response: ServerResponse, requestId: string) => Promise<void>;

/**
 * <path>: authorize → read → decompress → frame/parse/normalize → write → answer. Plain
 * node:http, not an Express handler: see createReceiverListener for why.
 */
export function ingestRoute(options: IngestOptions): IngestHandler {
  const accepted = options.authorizations;

  return async (request, response, requestId) => {
    if (request.method !== 'POST') {
      throw new Problem(405, 'Method Not Allowed', `${request.method} is not accepted here; send events with POST`, {
        allow: 'POST',
      });
    }
    // Node keeps only the first of several; a proxy in front may go by another one.
    if ((request.headersDistinct.authorization?.length ?? 0) > 1) {
      request.resume();
      throw badRequest('several Authorization headers were sent; send exactly one');
    }
    if (!accepted.isAuthorized(request.headers.authorization)) {
      request.resume();
      const client = request.socket.remoteAddress ?? 'unknown';
      // Only failures are limited: the right value always passes, so nobody who shares the
      // sender's address (a proxy, a tunnel) can hold its deliveries up by failing on purpose.
      const blockedFor = options.authFailures.retryAfterSeconds(client);
      if (blockedFor !== undefined) {
        options.metrics.authorizationFailures.inc({ reason: 'rate_limited' });
        throw new Problem(429, 'Too Many Requests', `too many failed authorizations from ${client}; try again in ${blockedFor} s`, {
          'retry-after': String(blockedFor),
        });
      }
      options.authFailures.recordFailure(client);
      const reason = request.headers.authorization === undefined ? 'missing' : 'mismatch';
      options.metrics.authorizationFailures.inc({ reason });
      options.logger.warn('authorization failed', { request_id: requestId, client, reason });
      throw new Problem(
        401,
        'Unauthorized',
        reason === 'missing'
          ? 'the Authorization header is missing'
          : 'the Authorization header does not match any configured value (it is compared exactly, scheme and case included)',
        { 'www-authenticate': accepted.challenge },
      );
    }

    const keylessFor = options.verifier?.keylessRetryAfterSeconds();
    if (keylessFor !== undefined) {
      request.resume();
      throw serviceUnavailable(
        'no public key is loaded from the JWKS yet, so no signature can be checked (--signatures require); nothing was accepted, retry later',
        keylessFor,
      );
    }

    // Every byte held for this request counts against the in-flight budget until the handler is done with it.
    let reserved = 0;
    const reserve = (bytes: number) => {
      if (!options.budget.tryReserve(bytes)) {
        return serviceUnavailable(
          `the receiver is holding ${options.budget.bytesInFlight} bytes of requests, near its limit (--max-in-flight); retry later`,
          options.retryAfterSeconds,
        );
      }
      reserved += bytes;
      options.metrics.inFlightBytes.set(options.budget.bytesInFlight);
      return undefined;
    };
    try {
      await ingest(request, response, requestId, reserve);
    } finally {
      options.budget.release(reserved);
      options.metrics.inFlightBytes.set(options.budget.bytesInFlight);
    }
  };

  async function ingest(
    request: IncomingMessage,
    response: ServerResponse,
    requestId: string,
    reserve: (bytes: number) => Error | undefined,
  ): Promise<void> {
    // Authorized, and its declared length within the limit: only now is the body asked for.
    const body = await readBody(request, options.maxBody, reserve, () => continueIfAwaited(response));
    const decoded = await decompress(body, contentCoding(request.headers['content-encoding'], body), options.maxBody, reserve);
    options.metrics.requestBytes.inc(body.length);
    options.metrics.decodedBytes.inc(decoded.length);
    if (decoded.length === 0) throw badRequest('the request body is empty; send one event per line');

    const receivedAtMs = Date.now();
    // A body this route decompressed is its own memory; without signatures it is never read
    // again (no second check after a key rotation), so a worker may take it instead of a copy.
    const handOver = decoded !== body && !options.verifier;
    const runBatch = () => options.batches.run(decoded, receivedAtMs, requestId, handOver);
    const keysChecked = options.verifier?.keys();
    let batch = await runBatch();
    let claim: Claim | undefined;
    try {
      // A refetch may bring a key Konnect rotated in, unless every invalid sig is no signature at all.
      const unverified = batch.signatures.invalid - batch.malformedSignatures;
      const verdict = unverified > 0 && options.verifier ? await options.verifier.afterInvalidSignatures(keysChecked!) : 'final';
      if (verdict === 'recheck') {
        batch.release();
        batch = await runBatch(); // the keys rotated: check again with the new set
      } else if (verdict !== 'final' && options.verifier?.mode === 'require') {
        // Refused for now, not dead-lettered: the keys may be older than the signatures.
        throw serviceUnavailable(
          `${unverified} ${unverified === 1 ? 'event has' : 'events have'} a signature no loaded key verifies; the keys are fetched again within ${verdict} s in case Konnect rotated them (--signatures require): nothing was accepted, retry then`,
          verdict,
        );
      }
      if (batch.accepted === 0 && batch.rejected.length === 0) {
        throw badRequest('the request body holds only blank lines; send one event per line');
      }
      claim = options.deduplicator?.claim(batch.identities);
      const toWrite =
        claim === undefined || claim.duplicates.length === 0
          ? batch
          : { ...batch, acceptedOutput: keepRecords(batch.acceptedOutput, batch.recordEnds, claim.fresh) };
      await deliverBatch(
        toWrite,
        options.sinks,
        options.deadLetter,
        options.metrics.sinkObserver,
        () => claim?.written(),
        () => options.metrics.deadLetterRecords.inc(toWrite.rejected.length),
      );
    } catch (error) {
      claim?.failed();
      if (!(error instanceof SinkError)) throw error;
      options.logger.error('sink write failed', { request_id: requestId, error: error.message });
      throw serviceUnavailable(`${error.message}; nothing from this request was acknowledged, retry later`, options.retryAfterSeconds);
    } finally {
      // Every write has settled (deliverBatch waits for all of them): the memory can be reused.
      batch.release();
    }

    // Events another request was writing count only once that write completed.
    await claim?.othersWritten().catch(() => {
      throw serviceUnavailable('some events of this request were being written by another request, whose write failed; retry', options.retryAfterSeconds);
    });
    const duplicates = claim?.duplicates ?? [];
    options.metrics.recordDelivered(batch, duplicates);
    if (batch.rejected.length > 0) {
      options.logger.warn('events rejected to the dead letter', { request_id: requestId, rejected: batch.rejected.length });
    }
    writeJson(response, 200, {
      accepted: batch.accepted - duplicates.length,
      rejected: batch.rejected.length,
      ...(duplicates.length > 0 ? { duplicates: duplicates.length } : {}),
      ...(batch.rejected.length > 0 ? { errors: batch.rejected.slice(0, LISTED_ERRORS) } : {}),
    });
  }
}

