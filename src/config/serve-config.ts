import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type { LogLevel } from '../observability/logger';
import { DEFAULT_FRAMING_LIMITS } from '../ingest/framing';
import { ConfigError } from './config-error';
import { parseListenAddress, type ListenAddress } from './listen-address';
import { parseSize } from './size';

/** One schema for every `serve` option: its flag, environment variable, default and help. */
export interface OptionSpec {
  /** Key in the raw values, as commander names it (camelCase of the flag). */
  key: string;
  flags: string;
  env: string;
  description: string;
  default?: string | string[];
  /** May be given many times; the environment variable holds several, split on this. */
  repeatable?: { envSeparator: string };
}

export const SERVE_OPTIONS: readonly OptionSpec[] = [
  { key: 'listen', flags: '--listen <host:port>', env: 'AUDIT_RELAY_LISTEN', default: '127.0.0.1:8080', description: 'address to listen on' },
  { key: 'path', flags: '--path <path>', env: 'AUDIT_RELAY_PATH', default: '/audit-logs', description: 'URL path that accepts POSTed events' },
  {
    key: 'authorization',
    flags: '--authorization <value>',
    env: 'AUDIT_RELAY_AUTHORIZATION',
    repeatable: { envSeparator: '\n' },
    description:
      'an accepted Authorization header value, compared exactly, scheme included (e.g. "Bearer abc"); repeat it so old and new values work during a rotation; env: one value per line; when no value is configured, one is generated and printed',
  },
  {
    key: 'authorizationFile',
    flags: '--authorization-file <path>',
    env: 'AUDIT_RELAY_AUTHORIZATION_FILE',
    description: 'file with accepted Authorization values, one per line (for Docker secrets; keeps them out of ps)',
  },
  {
    key: 'sink',
    flags: '--sink <spec>',
    env: 'AUDIT_RELAY_SINKS',
    repeatable: { envSeparator: ',' },
    default: ['stdout', 'file:./data/audit-events.ndjson'],
    description: 'where accepted events go: stdout or file:PATH; repeat for several; env: comma-separated',
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
  /** True when no value was configured and one was made up for this run. */
  authorizationGenerated: boolean;
  sinks: string[];
  deadLetter: string;
  maxBody: number;
  tls: TlsSetting;
  /** Where the JWKS comes from, when signatures are checked. */
  jwks: string | undefined;
  signatures: SignatureMode;
  logLevel: LogLevel;
  maxEvents: number;
  maxLineLength: number;
  maxJsonDepth: number;
  retryAfterSeconds: number;
}

export type RawOptions = Record<string, string | string[] | boolean | undefined>;

/** Flag, then environment variable, then default. */
export function resolveRawOptions(flags: RawOptions, env: NodeJS.ProcessEnv): RawOptions {
  const resolved: RawOptions = {};
  for (const spec of SERVE_OPTIONS) {
    const fromFlag = flags[spec.key];
    const fromEnv = env[spec.env];
    if (fromFlag !== undefined && !(Array.isArray(fromFlag) && fromFlag.length === 0)) {
      resolved[spec.key] = fromFlag;
    } else if (fromEnv !== undefined && fromEnv !== '') {
      resolved[spec.key] = spec.repeatable
        ? fromEnv.split(spec.repeatable.envSeparator).map((value) => value.trim()).filter((value) => value !== '')
        : fromEnv;
    } else {
      resolved[spec.key] = spec.default;
    }
  }
  return resolved;
}

const RESERVED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);
const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];
// Header values cannot carry control characters; such a value could never match.
const CONTROL_CHARACTER = /[\u0000-\u0008\u000a-\u001f\u007f]/;

export function buildServeConfig(raw: RawOptions): ServeConfig {
  const text = (key: string) => raw[key] as string | undefined;
  const list = (key: string) => (raw[key] as string[] | undefined) ?? [];

  const listen = parseListenAddress(text('listen') ?? '');
  if (!listen) throw new ConfigError('--listen', `"${text('listen')}" is not HOST:PORT, e.g. 127.0.0.1:8080 or 0.0.0.0:8080`);

  const path = text('path') ?? '';
  if (!path.startsWith('/')) throw new ConfigError('--path', `"${path}" must start with /`);
  if (RESERVED_PATHS.has(path)) throw new ConfigError('--path', `${path} is reserved for the receiver's own endpoints`);

  const authorizations = [...list('authorization'), ...readAuthorizationFile(text('authorizationFile'))];
  authorizations.forEach((value, index) => {
    if (CONTROL_CHARACTER.test(value)) {
      throw new ConfigError('--authorization', `value ${index + 1} contains a control character, so no request could match it`);
    }
  });
  const authorizationGenerated = authorizations.length === 0;
  if (authorizationGenerated) authorizations.push(`Bearer ${randomBytes(24).toString('base64url')}`);

  const maxBody = parseSize(text('maxBody') ?? '');
  if (maxBody === undefined) throw new ConfigError('--max-body', `"${text('maxBody')}" is not a size like 512kb, 10mb or 1048576`);

  const logLevel = text('logLevel') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError('--log-level', `"${logLevel}" is not one of ${LOG_LEVELS.join(', ')}`);

  const sinks = list('sink');
  if (sinks.length === 0) throw new ConfigError('--sink', 'at least one sink is needed: stdout or file:PATH');

  return {
    listen,
    path,
    authorizations,
    authorizationGenerated,
    sinks,
    deadLetter: text('deadLetter') ?? '',
    maxBody,
    tls: readTls(text('tlsCert'), text('tlsKey'), isTrue(raw.tlsSelfSigned)),
    ...signatureSettings(text('jwks'), text('signatures')),
    logLevel,
    maxEvents: 100_000,
    maxLineLength: DEFAULT_FRAMING_LIMITS.maxLineLength,
    maxJsonDepth: DEFAULT_FRAMING_LIMITS.maxJsonDepth,
    retryAfterSeconds: 5,
  };
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

/** A switch is on when given as a flag, or when its variable says true, 1 or yes. */
function isTrue(value: string | string[] | boolean | undefined): boolean {
  if (typeof value === 'boolean') return value;
  return typeof value === 'string' && ['true', '1', 'yes'].includes(value.toLowerCase());
}

function signatureSettings(jwks: string | undefined, mode: string | undefined): Pick<ServeConfig, 'jwks' | 'signatures'> {
  const signatures = (mode ?? (jwks ? 'report' : 'off')) as SignatureMode;
  if (!SIGNATURE_MODES.includes(signatures)) {
    throw new ConfigError('--signatures', `"${mode}" is not one of ${SIGNATURE_MODES.join(', ')}`);
  }
  if (signatures !== 'off' && !jwks) {
    throw new ConfigError('--signatures', `${signatures} needs --jwks to say where the public keys come from`);
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
  const read = (option: string, filePath: string) => {
    try {
      return fs.readFileSync(filePath);
    } catch (error) {
      throw new ConfigError(option, `cannot read ${filePath}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  };
  return { kind: 'files', cert: read('--tls-cert', certPath), key: read('--tls-key', keyPath) };
}
