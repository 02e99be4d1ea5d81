import { execFile, execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path, { join } from 'node:path';
import { promisify } from 'node:util';
import { pathToFileURL } from 'node:url';

import { publishJwks } from '../../src/signature/jwks';
import { describeJwksLocation, JwksSource } from '../../src/signature/jwks-source';
import type { JwksSourceOptions } from '../../src/signature/jwks-source';
import { generateEd25519KeyPair } from '../../src/signature/keys';
import { signCefLine, signJsonLine } from '../../src/signature/sign';
import { verifyLine, verifyLineWithRefresh } from '../../src/signature/verify';
import { startJwksServer, sleep, waitFor } from './support/jwks-server';
import type { JwksServer } from './support/jwks-server';
import { CEF_AUTHZ_LINE, JSON_AUTHZ_LINE } from './support/konnect-lines';
import { REPO_ROOT } from '../helpers/spawn-cli';
import { makeTempDir } from './support/openssl';

const keyA = generateEd25519KeyPair();
const keyB = generateEd25519KeyPair();
const jwksA = JSON.stringify(publishJwks([keyA.publicKey]));
const jwksB = JSON.stringify(publishJwks([keyB.publicKey]));
const jwksAB = JSON.stringify(publishJwks([keyA.publicKey, keyB.publicKey]));
const lineSignedByA = signCefLine(CEF_AUTHZ_LINE, keyA.privateKey);
const lineSignedByB = signJsonLine(JSON_AUTHZ_LINE, keyB.privateKey);

/** Long enough that no periodic refresh interferes unless a test asks for one. */
const AN_HOUR_MS = 60 * 60 * 1000;
const THROTTLE_MS = 600;

describe('JwksSource over HTTP', () => {
  let server: JwksServer;
  const sources: JwksSource[] = [];
  const errors: Error[] = [];

  function makeSource(options: Partial<JwksSourceOptions> = {}): JwksSource {
    const source = new JwksSource({
      location: server.url,
      refreshIntervalMs: AN_HOUR_MS,
      minRefreshIntervalMs: THROTTLE_MS,
      onError: (error) => errors.push(error),
      ...options,
    });
    sources.push(source);
    return source;
  }

  beforeEach(async () => {
    errors.length = 0;
    server = await startJwksServer(jwksA);
  });

  afterEach(async () => {
    sources.splice(0).forEach((source) => source.stop());
    await server.close();
  });

  it('fetches at start, resolves ready, and reports readiness', async () => {
    const source = makeSource();
    expect(source.hasKeys()).toBe(false);
    await source.start();
    await source.ready;
    expect(source.hasKeys()).toBe(true);
    expect(source.keys()).toHaveLength(1);
    expect(source.status()).toMatchObject({ keyCount: 1, lastError: undefined });
    expect(verifyLine(lineSignedByA, 'cef', source.keys())).toBe('valid');
    expect(server.requestCount()).toBe(1);
    expect(errors).toEqual([]);
  });

  it('picks up a rotated key only through refreshAfterFailure, at most once per throttle interval', async () => {
    const source = makeSource();
    await source.start();
    server.serve(jwksB);
    expect(verifyLine(lineSignedByB, 'json', source.keys())).toBe('invalid');

    // Within the throttle interval of the start fetch: no refetch.
    await expect(source.refreshAfterFailure()).resolves.toBe(false);
    expect(server.requestCount()).toBe(1);
    expect(verifyLine(lineSignedByB, 'json', source.keys())).toBe('invalid');

    await sleep(THROTTLE_MS + 50);
    await expect(source.refreshAfterFailure()).resolves.toBe(true);
    expect(server.requestCount()).toBe(2);
    expect(verifyLine(lineSignedByB, 'json', source.keys())).toBe('valid');
    expect(verifyLine(lineSignedByA, 'cef', source.keys())).toBe('invalid');

    // Right after that refetch the throttle holds again.
    await expect(source.refreshAfterFailure()).resolves.toBe(false);
    expect(server.requestCount()).toBe(2);
    expect(errors).toEqual([]);
  });

  it('verifyLineWithRefresh turns a line signed by a rotated-in key valid in one call', async () => {
    const source = makeSource();
    await source.start();
    server.serve(jwksAB);
    await sleep(THROTTLE_MS + 50);
    await expect(verifyLineWithRefresh(lineSignedByB, 'json', source)).resolves.toBe('valid');
    await expect(verifyLineWithRefresh(lineSignedByA, 'cef', source)).resolves.toBe('valid');
    expect(server.requestCount()).toBe(2);
  });

  it('many failing lines at once share one fetch', async () => {
    const source = makeSource();
    await source.start();
    server.serve(jwksB);
    await sleep(THROTTLE_MS + 50);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => verifyLineWithRefresh(lineSignedByB, 'json', source)),
    );
    expect(results.every((result) => result === 'valid')).toBe(true);
    expect(server.requestCount()).toBe(2);
  });

  it('refreshes on its own every refreshIntervalMs', async () => {
    const changes: number[] = [];
    const source = makeSource({ refreshIntervalMs: 100, onKeysChanged: (keys) => changes.push(keys.length) });
    await source.start();
    server.serve(jwksAB);
    await waitFor(() => source.keys().length === 2, 'the periodic refresh to load two keys');
    expect(changes).toEqual([1, 2]);
    expect(server.requestCount()).toBeGreaterThanOrEqual(2);
  });

  it('keeps the last good keys when the server fails (500, bad JSON, non-Ed25519 key) and reports each failure', async () => {
    const source = makeSource();
    await source.start();
    const keysBefore = source.keys();

    server.fail(500);
    await expect(source.refresh()).resolves.toBe(false);
    server.serve('{"keys":[');
    await expect(source.refresh()).resolves.toBe(false);
    server.serve('{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"}]}');
    await expect(source.refresh()).resolves.toBe(false);

    expect(errors.map((error) => error.message)).toEqual([
      `could not load JWKS from ${server.url}: HTTP 500`,
      expect.stringMatching(/^could not load JWKS from .*: JWKS is not valid JSON: /),
      `could not load JWKS from ${server.url}: JWKS key 0 is kty "RSA", expected OKP Ed25519`,
    ]);
    expect(source.keys()).toBe(keysBefore);
    expect(source.hasKeys()).toBe(true);
    expect(verifyLine(lineSignedByA, 'cef', source.keys())).toBe('valid');
    expect(source.status().lastError).toMatch(/kty "RSA"/);
  });

  it('loads the Ed25519 keys of a set that also holds a key for something else, and says which it skipped', async () => {
    const changes: Array<{ kids: Array<string | undefined>; skipped: readonly string[] }> = [];
    server.serve(JSON.stringify({ keys: [{ kty: 'RSA', n: 'AQAB', e: 'AQAB' }, ...publishJwks([keyA.publicKey]).keys] }));
    const source = makeSource({ onKeysChanged: (keys, skipped) => changes.push({ kids: keys.map((key) => key.kid), skipped }) });
    await source.start();
    expect(verifyLine(lineSignedByA, 'cef', source.keys())).toBe('valid');
    expect(changes).toEqual([{ kids: [expect.any(String)], skipped: ['JWKS key 0 is kty "RSA", expected OKP Ed25519'] }]);
    expect(errors).toEqual([]);
  });

  it('stops reading a response past 1 MiB that declares no length, instead of holding it all first', async () => {
    let sent = 0;
    const endless = http.createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }); // chunked: no Content-Length
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (sent < 200 * 1024 * 1024 && !response.destroyed) {
          sent += chunk.length;
          if (!response.write(chunk)) return void response.once('drain', pump);
        }
        response.end();
      };
      pump();
    });
    await new Promise<void>((resolve) => endless.listen(0, '127.0.0.1', resolve));
    try {
      const source = makeSource({ location: `http://127.0.0.1:${(endless.address() as AddressInfo).port}/jwks.json` });
      await expect(source.refresh()).resolves.toBe(false);
      expect(errors.map((error) => error.message)).toEqual([expect.stringMatching(/: response is larger than 1048576 bytes$/)]);
      expect(sent).toBeLessThan(32 * 1024 * 1024); // the rest was never asked for
    } finally {
      endless.closeAllConnections();
      await new Promise((resolve) => endless.close(resolve));
    }
  });

  it('starts without keys when the first fetch fails, then retries every minRefreshIntervalMs until keys load', async () => {
    server.fail(503);
    const source = makeSource();
    let readyResolved = false;
    void source.ready.then(() => {
      readyResolved = true;
    });
    await source.start();
    expect(source.hasKeys()).toBe(false);
    expect(errors[0]?.message).toBe(`could not load JWKS from ${server.url}: HTTP 503`);
    expect(verifyLine(lineSignedByA, 'cef', source.keys())).toBe('invalid');

    server.serve(jwksA);
    await waitFor(() => source.hasKeys(), 'the keyless retry to load keys');
    await source.ready;
    expect(readyResolved).toBe(true);
    expect(verifyLine(lineSignedByA, 'cef', source.keys())).toBe('valid');
  });

  it('does not fetch again after stop()', async () => {
    const source = makeSource({ refreshIntervalMs: 50 });
    await source.start();
    await waitFor(() => server.requestCount() >= 2, 'a periodic refresh');
    source.stop();
    const countAtStop = server.requestCount();
    await sleep(250);
    expect(server.requestCount()).toBe(countAtStop);
    await expect(source.refreshAfterFailure()).resolves.toBe(false);
    expect(source.hasKeys()).toBe(true);
  });

  it('sends configured headers (for a JWKS endpoint that wants a token)', async () => {
    const source = makeSource({ headers: { authorization: 'Bearer kpat_test' } });
    await source.start();
    expect(server.lastHeaders()?.authorization).toBe('Bearer kpat_test');
    expect(server.lastHeaders()?.accept).toBe('application/json');
  });

  it('refuses credentials in the URL, which would leak into error messages', () => {
    expect(() => makeSource({ location: server.url.replace('http://', 'http://user:secret@') })).toThrow(
      'the JWKS URL must not contain credentials (user:password@)',
    );
  });

  it('reports a timed-out fetch as a failure and keeps the keys', async () => {
    const source = makeSource({ fetchTimeoutMs: 100 });
    await source.start();
    server.hang();
    await expect(source.refresh()).resolves.toBe(false);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/^could not load JWKS from .*: .*timeout/i);
    expect(source.hasKeys()).toBe(true);
  });

  it('times a hung fetch out even when the garbage collector runs meanwhile (a collected timeout signal never fires)', async () => {
    // In a child process with --expose-gc, against a server that never answers; the build is what runs.
    const script = `
      const http = require('node:http');
      const { JwksSource } = require(${JSON.stringify(path.join(REPO_ROOT, 'dist', 'signature', 'jwks-source.js'))});
      const server = http.createServer(() => {}).listen(0, '127.0.0.1', async () => {
        const source = new JwksSource({ location: 'http://127.0.0.1:' + server.address().port + '/jwks.json', fetchTimeoutMs: 300, onError: () => {} });
        const collecting = setInterval(() => gc(), 20);
        const outcome = await Promise.race([source.refresh().then(() => 'timed out'), new Promise((r) => setTimeout(r, 3000, 'hung'))]);
        clearInterval(collecting);
        process.stdout.write(outcome + ' ' + source.status().lastError);
        process.exit(0);
      });`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '-e', script]);
    expect(stdout).toMatch(/^timed out could not load JWKS from .*: timeout: no answer within 300 ms$/);
  });

  it('stop() aborts a fetch under way without reporting it as a failure', async () => {
    server.hang();
    const source = makeSource();
    const started = source.start();
    await waitFor(() => server.requestCount() === 1, 'the first fetch to arrive');
    source.stop();
    await started;
    expect(source.hasKeys()).toBe(false);
    expect(errors).toEqual([]);
  });
});

