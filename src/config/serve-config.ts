import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type { LogLevel } from '../observability/logger';
import type { FsyncMode } from '../sinks/file-sink';
import type { RotationPolicy } from '../sinks/rotation';
import { ConfigError } from './config-error';
import { checkOutputsDistinct } from './output-files';
import { parseJwksLocation } from '../signature/jwks-source';
import { resolveZone } from '../formats/cef';
import { buildNamingSources, resolveOptions, switchValue, type OptionSpec, type RawOptions } from './option-schema';

export type { RawOptions };
import { cpuBudget } from './cpu-budget';
import { listenAddressOption, type ListenAddress } from './listen-address';
import { formatSize, parseSize } from './size';
import { parseDuration } from './duration';

export const SERVE_OPTIONS: readonly OptionSpec[] = [
  { key: 'listen', flags: '--listen <host:port>', env: 'AUDIT_RELAY_LISTEN', default: '127.0.0.1:8080', description: 'address to listen on' },
  { key: 'path', flags: '--path <path>', env: 'AUDIT_RELAY_PATH', default: '/audit-logs', description: 'URL path that accepts POSTed events' },
  {
    key: 'authorization',
    flags: '--authorization <value>',
    env: 'AUDIT_RELAY_AUTHORIZATION',
    repeatable: { envSeparator: '\n' },
    description:
      'an accepted Authorization header value, compared exactly, scheme included (e.g. "Bearer abc"); repeat it so old and new values work during a rotation; when no value is configured, one is generated and printed',
  },
  {
    key: 'authorizationFile',
    flags: '--authorization-file <path>',
    env: 'AUDIT_RELAY_AUTHORIZATION_FILE',
    description: 'file with accepted Authorization values, one per line (for Docker secrets; keeps them out of ps); read again on SIGHUP',
  },
  {
    key: 'sink',
    flags: '--sink <spec>',
    env: 'AUDIT_RELAY_SINKS',
    repeatable: { envSeparator: ',' },
    default: ['stdout', 'file:./data/audit-events.ndjson'],
    description: 'where accepted events go: stdout or file:PATH; repeat for several',
  },
  {
    key: 'deadLetter',
    flags: '--dead-letter <path>',
    env: 'AUDIT_RELAY_DEAD_LETTER',
    default: './data/dead-letter.ndjson',
    description: 'file that receives every event that could not be parsed, with the reason',
  },
  {
    key: 'maxBody',
    flags: '--max-body <size>',
    env: 'AUDIT_RELAY_MAX_BODY',
    default: '10mb',
    description: 'largest request body, both as sent and decompressed (e.g. 512kb, 10mb); larger gets 413',
  },
  { key: 'tlsCert', flags: '--tls-cert <path>', env: 'AUDIT_RELAY_TLS_CERT', description: 'PEM certificate (chain): serve HTTPS' },
  { key: 'tlsKey', flags: '--tls-key <path>', env: 'AUDIT_RELAY_TLS_KEY', description: 'PEM private key for --tls-cert' },
  {
    key: 'tlsSelfSigned',
    flags: '--tls-self-signed',
    env: 'AUDIT_RELAY_TLS_SELF_SIGNED',
    description: 'serve HTTPS with a certificate generated at start (printed with its SHA-256 fingerprint); for local use',
  },
  {
    key: 'jwks',
    flags: '--jwks <url|path>',
    env: 'AUDIT_RELAY_JWKS',
    description: "where Konnect's public keys come from, e.g. https://us.api.konghq.com/v2/audit-log-webhook/jwks.json",
  },
  {
    key: 'signatures',
    flags: '--signatures <mode>',
    env: 'AUDIT_RELAY_SIGNATURES',
    description: 'off, report (mark each event valid/invalid/missing) or require (dead-letter all but valid); default: report with --jwks, else off',
  },
  {
    key: 'jwksRefetchInterval',
    flags: '--jwks-refetch-interval <duration>',
    env: 'AUDIT_RELAY_JWKS_REFETCH_INTERVAL',
    default: '10s',
    description: 'least time between a JWKS fetch (at start, periodic, or any other) and one caused by signatures no key verifies (a rotated key), and between retries while no key is loaded',
  },
  {
    key: 'fsync',
    flags: '--fsync <mode>',
    env: 'AUDIT_RELAY_FSYNC',
    default: 'interval',
    description: 'file durability: never (the OS flushes), batch (fsync before answering), interval (fsync every second)',
  },
  { key: 'rotateSize', flags: '--rotate-size <size>', env: 'AUDIT_RELAY_ROTATE_SIZE', default: '100mb', description: 'rotate a file sink (and the dead letter) before it passes this size' },
  {
    key: 'rotateInterval',
    flags: '--rotate-interval <duration>',
    env: 'AUDIT_RELAY_ROTATE_INTERVAL',
    description: 'also rotate a file this long after it was opened (e.g. 1h, 1d), at its next write; default: size only',
  },
  { key: 'rotateKeep', flags: '--rotate-keep <count>', env: 'AUDIT_RELAY_ROTATE_KEEP', default: '10', description: 'rotated files kept per file (file sinks and the dead letter)' },
  {
    key: 'rotateGzip',
    flags: '--rotate-gzip <bool>',
    env: 'AUDIT_RELAY_ROTATE_GZIP',
    default: 'true',
    description: 'gzip rotated files (true or false)',
  },
  {
    key: 'keepRaw',
    flags: '--keep-raw <bool>',
    env: 'AUDIT_RELAY_KEEP_RAW',
    default: 'true',
    description:
      "write each event's line as received in its record's raw field (true or false); false makes records 40–50% smaller, but nothing downstream can check the signature again",
  },
  {
    key: 'cefTimezone',
    flags: '--cef-timezone <zone>',
    env: 'AUDIT_RELAY_CEF_TIMEZONE',
    default: 'UTC',
    description:
      "zone of a CEF line's syslog stamp that names none (Apr 14 05:39:08), when the line has no dtz: an IANA name (Europe/Berlin), an offset (+02:00) or UTC",
  },
  {
    key: 'maxInFlight',
    flags: '--max-in-flight <size>',
    env: 'AUDIT_RELAY_MAX_IN_FLIGHT',
    default: '64mb',
    description: 'request bytes (as sent plus decoded) held at once; past it, 503 with Retry-After',
  },
  { key: 'maxEvents', flags: '--max-events <count>', env: 'AUDIT_RELAY_MAX_EVENTS', default: '100000', description: 'most events in one request; more gets 413' },
  {
    key: 'dedupWindow',
    flags: '--dedup-window <count>',
    env: 'AUDIT_RELAY_DEDUP_WINDOW',
    default: '100000',
    description: 'how many written events are remembered, so that one sent again (a retry, a replay) is acknowledged without being written twice; 0 writes every copy',
  },
  {
    key: 'maxLineLength',
    flags: '--max-line-length <size>',
    env: 'AUDIT_RELAY_MAX_LINE_LENGTH',
    default: '1mb',
    description: 'longest event (characters); longer gets 413',
  },
  { key: 'maxJsonDepth', flags: '--max-json-depth <count>', env: 'AUDIT_RELAY_MAX_JSON_DEPTH', default: '64', description: 'deepest JSON nesting, at most 1000; deeper gets 400' },
  {
    key: 'workers',
    flags: '--workers <count|auto>',
    env: 'AUDIT_RELAY_WORKERS',
    default: 'auto',
    description:
      'threads that parse and normalize batches beside the one serving HTTP; 0 does everything on one thread; auto: one fewer than the CPUs (within a container\'s CPU quota), at most 4',
  },
  {
    key: 'headerTimeout',
    flags: '--header-timeout <duration>',
    env: 'AUDIT_RELAY_HEADER_TIMEOUT',
    default: '10s',
    description: 'time a client has to send the request headers (slowloris guard)',
  },
  {
    key: 'requestTimeout',
    flags: '--request-timeout <duration>',
    env: 'AUDIT_RELAY_REQUEST_TIMEOUT',
    default: '60s',
    description: 'time a client has to send a whole request',
  },
  {
    key: 'authFailureLimit',
    flags: '--auth-failure-limit <count>',
    env: 'AUDIT_RELAY_AUTH_FAILURE_LIMIT',
    default: '10',
    description: 'failed authorizations one client address may make per minute; past it, its further failures get 429 for the rest of that minute (the right value still passes)',
  },
  {
    key: 'shutdownTimeout',
    flags: '--shutdown-timeout <duration>',
    env: 'AUDIT_RELAY_SHUTDOWN_TIMEOUT',
    default: '10s',
    description: 'on SIGTERM, how long requests in flight may take to finish before connections are cut',
  },
  {
    key: 'tlsClientCa',
    flags: '--tls-client-ca <path>',
    env: 'AUDIT_RELAY_TLS_CLIENT_CA',
    description: 'PEM CA bundle: require client certificates signed by it (mutual TLS)',
  },
  {
    key: 'metricsListen',
    flags: '--metrics-listen <host:port>',
    env: 'AUDIT_RELAY_METRICS_LISTEN',
    description: 'serve GET /metrics (Prometheus) on its own address instead of the main one',
  },
  {
    key: 'logLevel',
    flags: '--log-level <level>',
    env: 'AUDIT_RELAY_LOG_LEVEL',
    default: 'info',
    description: 'service log level on stderr: error, warn, info or debug',
  },
];

