/**
 * Shared pieces of the reliability suite: a receiver spawned from the built CLI (optionally as
 * an unprivileged user), a small HTTP client that never throws on a status, numbered events
 * whose delivery can be checked one by one, and readers for the files a receiver writes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { CLI, REPO_ROOT } from '../helpers/spawn-cli';

export const AUTH = 'Bearer reliability-suite-credential';
/** nobody:nogroup on Debian-like systems. */
export const NOBODY = 65534;
export const runningAsRoot = typeof process.getuid === 'function' && process.getuid() === 0;

export interface SpawnOptions {
  /** Directory for the default sink and dead letter; a fresh one (mode 0777) when omitted. */
  directory?: string;
  /** Replaces the default `file:<directory>/events.ndjson` sink. */
  sinks?: string[];
  /** Extra CLI flags (they come last, so they win over the defaults). */
  flags?: string[];
  /** Run as nobody when the suite runs as root (root ignores file permissions). */
  unprivileged?: boolean;
  env?: NodeJS.ProcessEnv;
  /** The most KiB the receiver may write to any one file (`ulimit -f`): past it, writes fail with EFBIG, as on a full disk. */
  fileSizeLimitKb?: number;
}

export interface SpawnedReceiver {
  child: ChildProcess;
  pid: number;
  /** Where events are POSTed. */
  url: string;
  /** http(s)://127.0.0.1:PORT */
  origin: string;
  port: number;
  directory: string;
  eventsFile: string;
  deadLetterFile: string;
  stdout(): string;
  stderr(): string;
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Send a signal to the receiver process; resolves with its exit code (null when killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
  /** SIGKILL if still running, then remove the directory (when this module made it). */
  cleanup(): Promise<void>;
}

export function makeTempDir(prefix: string): string {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), `audit-relay-${prefix}-`));
  fs.chmodSync(directory, 0o777); // so that an unprivileged receiver can write to it
  return directory;
}

/** Start `audit-relay serve` from dist/ on 127.0.0.1:0 and wait until it listens. */
export async function spawnReceiver(options: SpawnOptions = {}): Promise<SpawnedReceiver> {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const ownsDirectory = options.directory === undefined;
  const directory = options.directory ?? makeTempDir('receiver');
  const eventsFile = path.join(directory, 'events.ndjson');
  const deadLetterFile = path.join(directory, 'dead-letter.ndjson');
  const sinks = options.sinks ?? [`file:${eventsFile}`];
  const args = [
    CLI,
    'serve',
    '--listen',
    '127.0.0.1:0',
    '--authorization',
    AUTH,
    ...sinks.flatMap((sink) => ['--sink', sink]),
    '--dead-letter',
    deadLetterFile,
    '--fsync',
    'never',
    ...(options.flags ?? []),
  ];
  const asNobody = options.unprivileged === true && runningAsRoot;
  // Through a shell only to set the limit; exec keeps the pid the receiver's.
  const [command, commandArgs] =
    options.fileSizeLimitKb === undefined
      ? [process.execPath, args]
      : ['/bin/sh', ['-c', `ulimit -f ${options.fileSizeLimitKb} && exec "$0" "$@"`, process.execPath, ...args]];
  const child = spawn(command, commandArgs, {
    cwd: asNobody ? directory : REPO_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(asNobody ? { uid: NOBODY, gid: NOBODY } : {}),
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  const waitForStderr = (pattern: RegExp, timeoutMs = 20_000) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const match = stderr.match(pattern);
        if (match) {
          clearTimeout(timer);
          child.stderr!.off('data', check);
          child.off('exit', onExit);
          resolve(match);
        }
      };
      const onExit = () => setImmediate(() => {
        check();
        reject(new Error(`receiver exited while waiting for ${pattern}; stderr:\n${stderr}`));
      });
      const timer = setTimeout(() => {
        child.stderr!.off('data', check);
        child.off('exit', onExit);
        reject(new Error(`timed out waiting for ${pattern}; stderr:\n${stderr}`));
      }, timeoutMs);
      child.stderr!.on('data', check);
      child.once('exit', onExit);
      check();
    });

  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill(signal);
      } catch {
        // already gone
      }
    }
    return exited;
  };
  const cleanup = async () => {
    await stop('SIGKILL');
    if (ownsDirectory) removeDir(directory);
  };

  try {
    const [, url, origin, port] = await waitForStderr(/receiving at ((https?:\/\/127\.0\.0\.1:(\d+))\/audit-logs)/);
    await waitForStderr(/unparseable ones to .*\n/); // the banner is complete: listening, and signal handlers are set before it
    return {
      child,
      pid: child.pid!,
      url: url!,
      origin: origin!,
      port: Number(port),
      directory,
      eventsFile,
      deadLetterFile,
      stdout: () => stdout,
      stderr: () => stderr,
      waitForStderr,
      stop,
      exited,
      cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

export function removeDir(directory: string): void {
  try {
    fs.chmodSync(directory, 0o777);
  } catch {
    // gone already
  }
  fs.rmSync(directory, { recursive: true, force: true });
}

// ---------------------------------------------------------------- HTTP client

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json(): any;
}

export interface PostOptions {
  /** Added to (or, when undefined, removed from) the defaults: Content-Type, Content-Length, Authorization. */
  headers?: Record<string, string | undefined>;
  agent?: http.Agent | false;
  /** For https URLs: extra TLS options (ca, cert, key, rejectUnauthorized, …). */
  tls?: https.RequestOptions;
  localAddress?: string;
  timeoutMs?: number;
}

/** POST a body and resolve with whatever status comes back; reject only on a socket error. */
export function post(url: string, body: string | Buffer, options: PostOptions = {}): Promise<Answer> {
  return request('POST', url, body, options);
}

export function get(url: string, options: PostOptions = {}): Promise<Answer> {
  return request('GET', url, undefined, options);
}

function request(method: string, url: string, body: string | Buffer | undefined, options: PostOptions): Promise<Answer> {
  const target = new URL(url);
  const transport = target.protocol === 'https:' ? https : http;
  const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
  const headers: Record<string, string | undefined> = {
    ...(payload ? { 'content-length': String(payload.length), 'content-type': 'text/plain' } : {}),
    ...(method === 'POST' ? { authorization: AUTH } : {}),
    ...options.headers,
  };
  for (const name of Object.keys(headers)) if (headers[name] === undefined) delete headers[name];
  return new Promise((resolve, reject) => {
    const call = transport.request(
      {
        method,
        hostname: target.hostname,
        port: target.port,
        path: target.pathname,
        headers: headers as Record<string, string>,
        ...(options.agent !== undefined ? { agent: options.agent } : {}),
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
        ...options.tls,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: response.statusCode!, headers: response.headers, text, json: () => JSON.parse(text) });
        });
      },
    );
    call.setTimeout(options.timeoutMs ?? 20_000, () => call.destroy(new Error(`no answer from ${url} in time`)));
    call.on('error', reject);
    call.end(payload);
  });
}

