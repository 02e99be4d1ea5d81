import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI, REPO_ROOT, spawnCli, type SpawnedCli } from '../helpers/spawn-cli';
import { closedPort } from '../konnect/support/capture-server';

const HEALTHCHECK = path.join(REPO_ROOT, 'scripts', 'healthcheck.js');

/** The image's HEALTHCHECK, run as Docker runs it: its exit code, with the container's environment. */
function healthcheck(env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    execFile('node', [HEALTHCHECK], { env: { PATH: process.env.PATH, ...env } }, (error) => resolve(error ? Number(error.code) : 0));
  });
}

describe('scripts/healthcheck.js, the container health check', () => {
  let directory: string;
  let running: SpawnedCli | undefined;
  beforeEach(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'healthcheck-'));
  });
  afterEach(async () => {
    await running?.stop('SIGTERM');
    running = undefined;
    fs.rmSync(directory, { recursive: true, force: true });
  });

  const serve = async (...flags: string[]): Promise<string> => {
    running = spawnCli('node', [CLI, 'serve', '--listen', '127.0.0.1:0', '--authorization', 'Bearer x', '--sink', `file:${path.join(directory, 'events.ndjson')}`,
      '--dead-letter', path.join(directory, 'dl.ndjson'), ...flags]);
    const [, port] = await running.waitForStderr(/receiving at https?:\/\/127\.0\.0\.1:(\d+)\//);
    return `0.0.0.0:${port}`; // as the image sets it
  };

  it('passes for the receiver on the port AUDIT_RELAY_LISTEN names, over HTTP and over HTTPS with a self-signed certificate', async () => {
    expect(await healthcheck({ AUDIT_RELAY_LISTEN: await serve() })).toBe(0);
    await running!.stop('SIGTERM');
    expect(await healthcheck({ AUDIT_RELAY_LISTEN: await serve('--tls-self-signed') })).toBe(0);
  });

  it('passes for the Konnect stand-in on the port AUDIT_RELAY_KONNECT_LISTEN names, with no receiver in the container', async () => {
    running = spawnCli('node', [CLI, 'konnect', '--listen', '127.0.0.1:0', '--data-dir', path.join(directory, 'konnect'), '--events-per-second', '0']);
    const [, port] = await running.waitForStderr(/Konnect stand-in API at http:\/\/127\.0\.0\.1:(\d+)/);
    await running.waitForStderr(/konnect stand-in started/);
    expect(await healthcheck({ AUDIT_RELAY_LISTEN: `0.0.0.0:${await closedPort()}`, AUDIT_RELAY_KONNECT_LISTEN: `0.0.0.0:${port}` })).toBe(0);
  });

  it('fails when nothing answers on the configured ports', async () => {
    expect(await healthcheck({ AUDIT_RELAY_LISTEN: `0.0.0.0:${await closedPort()}`, AUDIT_RELAY_KONNECT_LISTEN: `[::]:${await closedPort()}` })).toBe(1);
  });
});