export type SignatureMode = 'off' | 'report' | 'require';
const SIGNATURE_MODES: readonly SignatureMode[] = ['off', 'report', 'require'];

export type TlsSetting = { kind: 'files'; cert: Buffer; key: Buffer } | { kind: 'self-signed' } | undefined;

export interface ServeConfig {
  listen: ListenAddress;
  path: string;
  authorizations: string[];
  /** The values --authorization gave, which a reload keeps. */
  authorizationsGiven: string[];
  /** Where --authorization-file reads from; SIGHUP reads it again. */
  authorizationFile: string | undefined;
  /** True when no value was configured and one was made up for this run. */
  authorizationGenerated: boolean;
  sinks: string[];
  deadLetter: string;
  maxBody: number;
  tls: TlsSetting;
  /** Where the JWKS comes from, when signatures are checked. */
  jwks: string | undefined;
  signatures: SignatureMode;
  /** Least time between JWKS fetches caused by failed signatures (and retries while keyless). */
  jwksRefetchIntervalMs: number;
  logLevel: LogLevel;
  fsync: FsyncMode;
  rotation: RotationPolicy;
  /** Accepted records carry `raw`, the event's line as received. */
  keepRaw: boolean;
  /** Zone of CEF times that carry none and have no `dtz`, as the user gave it (checked). */
  cefTimezone: string;
  maxInFlight: number;
  maxEvents: number;
  /** Written events remembered for deduplication; 0: none. */
  dedupWindow: number;
  maxLineLength: number;
  maxJsonDepth: number;
  /** Worker threads for parsing and normalizing; 0 runs batches on the main thread. */
  workers: number;
  headerTimeoutMs: number;
  requestTimeoutMs: number;
  authFailureLimit: number;
  shutdownTimeoutMs: number;
  /** CA bundle for mutual TLS. */
  tlsClientCa: Buffer | undefined;
  /** A separate address for /metrics; undefined serves it on the main one. */
  metricsListen: ListenAddress | undefined;
  retryAfterSeconds: number;
}