// ---------------------------------------------------------------- numbered events

/** Event `seq` as a Konnect-shaped JSON line (even numbers) or CEF line (odd numbers). */
export function numberedEvent(seq: number): string {
  if (seq % 2 === 1) {
    return (
      `2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.reliability|1|rt=1750280466889 src=127.0.0.6 ` +
      `action=list granted=true org_id=777db3e4-5cb7-4dd5-b51c-9878096a6999 trace_id=3959872677347089807 seq=${seq}`
    );
  }
  return JSON.stringify({
    action: 'read',
    cef_version: '0',
    event_class_id: 'identity',
    event_product: 'Konnect',
    event_ts: '2023-04-28T20:52:09Z',
    event_vendor: 'KongInc',
    event_version: '1.0',
    granted: true,
    name: 'Authz.reliability',
    org_id: 'b065b594-6afc-4658-9101-5d9cf3f36b7b',
    rt: 1682715129807,
    seq,
    severity: 1,
    src: '127.0.0.6',
  });
}

/** A gzip'd newline-delimited batch of events first..first+count-1, as Konnect sends it. */
export function numberedBatch(first: number, count: number, padding = 0): Buffer {
  const lines: string[] = [];
  for (let seq = first; seq < first + count; seq++) {
    lines.push(padding > 0 && seq % 2 === 0 ? numberedEvent(seq).replace('"action":"read"', `"action":"read","pad":"${'x'.repeat(padding)}"`) : numberedEvent(seq));
  }
  return zlib.gzipSync(`${lines.join('\n')}\n`);
}

export const GZIP_HEADERS = { 'content-encoding': 'gzip' };

/** Every line of a file; the last element is '' when the file ends with a newline. */
export function rawLines(file: string): string[] {
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n');
}

/** Parse an NDJSON file strictly: every line must be complete JSON and the file must end with \n. */
export function strictRecords(file: string): Array<Record<string, any>> {
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  if (text === '') return [];
  if (!text.endsWith('\n')) throw new Error(`${file} does not end with a newline: ${JSON.stringify(text.slice(-120))}`);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line, index) => {
      try {
        return JSON.parse(line) as Record<string, any>;
      } catch {
        throw new Error(`${file} line ${index + 1} is not complete JSON: ${JSON.stringify(line.slice(0, 200))}`);
      }
    });
}

/** The `seq` numbers of the records, as numbers (CEF extensions are strings). */
export function seqsOf(records: ReadonlyArray<Record<string, any>>): number[] {
  return records.map((record) => Number(record.event?.seq));
}

/** Run `task` for 0..count-1 with at most `concurrency` at once. */
export async function pool<T>(count: number, concurrency: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Poll until `check` returns a truthy value, or throw after `timeoutMs`. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 10_000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** VmRSS and VmHWM (peak) of a process, in bytes, from /proc/PID/status. */
export function memoryOf(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** A small seeded PRNG (mulberry32), so a failing fuzz run can be replayed. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