describe('JwksSource from a file', () => {
  let tempDir: ReturnType<typeof makeTempDir>;
  const sources: JwksSource[] = [];
  beforeEach(() => {
    tempDir = makeTempDir('signature-jwks-');
  });
  afterEach(() => {
    sources.splice(0).forEach((source) => source.stop());
    tempDir.dispose();
  });

  function makeSource(location: string, onError?: (error: Error) => void): JwksSource {
    const source = new JwksSource({ location, refreshIntervalMs: AN_HOUR_MS, minRefreshIntervalMs: THROTTLE_MS, onError });
    sources.push(source);
    return source;
  }

  it('loads a JWKS file by path and reloads it on refresh', async () => {
    const path = join(tempDir.path, 'jwks.json');
    writeFileSync(path, jwksA);
    const source = makeSource(path);
    await source.start();
    expect(verifyLine(lineSignedByA, 'cef', source.keys())).toBe('valid');
    writeFileSync(path, jwksB);
    await expect(source.refresh()).resolves.toBe(true);
    expect(verifyLine(lineSignedByB, 'json', source.keys())).toBe('valid');
  });

  it('loads a file: URL', async () => {
    const path = join(tempDir.path, 'jwks.json');
    writeFileSync(path, jwksAB);
    const source = makeSource(pathToFileURL(path).toString());
    await source.start();
    expect(source.keys()).toHaveLength(2);
  });

  it('reports a missing file and a non-Ed25519 key file, naming the problem', async () => {
    const errors: Error[] = [];
    const missing = makeSource(join(tempDir.path, 'absent.json'), (error) => errors.push(error));
    await missing.start();
    const rsaPath = join(tempDir.path, 'rsa.json');
    writeFileSync(rsaPath, '{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"}]}');
    const rsa = makeSource(rsaPath, (error) => errors.push(error));
    await rsa.start();
    expect(missing.hasKeys()).toBe(false);
    expect(rsa.hasKeys()).toBe(false);
    expect(errors.map((error) => error.message)).toEqual([
      `could not load JWKS from ${join(tempDir.path, 'absent.json')}: ENOENT: no such file or directory, stat '${join(tempDir.path, 'absent.json')}'`,
      `could not load JWKS from ${rsaPath}: JWKS key 0 is kty "RSA", expected OKP Ed25519`,
    ]);
  });

  it('reports a FIFO at the path as not a file instead of waiting on it for a writer, and loads the file that replaces it', async () => {
    const path = join(tempDir.path, 'jwks.json');
    execFileSync('mkfifo', [path]);
    const errors: Error[] = [];
    const source = makeSource(path, (error) => errors.push(error));
    await source.start();
    expect(source.hasKeys()).toBe(false);
    expect(errors.map((error) => error.message)).toEqual([`could not load JWKS from ${path}: not a regular file`]);
    rmSync(path);
    writeFileSync(path, jwksA);
    await expect(source.refresh()).resolves.toBe(true);
    expect(verifyLine(lineSignedByA, 'cef', source.keys())).toBe('valid');
  });

  it('masks a query string wherever the location is shown, since it may hold a token', async () => {
    const failures: Error[] = [];
    const source = new JwksSource({ location: 'http://127.0.0.1:1/jwks.json?api_key=s3cret&region=eu', onError: (error) => failures.push(error) });
    await source.start();
    source.stop();
    expect(describeJwksLocation('https://keys.example/jwks.json?api_key=s3cret&region=eu')).toBe('https://keys.example/jwks.json?***');
    expect(describeJwksLocation('https://keys.example/jwks.json?BARETOKEN')).toBe('https://keys.example/jwks.json?***');
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.map(String).join('\n')).not.toContain('s3cret');
    expect(failures.map(String).join('\n')).toContain('/jwks.json?***');
  });

  it('refuses a location that is neither http(s) nor a file', () => {
    expect(() => new JwksSource({ location: 'ftp://u:p@example.com/jwks.json' })).toThrow(
      "the JWKS location's scheme ftp: is not supported; give an http(s) URL or a file",
    );
    expect(() => new JwksSource({ location: '' })).toThrow('the JWKS location is empty');
    expect(() => new JwksSource({ location: 'x.json', refreshIntervalMs: 0 })).toThrow(/refreshIntervalMs/);
  });
});