/** Flag, then environment variable, then default. */
export function resolveRawOptions(flags: Record<string, unknown>, env: NodeJS.ProcessEnv): RawOptions {
  return resolveOptions(SERVE_OPTIONS, flags, env);
}

const RESERVED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);
const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];
// Header values cannot carry control characters; such a value could never match.
const CONTROL_CHARACTER = /[\u0000-\u0008\u000a-\u001f\u007f]/;

export function buildServeConfig(raw: RawOptions): ServeConfig {
  return buildNamingSources(SERVE_OPTIONS, raw, () => serveConfigFrom(raw));
}

function serveConfigFrom(raw: RawOptions): ServeConfig {
  const text = (key: string) => raw[key] as string | undefined;
  const list = (key: string) => (raw[key] as string[] | undefined) ?? [];

  const listen = listenAddressOption(text('listen'), '--listen', 8080);

  const path = text('path') ?? '';
  if (!path.startsWith('/')) throw new ConfigError('--path', `"${path}" must start with /`);
  if (RESERVED_PATHS.has(path)) throw new ConfigError('--path', `${path} is reserved for the receiver's own endpoints`);

  const authorizationsGiven = list('authorization');
  const authorizationFile = text('authorizationFile');
  const authorizations = readAuthorizations(authorizationsGiven, authorizationFile);
  const authorizationGenerated = authorizations.length === 0;
  if (authorizationGenerated) authorizations.push(`Bearer ${randomBytes(24).toString('base64url')}`);

  const maxBody = size(raw, 'maxBody', '--max-body');

  const logLevel = text('logLevel') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError('--log-level', `"${logLevel}" is not one of ${LOG_LEVELS.join(', ')}`);

  const sinks = list('sink');
  if (sinks.length === 0) throw new ConfigError('--sink', 'at least one sink is needed: stdout or file:PATH');
  const deadLetter = text('deadLetter') ?? '';
  checkOutputsDistinct(sinks, deadLetter);

  const fsync = text('fsync') as FsyncMode;
  if (!FSYNC_MODES.includes(fsync)) throw new ConfigError('--fsync', `"${fsync}" is not one of ${FSYNC_MODES.join(', ')}`);

  const maxInFlight = size(raw, 'maxInFlight', '--max-in-flight');
  if (maxInFlight < 2 * maxBody) {
    throw new ConfigError(
      '--max-in-flight',
      `is ${text('maxInFlight')}, and must be at least twice --max-body (${text('maxBody')}): a request is held as sent and decoded, so a compressed one within --max-body could otherwise never fit; raise --max-in-flight to ${formatSize(2 * maxBody)} or more`,
    );
  }
  const tls = readTls(text('tlsCert'), text('tlsKey'), switchValue(raw, 'tlsSelfSigned', '--tls-self-signed'));
  const clientCaPath = text('tlsClientCa');
  if (clientCaPath !== undefined && tls === undefined) {
    throw new ConfigError('--tls-client-ca', 'needs HTTPS: add --tls-cert/--tls-key or --tls-self-signed');
  }

  return {
    listen,
    path,
    authorizations,
    authorizationsGiven,
    authorizationFile,
    authorizationGenerated,
    sinks,
    deadLetter,
    maxBody,
    tls,
    ...signatureSettings(text('jwks'), text('signatures')),
    logLevel,
    fsync,
    rotation: {
      maxBytes: size(raw, 'rotateSize', '--rotate-size'),
      intervalMs: text('rotateInterval') === undefined ? undefined : duration(raw, 'rotateInterval', '--rotate-interval'),
      keep: count(raw, 'rotateKeep', '--rotate-keep'),
      gzip: switchValue(raw, 'rotateGzip', '--rotate-gzip'),
    },
    keepRaw: switchValue(raw, 'keepRaw', '--keep-raw'),
    cefTimezone: timeZone(text('cefTimezone') ?? ''),
    maxInFlight,
    maxEvents: count(raw, 'maxEvents', '--max-events'),
    dedupWindow: count(raw, 'dedupWindow', '--dedup-window', 0),
    maxLineLength: size(raw, 'maxLineLength', '--max-line-length'),
    maxJsonDepth: jsonDepth(raw),
    workers: workerCount(text('workers') ?? ''),
    jwksRefetchIntervalMs: positiveDuration(raw, 'jwksRefetchInterval', '--jwks-refetch-interval'),
    headerTimeoutMs: duration(raw, 'headerTimeout', '--header-timeout'),
    requestTimeoutMs: duration(raw, 'requestTimeout', '--request-timeout'),
    authFailureLimit: count(raw, 'authFailureLimit', '--auth-failure-limit'),
    shutdownTimeoutMs: duration(raw, 'shutdownTimeout', '--shutdown-timeout'),
    tlsClientCa: clientCaPath === undefined ? undefined : readFile('--tls-client-ca', clientCaPath),
    metricsListen: optionalAddress(text('metricsListen'), '--metrics-listen'),
    retryAfterSeconds: 5,
  };
}

