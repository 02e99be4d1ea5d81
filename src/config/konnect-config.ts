import { randomBytes } from 'node:crypto';
import type { LogLevel } from '../observability/logger';
import { GZIP_CONTENT_ENCODINGS, type GzipContentEncoding } from '../konnect/delivery/attempt';
import { ConfigError } from './config-error';
import { listenAddressOption, type ListenAddress } from './listen-address';
import { buildNamingSources, resolveOptions, switchValue, type OptionSpec, type RawOptions } from './option-schema';

/** `--content-encoding`, which `konnect` and `send` both take, each with its own variable. */
function contentEncodingOption(env: string): OptionSpec {
  return {
    key: 'contentEncoding',
    flags: '--content-encoding <value>',
    env,
    default: 'gzip',
    description: "how Content-Encoding names the gzip body: gzip, application/gzip (what Kong's docs state; the wire value is unconfirmed) or x-gzip",
  };
}

/**
 * One schema for every `konnect` option (the local stand-in of Konnect's side): flag,
 * environment variable, default and help, as for `serve`.
 */
export const KONNECT_OPTIONS: readonly OptionSpec[] = [
  { key: 'listen', flags: '--listen <host:port>', env: 'AUDIT_RELAY_KONNECT_LISTEN', default: '127.0.0.1:8081', description: 'address the configuration API listens on' },
  {
    key: 'apiToken',
    flags: '--api-token <token>',
    env: 'AUDIT_RELAY_KONNECT_API_TOKEN',
    description: 'the bearer token the API demands (Authorization: Bearer <token>); when none is given, one is generated and printed once',
  },
  {
    key: 'signingKey',
    flags: '--signing-key <path>',
    env: 'AUDIT_RELAY_KONNECT_SIGNING_KEY',
    description: 'Ed25519 private key (PEM or JWK) that signs every event; when none is given, one is generated and kept in the data dir',
  },
  {
    key: 'dataDir',
    flags: '--data-dir <path>',
    env: 'AUDIT_RELAY_KONNECT_DATA_DIR',
    default: './data/konnect',
    description: 'where destinations, webhook settings, the signing key and the 7-day event store live (they survive a restart)',
  },
  {
    key: 'eventsPerSecond',
    flags: '--events-per-second <n>',
    env: 'AUDIT_RELAY_KONNECT_EVENTS_PER_SECOND',
    default: '1',
    description: 'synthetic audit events per second (0 turns synthetic traffic off; fractions like 0.2 work)',
  },
  {
    key: 'flushInterval',
    flags: '--flush-interval <duration>',
    env: 'AUDIT_RELAY_KONNECT_FLUSH_INTERVAL',
    default: '5s',
    description: 'how often a batch goes out to each enabled webhook (e.g. 500ms, 5s, 1m)',
  },
  {
    key: 'maxBatch',
    flags: '--max-batch <n>',
    env: 'AUDIT_RELAY_KONNECT_MAX_BATCH',
    default: '100',
    description: 'the most events in one batch; a full batch goes out without waiting for the interval',
  },
  contentEncodingOption('AUDIT_RELAY_KONNECT_CONTENT_ENCODING'),
  {
    key: 'allowHttp',
    flags: '--allow-http',
    env: 'AUDIT_RELAY_KONNECT_ALLOW_HTTP',
    description: 'accept http:// endpoints for local use (Konnect accepts https:// only)',
  },
  {
    key: 'retryWaitMin',
    flags: '--retry-wait-min <duration>',
    env: 'AUDIT_RELAY_KONNECT_RETRY_WAIT_MIN',
    default: '1s',
    description: 'first wait before retrying a failed delivery; it doubles on each retry (Konnect: 1s)',
  },
  {
    key: 'retryWaitMax',
    flags: '--retry-wait-max <duration>',
    env: 'AUDIT_RELAY_KONNECT_RETRY_WAIT_MAX',
    default: '30s',
    description: 'longest wait between retries, Retry-After included (Konnect: 30s)',
  },
  {
    key: 'logLevel',
    flags: '--log-level <level>',
    env: 'AUDIT_RELAY_KONNECT_LOG_LEVEL',
    default: 'info',
    description: 'service log level on stderr: error, warn, info or debug',
  },
];

export interface RetryPolicy {
  /** Retries after the first attempt (Konnect, i.e. go-retryablehttp: 4). */
  maxRetries: number;
  waitMinMs: number;
  waitMaxMs: number;
}

