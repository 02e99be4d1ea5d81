/** A real stand-in on 127.0.0.1:0 with its data dir in a fresh temp directory. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import winston from 'winston';
import { buildKonnectConfig, resolveKonnectRawOptions, type KonnectConfig } from '../../../src/config/konnect-config';
import { startKonnectStandIn, type KonnectStandIn, type StandInHooks } from '../../../src/konnect/konnect-server';
import type { Logger } from '../../../src/observability/logger';

export const API_TOKEN = 'kpat_test_token_0123456789';
export const AUTH = `Bearer ${API_TOKEN}`;

export interface TestStandIn extends KonnectStandIn {
  directory: string;
  config: KonnectConfig;
  /** Everything the stand-in logged, one JSON line each. */
  logs(): string;
}

/** A logger that keeps what it writes, to check what the service logs (and never logs). */
export function capturingLogger(): { logger: Logger; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  const logger = winston.createLogger({
    level: 'debug',
    format: winston.format.json(),
    transports: [new winston.transports.Stream({ stream })],
  });
  return { logger, text: () => text };
}

export async function startTestStandIn(
  overrides: Partial<KonnectConfig> = {},
  options: { directory?: string; hooks?: StandInHooks } = {},
): Promise<TestStandIn> {
  const directory = options.directory ?? fs.mkdtempSync(path.join(os.tmpdir(), 'konnect-stand-in-'));
  const config: KonnectConfig = {
    ...buildKonnectConfig(
      resolveKonnectRawOptions(
        { listen: '127.0.0.1:0', apiToken: API_TOKEN, dataDir: directory, eventsPerSecond: '0', flushInterval: '50ms' },
        {},
      ),
    ),
    retry: { maxRetries: 4, waitMinMs: 10, waitMaxMs: 2000 },
    replayStepMs: 50,
    requestTimeoutMs: 5000,
    ...overrides,
  };
  const { logger, text } = capturingLogger();
  const standIn = await startKonnectStandIn(config, logger, options.hooks);
  return { ...standIn, directory, config, logs: text };
}

/** Closes the stand-in and removes its data dir. */
export async function stopTestStandIn(standIn: TestStandIn | undefined): Promise<void> {
  if (!standIn) return;
  await standIn.close();
  fs.rmSync(standIn.directory, { recursive: true, force: true });
}

/** Polls `check` until it returns something other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