const FSYNC_MODES: readonly FsyncMode[] = ['never', 'batch', 'interval'];

function optionalAddress(text: string | undefined, option: string): ListenAddress | undefined {
  if (text === undefined) return undefined;
  return listenAddressOption(text, option, 9090);
}

function size(raw: RawOptions, key: string, option: string): number {
  const bytes = parseSize(String(raw[key] ?? ''));
  if (bytes === undefined) throw new ConfigError(option, `"${raw[key]}" is not a size like 512kb, 10mb or 1048576`);
  return bytes;
}

function duration(raw: RawOptions, key: string, option: string): number {
  const ms = parseDuration(String(raw[key] ?? ''));
  if (ms === undefined) throw new ConfigError(option, `"${raw[key]}" is not a duration like 500ms, 10s, 5m or 1h`);
  return ms;
}

function positiveDuration(raw: RawOptions, key: string, option: string): number {
  const ms = duration(raw, key, option);
  if (ms <= 0) throw new ConfigError(option, `"${raw[key]}" must be longer than 0`);
  return ms;
}

/**
 * Parsing, normalizing and writing an event recurse once per level: past a few thousand levels
 * the stack runs out, which would answer 500 (and Konnect retries a 500 for ever). Well under it.
 */
const MAX_JSON_DEPTH = 1000;