export interface KonnectConfig {
  listen: ListenAddress;
  apiToken: string;
  /** True when no token was configured and one was made up for this run. */
  apiTokenGenerated: boolean;
  /** A key file to use; undefined means `<dataDir>/signing-key.pem`, generated when missing. */
  signingKeyPath: string | undefined;
  dataDir: string;
  eventsPerSecond: number;
  flushIntervalMs: number;
  maxBatch: number;
  allowHttp: boolean;
  contentEncoding: GzipContentEncoding;
  retry: RetryPolicy;
  /** Per delivery attempt: connect, send and read the answer. */
  requestTimeoutMs: number;
  /** Time spent in each of the replay job's `accepted` and `pending` states, so they can be seen. */
  replayStepMs: number;
  /** How long events are kept for replay (Konnect: 7 days). */
  retentionMs: number;
  /** Events waiting for one webhook; beyond this the oldest are dropped (they stay in the store for replay). */
  maxQueuedEvents: number;
  logLevel: LogLevel;
}

export const RETENTION_MS = 7 * 24 * 60 * 60 * 1000;


/** Flag, then environment variable, then default. A boolean flag given on the command line is `true`. */
export function resolveKonnectRawOptions(flags: Record<string, unknown>, env: NodeJS.ProcessEnv): RawOptions {
  return resolveOptions(KONNECT_OPTIONS, flags, env);
}

const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];

export function buildKonnectConfig(raw: RawOptions): KonnectConfig {
  return buildNamingSources(KONNECT_OPTIONS, raw, () => konnectConfigFrom(raw));
}

function konnectConfigFrom(raw: RawOptions): KonnectConfig {
  const text = (key: string) => raw[key] as string | undefined;

  const listen = listenAddressOption(text('listen'), '--listen', 8081);

  let apiToken = text('apiToken');
  if (apiToken !== undefined) {
    apiToken = apiToken.trim();
    if (apiToken === '') throw new ConfigError('--api-token', 'is blank');
    if (!/^[\x21-\x7e]+$/.test(apiToken)) {
      throw new ConfigError('--api-token', 'may hold only visible ASCII characters without spaces (it is a bearer token)');
    }
    if (/^bearer$/i.test(apiToken) || apiToken.includes(' ')) {
      throw new ConfigError('--api-token', 'give the token alone, without "Bearer "');
    }
  }
  const apiTokenGenerated = apiToken === undefined;
  if (apiToken === undefined) apiToken = `kpat_${randomBytes(24).toString('base64url')}`;

  const dataDir = text('dataDir') ?? '';
  if (dataDir.trim() === '') throw new ConfigError('--data-dir', 'is blank');

  const eventsPerSecond = Number(text('eventsPerSecond'));
  if (!/^\s*\d+(\.\d+)?\s*$/.test(text('eventsPerSecond') ?? '') || !(eventsPerSecond >= 0) || eventsPerSecond > 10_000) {
    throw new ConfigError('--events-per-second', `"${text('eventsPerSecond')}" is not a number from 0 to 10000`);
  }

  const flushIntervalMs = parseDuration(text('flushInterval') ?? '');
  if (flushIntervalMs === undefined || flushIntervalMs < 10) {
    throw new ConfigError('--flush-interval', `"${text('flushInterval')}" is not a duration of at least 10ms, like 500ms, 5s or 1m`);
  }

  const maxBatch = Number(text('maxBatch'));
  if (!/^\s*\d+\s*$/.test(text('maxBatch') ?? '') || maxBatch < 1 || maxBatch > 100_000) {
    throw new ConfigError('--max-batch', `"${text('maxBatch')}" is not a whole number from 1 to 100000`);
  }

  const allowHttp = switchValue(raw, 'allowHttp', '--allow-http');
  const contentEncoding = gzipContentEncoding(text('contentEncoding'));

  const waitMinMs = parseDuration(text('retryWaitMin') ?? '');
  if (waitMinMs === undefined) throw new ConfigError('--retry-wait-min', `"${text('retryWaitMin')}" is not a duration like 1s or 250ms`);
  const waitMaxMs = parseDuration(text('retryWaitMax') ?? '');
  if (waitMaxMs === undefined) throw new ConfigError('--retry-wait-max', `"${text('retryWaitMax')}" is not a duration like 30s`);
  if (waitMaxMs < waitMinMs) throw new ConfigError('--retry-wait-max', `must be at least --retry-wait-min (${text('retryWaitMin')})`);

  const logLevel = text('logLevel') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError('--log-level', `"${logLevel}" is not one of ${LOG_LEVELS.join(', ')}`);

  const signingKeyPath = text('signingKey');
  if (signingKeyPath !== undefined && signingKeyPath.trim() === '') throw new ConfigError('--signing-key', 'is blank');

  return {
    listen,
    apiToken,
    apiTokenGenerated,
    signingKeyPath,
    dataDir,
    eventsPerSecond,
    flushIntervalMs,
    maxBatch,
    allowHttp,
    contentEncoding,
    retry: { maxRetries: 4, waitMinMs, waitMaxMs },
    requestTimeoutMs: 30_000,
    replayStepMs: 1_000,
    retentionMs: RETENTION_MS,
    maxQueuedEvents: 100_000,
    logLevel,
  };
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `250ms`, `5s`, `1.5s`, `2m`, `1h`, or a bare number of milliseconds. Undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(text);
  if (!match) return undefined;
  const value = Number(match[1]) * DURATION_UNITS[(match[2] ?? 'ms').toLowerCase()]!;
  return Number.isFinite(value) ? Math.round(value) : undefined;
}

