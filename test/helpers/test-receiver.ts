import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildServeConfig, resolveRawOptions, type RawOptions } from '../../src/config/serve-config';
import { silentLogger, type Logger } from '../../src/observability/logger';
import { startReceiver, type RunningReceiver } from '../../src/receiver';

export const TEST_AUTHORIZATION = 'Bearer test-token-123';

export interface TestReceiver extends RunningReceiver {
  /** http://127.0.0.1:PORT, for supertest. */
  origin: string;
  directory: string;
  eventsFile: string;
  deadLetterFile: string;
  events(): Array<Record<string, any>>;
  deadLetters(): Array<Record<string, any>>;
}

/** A real receiver on 127.0.0.1 with a file sink in a fresh temp directory. */
export async function startTestReceiver(flags: RawOptions = {}, logger: Logger = silentLogger()): Promise<TestReceiver> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-relay-test-'));
  const eventsFile = path.join(directory, 'events.ndjson');
  const deadLetterFile = path.join(directory, 'dead-letter.ndjson');
  // A receiver that fails to start (the tests of bad settings) leaves no directory behind.
  const receiver = await startWithFileSink(eventsFile, deadLetterFile, flags, logger).catch((error: unknown) => {
    fs.rmSync(directory, { recursive: true, force: true });
    throw error;
  });
  return {
    ...receiver,
    origin: `http://127.0.0.1:${receiver.port}`,
    directory,
    eventsFile,
    deadLetterFile,
    events: () => readNdjson(eventsFile),
    deadLetters: () => readNdjson(deadLetterFile),
    async close() {
      await receiver.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}

async function startWithFileSink(eventsFile: string, deadLetterFile: string, flags: RawOptions, logger: Logger): Promise<RunningReceiver> {
  const config = buildServeConfig(
    resolveRawOptions(
      {
        listen: '127.0.0.1:0',
        authorization: [TEST_AUTHORIZATION],
        sink: [`file:${eventsFile}`],
        deadLetter: deadLetterFile,
        fsync: 'never',
        // Worker threads run the built JavaScript; in-process tests run the TypeScript sources.
        // The spawned-CLI tests cover the workers.
        workers: '0',
        // These tests send the same sample events again and again, each time to see it written;
        // deduplication has its own tests, which turn it on.
        dedupWindow: '0',
        ...flags,
      },
      {},
    ),
  );
  return startReceiver(config, logger);
}

export function readNdjson(file: string): Array<Record<string, any>> {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));
}