function timeZone(name: string): string {
  if (resolveZone(name) === undefined) {
    throw new ConfigError('--cef-timezone', `"${name}" is not a time zone: give an IANA name (Europe/Berlin), an offset (+02:00) or UTC`);
  }
  return name;
}

function jsonDepth(raw: RawOptions): number {
  const depth = count(raw, 'maxJsonDepth', '--max-json-depth');
  if (depth > MAX_JSON_DEPTH) {
    throw new ConfigError('--max-json-depth', `${depth} is more than ${MAX_JSON_DEPTH}, past which an event could exhaust the stack`);
  }
  return depth;
}

function count(raw: RawOptions, key: string, option: string, least = 1): number {
  const text = String(raw[key] ?? '');
  if (!/^\d+$/.test(text) || Number(text) < least) throw new ConfigError(option, `"${text}" is not a whole number of at least ${least}`);
  return Number(text);
}

const MAX_WORKERS = 64;

/**
 * auto leaves one CPU to the event loop (HTTP, decompression, file writes) and gives the rest to
 * workers, at most 4. On 2 CPUs one worker took the batch benchmarks up 20–30 %; a second one
 * added nothing. CPUs are counted within a container's CPU quota.
 */
function workerCount(text: string): number {
  if (text === 'auto') return Math.min(4, Math.max(0, cpuBudget() - 1));
  if (!/^\d+$/.test(text) || Number(text) > MAX_WORKERS) {
    throw new ConfigError('--workers', `"${text}" is not auto or a whole number from 0 to ${MAX_WORKERS}`);
  }
  return Number(text);
}