/** `audit-relay send`: one Konnect-shaped batch to any endpoint. */
export const SEND_OPTIONS: readonly OptionSpec[] = [
  { key: 'endpoint', flags: '--endpoint <url>', env: 'AUDIT_RELAY_SEND_ENDPOINT', required: true, description: 'where to POST the batch (https:// or http://)' },
  {
    key: 'authorization',
    flags: '--authorization <value>',
    env: 'AUDIT_RELAY_SEND_AUTHORIZATION',
    required: true,
    description: 'the Authorization header, sent verbatim, scheme included (e.g. "Bearer abc", "Splunk abc"); never printed',
  },
  { key: 'format', flags: '--format <format>', env: 'AUDIT_RELAY_SEND_FORMAT', default: 'cef', description: 'cef, json or cps: one event per line in that format' },
  { key: 'count', flags: '--count <n>', env: 'AUDIT_RELAY_SEND_COUNT', default: '5', description: 'how many synthetic events the batch holds' },
  {
    key: 'skipSslVerification',
    flags: '--skip-ssl-verification',
    env: 'AUDIT_RELAY_SEND_SKIP_SSL_VERIFICATION',
    description: "do not verify the server's certificate (self-signed receivers only)",
  },
  {
    key: 'signingKey',
    flags: '--signing-key <path>',
    env: 'AUDIT_RELAY_SEND_SIGNING_KEY',
    description: 'Ed25519 private key that signs the lines (e.g. the stand-in\'s data/konnect/signing-key.pem); default: a throw-away key whose JWKS is printed',
  },
  contentEncodingOption('AUDIT_RELAY_SEND_CONTENT_ENCODING'),
  { key: 'timeout', flags: '--timeout <duration>', env: 'AUDIT_RELAY_SEND_TIMEOUT', default: '30s', description: 'how long to wait for the answer' },
];

export interface SendConfig {
  endpoint: string;
  authorization: string;
  format: 'cef' | 'json' | 'cps';
  count: number;
  skipSslVerification: boolean;
  contentEncoding: GzipContentEncoding;
  signingKeyPath: string | undefined;
  timeoutMs: number;
}

export function resolveSendRawOptions(flags: Record<string, unknown>, env: NodeJS.ProcessEnv): RawOptions {
  return resolveOptions(SEND_OPTIONS, flags, env);
}

export function buildSendConfig(raw: RawOptions): SendConfig {
  return buildNamingSources(SEND_OPTIONS, raw, () => sendConfigFrom(raw));
}

function sendConfigFrom(raw: RawOptions): SendConfig {
  const text = (key: string) => raw[key] as string | undefined;

  const endpoint = text('endpoint');
  if (endpoint === undefined) throw new ConfigError('--endpoint', 'is required, e.g. https://siem.example.com/audit-logs');
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new ConfigError('--endpoint', `"${endpoint}" is not a valid URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError('--endpoint', 'must be an https:// or http:// URL');

  const authorization = text('authorization');
  if (authorization === undefined || authorization.trim() === '') {
    throw new ConfigError('--authorization', 'is required: the Authorization header the endpoint expects, e.g. "Bearer abc"');
  }
  if (!/^[\t\x20-\x7e]+$/.test(authorization)) throw new ConfigError('--authorization', 'must be printable ASCII on one line');

  const format = text('format') as SendConfig['format'];
  if (!['cef', 'json', 'cps'].includes(format)) throw new ConfigError('--format', `"${format}" is not one of cef, json, cps`);

  const count = Number(text('count'));
  if (!/^\s*\d+\s*$/.test(text('count') ?? '') || count < 1 || count > 100_000) {
    throw new ConfigError('--count', `"${text('count')}" is not a whole number from 1 to 100000`);
  }

  const skipSslVerification = switchValue(raw, 'skipSslVerification', '--skip-ssl-verification');

  const timeoutMs = parseDuration(text('timeout') ?? '');
  if (timeoutMs === undefined || timeoutMs < 1) throw new ConfigError('--timeout', `"${text('timeout')}" is not a duration like 10s`);

  const contentEncoding = gzipContentEncoding(text('contentEncoding'));

  return { endpoint, authorization, format, count, skipSslVerification, contentEncoding, signingKeyPath: text('signingKey'), timeoutMs };
}

function gzipContentEncoding(value: string | undefined): GzipContentEncoding {
  const found = GZIP_CONTENT_ENCODINGS.find((encoding) => encoding === value);
  if (found === undefined) throw new ConfigError('--content-encoding', `"${value}" is not one of ${GZIP_CONTENT_ENCODINGS.join(', ')}`);
  return found;
}
