import {
  buildKonnectConfig,
  buildSendConfig,
  parseDuration,
  resolveKonnectRawOptions,
  resolveSendRawOptions,
} from '../../src/config/konnect-config';
import { ConfigError } from '../../src/config/config-error';

const build = (flags: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) => buildKonnectConfig(resolveKonnectRawOptions(flags, env));

describe('konnect configuration', () => {
  it('defaults: 127.0.0.1:8081, ./data/konnect, 1 event/s, 5 s flushes, batches of 100, https only, Konnect retries; a generated token', () => {
    const config = build({});
    expect(config).toMatchObject({
      listen: { host: '127.0.0.1', port: 8081 },
      dataDir: './data/konnect',
      signingKeyPath: undefined,
      eventsPerSecond: 1,
      flushIntervalMs: 5000,
      maxBatch: 100,
      allowHttp: false,
      retry: { maxRetries: 4, waitMinMs: 1000, waitMaxMs: 30_000 },
      retentionMs: 7 * 24 * 3_600_000,
      apiTokenGenerated: true,
      logLevel: 'info',
    });
    expect(config.apiToken).toMatch(/^kpat_[A-Za-z0-9_-]{32}$/);
    expect(build({}).apiToken).not.toBe(config.apiToken);
  });

  it('takes every option from AUDIT_RELAY_KONNECT_*, and the flag wins', () => {
    const env = {
      AUDIT_RELAY_KONNECT_LISTEN: '0.0.0.0:9000',
      AUDIT_RELAY_KONNECT_API_TOKEN: 'from-env',
      AUDIT_RELAY_KONNECT_SIGNING_KEY: '/keys/k.pem',
      AUDIT_RELAY_KONNECT_DATA_DIR: '/data/konnect',
      AUDIT_RELAY_KONNECT_EVENTS_PER_SECOND: '0.5',
      AUDIT_RELAY_KONNECT_FLUSH_INTERVAL: '1m',
      AUDIT_RELAY_KONNECT_MAX_BATCH: '7',
      AUDIT_RELAY_KONNECT_ALLOW_HTTP: 'true',
      AUDIT_RELAY_KONNECT_RETRY_WAIT_MIN: '250ms',
      AUDIT_RELAY_KONNECT_RETRY_WAIT_MAX: '2s',
      AUDIT_RELAY_KONNECT_LOG_LEVEL: 'debug',
    };
    expect(build({}, env)).toMatchObject({
      listen: { host: '0.0.0.0', port: 9000 },
      apiToken: 'from-env',
      apiTokenGenerated: false,
      signingKeyPath: '/keys/k.pem',
      dataDir: '/data/konnect',
      eventsPerSecond: 0.5,
      flushIntervalMs: 60_000,
      maxBatch: 7,
      allowHttp: true,
      retry: { waitMinMs: 250, waitMaxMs: 2000 },
      logLevel: 'debug',
    });
    expect(build({ listen: '127.0.0.1:1', apiToken: 'flag', maxBatch: '3', allowHttp: true }, { ...env, AUDIT_RELAY_KONNECT_ALLOW_HTTP: '0' })).toMatchObject({
      listen: { port: 1 },
      apiToken: 'flag',
      maxBatch: 3,
      allowHttp: true,
    });
    expect(build({}, { AUDIT_RELAY_KONNECT_ALLOW_HTTP: '0' }).allowHttp).toBe(false);
  });

  it.each([
    [{ listen: 'localhost' }, '--listen'],
    [{ apiToken: '   ' }, '--api-token'],
    [{ apiToken: 'Bearer abc' }, '--api-token'],
    [{ apiToken: 'tök' }, '--api-token'],
    [{ dataDir: ' ' }, '--data-dir'],
    [{ eventsPerSecond: '-1' }, '--events-per-second'],
    [{ eventsPerSecond: 'fast' }, '--events-per-second'],
    [{ flushInterval: '5 parsecs' }, '--flush-interval'],
    [{ flushInterval: '1ms' }, '--flush-interval'],
    [{ maxBatch: '0' }, '--max-batch'],
    [{ maxBatch: '2.5' }, '--max-batch'],
    [{ retryWaitMin: 'soon' }, '--retry-wait-min'],
    [{ retryWaitMin: '10s', retryWaitMax: '1s' }, '--retry-wait-max'],
    [{ logLevel: 'loud' }, '--log-level'],
  ])('refuses %j, naming %s', (flags, option) => {
    let caught: unknown;
    try {
      build(flags);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).option).toBe(option);
    expect((caught as ConfigError).message.startsWith(`${option}: `)).toBe(true);
  });

  it('refuses a bad boolean in the environment, naming the variable', () => {
    expect(() => build({}, { AUDIT_RELAY_KONNECT_ALLOW_HTTP: 'maybe' })).toThrow(
      'AUDIT_RELAY_KONNECT_ALLOW_HTTP (--allow-http): "maybe" is not true or false',
    );
  });

  it('parses durations', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('40')).toBe(40);
    expect(parseDuration('5 S')).toBe(5000);
    expect(parseDuration('-1s')).toBeUndefined();
    expect(parseDuration('1d')).toBeUndefined();
  });
});

describe('send configuration', () => {
  const buildSend = (flags: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) => buildSendConfig(resolveSendRawOptions(flags, env));

  it('needs an endpoint and an authorization; defaults to 5 cef events, verified TLS, gzip, 30 s', () => {
    expect(buildSend({ endpoint: 'https://siem.example.com/in', authorization: 'Bearer x' })).toEqual({
      endpoint: 'https://siem.example.com/in',
      authorization: 'Bearer x',
      format: 'cef',
      count: 5,
      skipSslVerification: false,
      contentEncoding: 'gzip',
      signingKeyPath: undefined,
      timeoutMs: 30_000,
    });
    expect(buildSend({}, { AUDIT_RELAY_SEND_ENDPOINT: 'http://127.0.0.1:8080/a', AUDIT_RELAY_SEND_AUTHORIZATION: 'Splunk y', AUDIT_RELAY_SEND_FORMAT: 'cps', AUDIT_RELAY_SEND_SKIP_SSL_VERIFICATION: '1' })).toMatchObject({
      authorization: 'Splunk y',
      format: 'cps',
      skipSslVerification: true,
    });
  });

  it.each([
    [{ authorization: 'Bearer x' }, '--endpoint'],
    [{ endpoint: 'nope', authorization: 'Bearer x' }, '--endpoint'],
    [{ endpoint: 'ftp://x.example.com', authorization: 'Bearer x' }, '--endpoint'],
    [{ endpoint: 'https://x.example.com' }, '--authorization'],
    [{ endpoint: 'https://x.example.com', authorization: 'a\nb' }, '--authorization'],
    [{ endpoint: 'https://x.example.com', authorization: 'Bearer x', format: 'leef' }, '--format'],
    [{ endpoint: 'https://x.example.com', authorization: 'Bearer x', count: '0' }, '--count'],
    [{ endpoint: 'https://x.example.com', authorization: 'Bearer x', timeout: 'never' }, '--timeout'],
  ])('refuses %j, naming %s', (flags, option) => {
    expect(() => buildSend(flags)).toThrow(new RegExp(`^${option}: `));
  });

  it('names the environment variable a bad value came from', () => {
    expect(() => buildSend({ endpoint: 'https://x.example.com', authorization: 'Bearer x' }, { AUDIT_RELAY_SEND_COUNT: 'abc' })).toThrow(
      /^AUDIT_RELAY_SEND_COUNT \(--count\): "abc"/,
    );
  });
});
