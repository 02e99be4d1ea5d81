import type { Response } from 'express';
import type { Logger } from '../../observability/logger';
import type { JwksDocument } from '../../signature';
import type { EventGenerator } from '../events/generator';
import type { KonnectEvent } from '../events/render';
import type { ReplayJobs } from '../replay';
import type { StateStore } from '../store';
import { BARE_TOKEN_WARNING, lacksScheme, type Body } from './validation';

/** What the API routes work with. */
export interface ApiContext {
  store: StateStore;
  replay: ReplayJobs;
  generator: EventGenerator;
  /** Signs, stores and queues events (synthetic or injected). */
  ingest(events: readonly KonnectEvent[]): Promise<void>;
  jwks(): JwksDocument;
  /** Sign new events with a new key; the previous ones stay in the JWKS unless retired. Resolves to the new JWKS. */
  rotateSigningKey(retirePrevious: boolean): Promise<JwksDocument>;
  apiToken: string;
  allowHttp: boolean;
  retentionMs: number;
  logger: Logger;
}

/** The bare-token warning (§7): a response header and a log line, never the value itself. */
export function warnIfBareToken(context: ApiContext, response: Response, body: Body, where: string): void {
  const value = body.authorization;
  if (typeof value !== 'string' || !lacksScheme(value)) return;
  response.setHeader('warning', BARE_TOKEN_WARNING);
  context.logger.warn('authorization has no scheme; it is sent verbatim, so the receiver will likely reject it', { where });
}