/** The accepted values: --authorization's, then the file's, each checked. Throws a ConfigError naming the bad one. */
function readAuthorizations(given: readonly string[], filePath: string | undefined): string[] {
  const fromFile = readAuthorizationFile(filePath);
  const checkAuthorization = (option: string, where: (index: number) => string) => (value: string, index: number) => {
    // `--authorization "$TOKEN"` with TOKEN unset: an empty value would let an empty header in.
    if (value === '') throw new ConfigError(option, `${where(index)} is empty (an unset variable?), which would accept requests with an empty Authorization header`);
    if (CONTROL_CHARACTER.test(value)) throw new ConfigError(option, `${where(index)} contains a control character, so no request could match it`);
    if (value.trim() !== value) {
      throw new ConfigError(option, `${where(index)} starts or ends with whitespace, which HTTP drops from header values, so no request could match it`);
    }
  };
  given.forEach(checkAuthorization('--authorization', (index) => `value ${index + 1}`));
  fromFile.forEach(checkAuthorization('--authorization-file', (index) => `value ${index + 1} of ${filePath}`));
  return [...given, ...fromFile];
}

/**
 * The accepted values with --authorization-file read again (SIGHUP), so that a credential is
 * rotated without a restart: add the new value, point the sender at it, remove the old one.
 * Throws a ConfigError (naming no value) when the file cannot serve; the caller keeps the old set.
 */
export function reloadAuthorizations(config: Pick<ServeConfig, 'authorizationsGiven' | 'authorizationFile'>): string[] {
  return readAuthorizations(config.authorizationsGiven, config.authorizationFile);
}

function readAuthorizationFile(filePath: string | undefined): string[] {
  if (filePath === undefined) return [];
  let content: string;
  try {
    content = fs.readFileSync(filePath, 'utf8');
  } catch (error) {
    throw new ConfigError('--authorization-file', `cannot read ${filePath}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const values = content
    .split('\n')
    .map((line) => line.replace(/\r$/, ''))
    .filter((line) => line.trim() !== '');
  if (values.length === 0) throw new ConfigError('--authorization-file', `${filePath} holds no values (one per line)`);
  return values;
}

function signatureSettings(jwks: string | undefined, mode: string | undefined): Pick<ServeConfig, 'jwks' | 'signatures'> {
  const signatures = (mode ?? (jwks ? 'report' : 'off')) as SignatureMode;
  if (!SIGNATURE_MODES.includes(signatures)) {
    throw new ConfigError('--signatures', `"${mode}" is not one of ${SIGNATURE_MODES.join(', ')}`);
  }
  if (signatures !== 'off' && !jwks) {
    throw new ConfigError('--signatures', `${signatures} needs --jwks to say where the public keys come from`);
  }
  if (signatures !== 'off') {
    try {
      parseJwksLocation(jwks!);
    } catch (error) {
      throw new ConfigError('--jwks', (error as Error).message);
    }
  }
  return { jwks: signatures === 'off' ? undefined : jwks, signatures };
}

function readTls(certPath: string | undefined, keyPath: string | undefined, selfSigned: boolean): TlsSetting {
  if (selfSigned) {
    if (certPath !== undefined || keyPath !== undefined) {
      throw new ConfigError('--tls-self-signed', 'cannot be combined with --tls-cert/--tls-key');
    }
    return { kind: 'self-signed' };
  }
  if (certPath === undefined && keyPath === undefined) return undefined;
  if (certPath === undefined) throw new ConfigError('--tls-cert', 'is required with --tls-key');
  if (keyPath === undefined) throw new ConfigError('--tls-key', 'is required with --tls-cert');
  return { kind: 'files', cert: readFile('--tls-cert', certPath), key: readFile('--tls-key', keyPath) };
}

function readFile(option: string, filePath: string): Buffer {
  try {
    return fs.readFileSync(filePath);
  } catch (error) {
    throw new ConfigError(option, `cannot read ${filePath}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
