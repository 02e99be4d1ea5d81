import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { generateEd25519KeyPair, publishJwks, signCefLine, signJsonLine } from '../../src/signature';
import { CEF_AUTHZ_LIST, CEF_PORTAL_AUTH, JSON_ACCESS } from '../helpers/konnect-examples';
import { CLI, spawnCli, type SpawnedCli } from '../helpers/spawn-cli';
import { readNdjson } from '../helpers/test-receiver';

const AUTHORIZATION = 'Bearer workers-test';
/** The examples as Konnect signs them, with the signature taken off so the test signs them itself. */
const unsigned = (line: string) => line.replace(/ sig=\S*$/, '').replace(/,"sig":"[^"]*"/, '');
const CEF_A = unsigned(CEF_AUTHZ_LIST);
const CEF_B = unsigned(CEF_PORTAL_AUTH);
const JSON_C = unsigned(JSON_ACCESS);

/** A JWKS endpoint on loopback whose keys the test sets. */
async function startJwksServer(): Promise<{ url: string; publish: (body: string) => void; close: () => Promise<void> }> {
  let body = '{"keys":[]}';
  const server = http.createServer((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(body));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`,
    publish: (next) => (body = next),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

interface Receiver {
  cli: SpawnedCli;
  url: string;
  eventsFile: string;
  deadLetterFile: string;
}

async function startReceiver(directory: string, name: string, flags: string[]): Promise<Receiver> {
  const eventsFile = path.join(directory, `${name}-events.ndjson`);
  const deadLetterFile = path.join(directory, `${name}-dead-letter.ndjson`);
  const cli = spawnCli(process.execPath, [
    CLI, 'serve',
    '--listen', '127.0.0.1:0',
    '--authorization', AUTHORIZATION,
    '--sink', `file:${eventsFile}`,
    '--dead-letter', deadLetterFile,
    '--fsync', 'never',
    ...flags,
  ]);
  const [, url] = await cli.waitForStderr(/receiving at (http:\/\/127\.0\.0\.1:\d+\/audit-logs)/);
  return { cli, url: url!, eventsFile, deadLetterFile };
}

async function post(url: string, lines: readonly (string | Buffer)[]): Promise<{ status: number; type: string; body: any }> {
  const body = zlib.gzipSync(Buffer.concat(lines.flatMap((line) => [Buffer.from(line), Buffer.from('\n')])));
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: AUTHORIZATION, 'content-type': 'text/plain', 'content-encoding': 'gzip' },
    body,
  });
  return { status: response.status, type: response.headers.get('content-type') ?? '', body: await response.json() };
}

/** A record without what differs from run to run. */
const withoutTimes = ({ received_at: _receivedAt, request_id: _requestId, ...rest }: Record<string, unknown>) => rest;

describe('--workers: batches parsed on worker threads', () => {
  const konnect = generateEd25519KeyPair();
  const stranger = generateEd25519KeyPair();
  let directory: string;
  let jwks: Awaited<ReturnType<typeof startJwksServer>>;
  const running: SpawnedCli[] = [];
  beforeEach(async () => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'workers-'));
    jwks = await startJwksServer();
    jwks.publish(JSON.stringify(publishJwks([konnect.publicKey])));
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((cli) => cli.stop('SIGKILL')));
    await jwks.close();
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it('writes byte for byte what the single-threaded path writes: every format, signature outcome and rejection', async () => {
    const batch = [
      signCefLine(CEF_A, konnect.privateKey),
      signCefLine(CEF_B, stranger.privateKey),
      signJsonLine(JSON_C, konnect.privateKey),
      JSON_C,
      `{"event":${JSON_C}}`,
      '{"not json',
      'neither JSON nor CEF',
      Buffer.from([0x43, 0x45, 0x46, 0x3a, 0xff, 0xfe]),
    ];
    // Over 8 kB, so that the workers take it (smaller batches stay on the main thread).
    const body = [...batch, ...batch, ...batch, ...batch];
    const answers = [];
    const outputs = [];
    for (const workers of ['0', '2']) {
      // The body repeats its events: with deduplication off every copy is written, by both paths.
      const receiver = await startReceiver(directory, `w${workers}`, ['--workers', workers, '--jwks', jwks.url, '--dedup-window', '0']);
      running.push(receiver.cli);
      answers.push(await post(receiver.url, body));
      outputs.push({ events: readNdjson(receiver.eventsFile).map(withoutTimes), deadLetters: readNdjson(receiver.deadLetterFile).map(withoutTimes) });
      expect(receiver.cli.stderr()).toContain('"workers":' + workers);
    }
    expect(answers[0]).toMatchObject({ status: 200, body: { accepted: 20, rejected: 12 } });
    expect(answers[1]).toEqual(answers[0]);
    const outcomes = [
      ['cef', 'valid'],
      ['cef', 'invalid'],
      ['json', 'valid'],
      ['json', 'missing'],
      ['cps', 'missing'],
    ];
    expect(outputs[0]!.events.map((event) => [event.format, event.signature])).toEqual([...outcomes, ...outcomes, ...outcomes, ...outcomes]);
    expect(outputs[0]!.deadLetters).toHaveLength(12);
    expect(outputs[1]).toEqual(outputs[0]);
  });

  it('answers a batch over --max-events with the same problem+json from a worker, and keeps serving', async () => {
    const receiver = await startReceiver(directory, 'limit', ['--workers', '1', '--max-events', '2']);
    running.push(receiver.cli);
    const tooMany = await post(receiver.url, [JSON_ACCESS, JSON_ACCESS, JSON_ACCESS]);
    expect(tooMany.status).toBe(413);
    expect(tooMany.type).toContain('application/problem+json');
    expect(tooMany.body.detail).toBe('the request carries more than 2 events, the limit (--max-events): split the batch');
    expect(await post(receiver.url, [JSON_ACCESS])).toMatchObject({ status: 200, body: { accepted: 1, rejected: 0 } });
    expect(readNdjson(receiver.eventsFile)).toHaveLength(1);
  });

  it('leaves raw out of the records a worker writes with --keep-raw false, and still knows a batch sent again', async () => {
    const receiver = await startReceiver(directory, 'no-raw', ['--workers', '1', '--keep-raw', 'false']);
    running.push(receiver.cli);
    const lines = Array.from({ length: 40 }, (_, line) => JSON_ACCESS.replace('"act":', `"line":${line},"act":`)); // over 8 kB
    expect(await post(receiver.url, lines)).toMatchObject({ status: 200, body: { accepted: 40, rejected: 0 } });
    expect(await post(receiver.url, lines)).toMatchObject({ status: 200, body: { accepted: 0, rejected: 0, duplicates: 40 } });
    const records = readNdjson(receiver.eventsFile);
    expect(records.map((record) => record.event.line)).toEqual(lines.map((_, line) => line));
    expect(records.filter((record) => 'raw' in record)).toEqual([]);
    expect(receiver.cli.stderr()).toContain('"keep_raw":false');
  });

  it('reads a zoneless syslog stamp in --cef-timezone on a worker, and a line\'s dtz before it', async () => {
    const receiver = await startReceiver(directory, 'zone', ['--workers', '1', '--cef-timezone', 'Europe/Berlin']);
    running.push(receiver.cli);
    const line = (extension: string) => `<134>Jan 18 11:07:53 host CEF:0|Acme|Proxy|2.1|100|request|3|rt=1768730873000 ${extension}`;
    const lines = Array.from({ length: 120 }, (_, index) => line(index === 0 ? 'dtz=UTC' : `seq=${index}`));
    expect(lines.join('\n').length).toBeGreaterThan(8 * 1024); // a worker's batch
    expect(await post(receiver.url, lines)).toMatchObject({ status: 200, body: { accepted: 120, rejected: 0 } });
    const records = readNdjson(receiver.eventsFile);
    expect(records[0]!.event.event_ts).toBe('2026-01-18T11:07:53Z');
    expect(records[1]!.event.event_ts).toBe('2026-01-18T10:07:53Z');
    expect(receiver.cli.stderr()).toContain('"cef_timezone":"Europe/Berlin"');
  });

  it('deduplicates batches parsed on workers: a batch sent again is acknowledged and not written twice', async () => {
    const receiver = await startReceiver(directory, 'dedup', ['--workers', '1']);
    running.push(receiver.cli);
    const lines = Array.from({ length: 40 }, (_, line) => JSON_ACCESS.replace('"act":', `"line":${line},"act":`)); // over 8 kB
    expect(await post(receiver.url, lines)).toMatchObject({ status: 200, body: { accepted: 40, rejected: 0 } });
    expect(await post(receiver.url, lines)).toMatchObject({ status: 200, body: { accepted: 0, rejected: 0, duplicates: 40 } });
    expect(readNdjson(receiver.eventsFile)).toHaveLength(40);
  });

  it('loses nothing under concurrent batches spread over the workers', async () => {
    const receiver = await startReceiver(directory, 'load', ['--workers', '2']);
    running.push(receiver.cli);
    const batches = Array.from({ length: 40 }, (_, index) =>
      Array.from({ length: 50 }, (_, line) => JSON_ACCESS.replace('"act":', `"batch":${index},"line":${line},"act":`)),
    );
    const answers = await Promise.all(batches.map((lines) => post(receiver.url, lines)));
    expect(answers.map((answer) => answer.body.accepted)).toEqual(Array(40).fill(50));
    const seen = readNdjson(receiver.eventsFile).map((record) => `${record.event.batch}/${record.event.line}`);
    expect(new Set(seen).size).toBe(2000);
    expect(seen).toHaveLength(2000);
  });

  it('refuses a --workers value that is not a count, naming the option', async () => {
    const cli = spawnCli(process.execPath, [CLI, 'serve', '--workers', 'many']);
    running.push(cli);
    expect(await cli.exited).toBe(2);
    expect(cli.stderr()).toBe('audit-relay: --workers: "many" is not auto or a whole number from 0 to 64\n');
  });
});
