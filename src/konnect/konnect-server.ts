/**
 * The composition root of the Konnect stand-in: state and event stores in the data dir, the
 * signing key, synthetic traffic, batching and delivery, replay jobs and the HTTP API.
 */
import type { KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../config/config-error';
import type { KonnectConfig } from '../config/konnect-config';
import { formatHostForUrl, listenOrExplain } from '../config/listen-address';
import type { Logger } from '../observability/logger';
import { publicKeyOf } from '../signature';
import { createKonnectApi } from './api/app';
import type { ApiContext } from './api/context';
import { Deliveries } from './delivery/deliveries';
import { EventStore } from './event-store';
import { EventGenerator } from './events/generator';
import { signEvent, type KonnectEvent } from './events/render';
import type { ReplayStatus, TargetKey } from './model';
import { ReplayJobs } from './replay';
import { SigningKeys } from './signing-key';
import { StateStore } from './store';

export interface KonnectStandIn {
  /** The API's base URL, e.g. http://127.0.0.1:8081 */
  url: string;
  port: number;
  jwksUrl: string;
  /** The public half of the signing key at start (a rotation adds keys: see the JWKS). */
  publicKey: KeyObject;
  signingKeyPath: string;
  signingKeyGenerated: boolean;
  /** Signs, stores and queues events, as the injection endpoint does. */
  ingest(events: readonly KonnectEvent[]): Promise<void>;
  /** Sends what is waiting now instead of at the next flush interval. */
  flush(): void;
  /** Resolves when no live batch is in flight. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export interface StandInHooks {
  /** Each replay job status change, as it happens. */
  onReplayStatus?: (target: TargetKey, status: ReplayStatus) => void;
}

const MAINTENANCE_INTERVAL_MS = 10 * 60 * 1000;
const TRAFFIC_TICK_MS = 100;

export async function startKonnectStandIn(config: KonnectConfig, logger: Logger, hooks: StandInHooks = {}): Promise<KonnectStandIn> {
  let store: StateStore;
  let events: EventStore;
  try {
    store = await StateStore.open(config.dataDir);
    events = await EventStore.open(config.dataDir);
  } catch (error) {
    throw new ConfigError('--data-dir', `cannot use ${config.dataDir}: ${(error as Error).message}`);
  }
  const keys = await SigningKeys.load(config.signingKeyPath, config.dataDir);
  const publicKey = publicKeyOf(keys.privateKey);

  await events.maintain(Date.now(), config.retentionMs);
  const maintenance = setInterval(() => {
    events.maintain(Date.now(), config.retentionMs).catch((error: Error) => logger.error('event store maintenance failed', { error: error.message }));
  }, MAINTENANCE_INTERVAL_MS);

  const deliveries = new Deliveries({
    store,
    logger,
    retry: config.retry,
    timeoutMs: config.requestTimeoutMs,
    flushIntervalMs: config.flushIntervalMs,
    maxBatch: config.maxBatch,
    maxQueued: config.maxQueuedEvents,
    allowHttp: config.allowHttp,
    contentEncoding: config.contentEncoding,
  });
  const replay = new ReplayJobs({
    store,
    events,
    deliveries,
    logger,
    maxBatch: config.maxBatch,
    stepMs: config.replayStepMs,
    ...(hooks.onReplayStatus ? { onStatus: hooks.onReplayStatus } : {}),
  });
  await replay.recover();

  const generator = new EventGenerator({
    org: store.state.org,
    portalIds: () => Object.entries(store.state.portal_webhooks).filter(([, record]) => record.config.configured).map(([id]) => id),
  });

  const ingest = async (batch: readonly KonnectEvent[]): Promise<void> => {
    const now = Date.now();
    const signed = batch.map((event) => signEvent(event, keys.privateKey, now));
    await events.append(signed);
    deliveries.enqueue(signed);
  };

  const context: ApiContext = {
    store,
    replay,
    generator,
    ingest,
    jwks: () => keys.jwks(),
    rotateSigningKey: (retirePrevious) => keys.rotate(retirePrevious),
    apiToken: config.apiToken,
    allowHttp: config.allowHttp,
    retentionMs: config.retentionMs,
    logger,
  };
  const server = http.createServer(createKonnectApi(context));
  try {
    await listenOrExplain(server, config.listen);
  } catch (error) {
    clearInterval(maintenance);
    throw error;
  }
  deliveries.start();

  // Synthetic traffic: a steady rate, fractions carried over from tick to tick.
  let owed = 0;
  let last = Date.now();
  const traffic =
    config.eventsPerSecond > 0
      ? setInterval(() => {
          const now = Date.now();
          owed += (config.eventsPerSecond * (now - last)) / 1000;
          last = now;
          const count = Math.floor(owed);
          if (count === 0) return;
          owed -= count;
          ingest(generator.generate(count)).catch((error: Error) => logger.error('synthetic events could not be stored', { error: error.message }));
        }, TRAFFIC_TICK_MS)
      : undefined;

  const port = (server.address() as AddressInfo).port;
  const url = `http://${formatHostForUrl(config.listen.host)}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    jwksUrl: `${url}/v2/audit-log-webhook/jwks.json`,
    publicKey,
    signingKeyPath: keys.path,
    signingKeyGenerated: keys.generated,
    ingest,
    flush: () => deliveries.flushAll(),
    idle: () => deliveries.idle(),
    close() {
      closing ??= (async () => {
        if (traffic) clearInterval(traffic);
        clearInterval(maintenance);
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await replay.close();
        await deliveries.close();
        server.closeAllConnections();
        await serverClosed;
        await events.flush();
        await store.flush();
      })();
      return closing;
    },
  };
}

