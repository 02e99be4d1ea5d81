import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cpuBudget } from '../../src/config/cpu-budget';
import { buildServeConfig, resolveRawOptions } from '../../src/config/serve-config';
import { parseSize } from '../../src/config/size';
import { parseListenAddress } from '../../src/config/listen-address';
import { ConfigError } from '../../src/config/config-error';

const build = (flags: Record<string, string | string[]>, env: NodeJS.ProcessEnv = {}) => buildServeConfig(resolveRawOptions(flags, env));

describe('serve configuration', () => {
  it('defaults to 127.0.0.1:8080, /audit-logs, stdout and the data files, and generates a Bearer value', () => {
    const config = build({});
    expect(config).toMatchObject({
      listen: { host: '127.0.0.1', port: 8080 },
      path: '/audit-logs',
      sinks: ['stdout', 'file:./data/audit-events.ndjson'],
      deadLetter: './data/dead-letter.ndjson',
      maxBody: 10 * 1024 * 1024,
      authorizationGenerated: true,
    });
    expect(config.authorizations[0]).toMatch(/^Bearer [A-Za-z0-9_-]{32}$/);
    expect(build({}).authorizations[0]).not.toBe(config.authorizations[0]);
  });

  it('takes every option from its environment variable, and the flag wins', () => {
    const env = {
      AUDIT_RELAY_LISTEN: '0.0.0.0:9000',
      AUDIT_RELAY_PATH: '/in',
      AUDIT_RELAY_AUTHORIZATION: 'Bearer old\nSplunk new\n',
      AUDIT_RELAY_SINKS: 'stdout,file:/tmp/x.ndjson',
      AUDIT_RELAY_DEAD_LETTER: '/tmp/dl.ndjson',
      AUDIT_RELAY_MAX_BODY: '1mb',
      AUDIT_RELAY_LOG_LEVEL: 'debug',
    };
    expect(build({}, env)).toMatchObject({
      listen: { host: '0.0.0.0', port: 9000 },
      path: '/in',
      authorizations: ['Bearer old', 'Splunk new'],
      authorizationGenerated: false,
      sinks: ['stdout', 'file:/tmp/x.ndjson'],
      deadLetter: '/tmp/dl.ndjson',
      maxBody: 1024 * 1024,
      logLevel: 'debug',
    });
    expect(build({ listen: '127.0.0.1:1', authorization: ['Basic abc'] }, env)).toMatchObject({
      listen: { port: 1 },
      authorizations: ['Basic abc'],
    });
  });

  it('runs batches on one worker thread fewer than the CPUs (0 to 4) by default; --workers 0 keeps them on the main thread', () => {
    expect(build({}).workers).toBe(Math.min(4, Math.max(0, cpuBudget() - 1)));
    expect(build({ workers: '0' }).workers).toBe(0);
    expect(build({}, { AUDIT_RELAY_WORKERS: '3' }).workers).toBe(3);
    expect(() => build({ workers: '-1' })).toThrow('--workers: "-1" is not auto or a whole number from 0 to 64');
    expect(() => build({ workers: '65' })).toThrow('--workers: "65" is not auto or a whole number from 0 to 64');
  });

  it('wants --max-in-flight to hold one request twice as large as --max-body (as sent plus decoded)', () => {
    expect(() => build({ maxBody: '1mb', maxInFlight: '1mb' })).toThrow(
      '--max-in-flight: is 1mb, and must be at least twice --max-body (1mb): a request is held as sent and decoded, so a compressed one within --max-body could otherwise never fit; raise --max-in-flight to 2mb or more',
    );
    expect(build({ maxBody: '1mb', maxInFlight: '2mb' }).maxInFlight).toBe(2 * 1024 * 1024);
  });

  it('keeps the raw line in records by default; --keep-raw false or AUDIT_RELAY_KEEP_RAW=false leaves it out', () => {
    expect(build({}).keepRaw).toBe(true);
    expect(build({ keepRaw: 'false' }).keepRaw).toBe(false);
    expect(build({}, { AUDIT_RELAY_KEEP_RAW: 'FALSE' }).keepRaw).toBe(false);
    expect(build({ keepRaw: 'true' }, { AUDIT_RELAY_KEEP_RAW: 'false' }).keepRaw).toBe(true);
  });

  it('reads zoneless CEF stamps in UTC by default, or in --cef-timezone / AUDIT_RELAY_CEF_TIMEZONE, and refuses a zone that is none', () => {
    expect(build({}).cefTimezone).toBe('UTC');
    expect(build({ cefTimezone: 'Europe/Berlin' }).cefTimezone).toBe('Europe/Berlin');
    expect(build({}, { AUDIT_RELAY_CEF_TIMEZONE: '-07:00' }).cefTimezone).toBe('-07:00');
    expect(() => build({ cefTimezone: 'Mars/Olympus' })).toThrow(
      '--cef-timezone: "Mars/Olympus" is not a time zone: give an IANA name (Europe/Berlin), an offset (+02:00) or UTC',
    );
  });

  it('reads every yes/no option alike: true/1/yes/on and false/0/no/off, and refuses anything else instead of reading it as off', () => {
    expect(build({ keepRaw: 'no', rotateGzip: 'OFF' })).toMatchObject({ keepRaw: false, rotation: { gzip: false } });
    expect(build({}, { AUDIT_RELAY_KEEP_RAW: '0' }).keepRaw).toBe(false);
    expect(build({}, { AUDIT_RELAY_TLS_SELF_SIGNED: 'yes' }).tls).toEqual({ kind: 'self-signed' });
    expect(build({}, { AUDIT_RELAY_TLS_SELF_SIGNED: 'off' }).tls).toBeUndefined();
    expect(() => build({}, { AUDIT_RELAY_TLS_SELF_SIGNED: 'ture' })).toThrow(
      'AUDIT_RELAY_TLS_SELF_SIGNED (--tls-self-signed): "ture" is not true or false',
    );
  });

  it('names the environment variable, with its option, when a bad value came from it; the flag alone when it came from the command line', () => {
    expect(() => build({}, { AUDIT_RELAY_MAX_BODY: 'huge' })).toThrow(
      new ConfigError('AUDIT_RELAY_MAX_BODY (--max-body)', '"huge" is not a size like 512kb, 10mb or 1048576'),
    );
    expect(() => build({ maxBody: 'huge' }, { AUDIT_RELAY_MAX_BODY: '1mb' })).toThrow(/^--max-body: "huge"/);
    // An error about a combination names each option as the user gave it.
    expect(() => build({ maxBody: '1mb' }, { AUDIT_RELAY_MAX_IN_FLIGHT: '1mb' })).toThrow(/^AUDIT_RELAY_MAX_IN_FLIGHT \(--max-in-flight\): is 1mb/);
  });

  it('reads one authorization value per line from --authorization-file', () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'ar-'));
    try {
      const file = path.join(directory, 'auth');
      fs.writeFileSync(file, 'Bearer a\r\n\nSplunk b\n');
      expect(build({ authorization: ['Bearer c'], authorizationFile: file }).authorizations).toEqual(['Bearer c', 'Bearer a', 'Splunk b']);
    } finally {
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });

  it.each([
    [{ listen: 'localhost' }, '--listen: "localhost" is not HOST:PORT, e.g. 127.0.0.1:8080 or 0.0.0.0:8080'],
    [{ listen: '127.0.0.1:70000' }, '--listen: "127.0.0.1:70000": port 70000 is out of range (0–65535)'],
    [{ path: 'audit' }, '--path: "audit" must start with /'],
    [{ path: '/healthz' }, '--path: /healthz is reserved'],
    [{ maxBody: '10xb' }, '--max-body: "10xb" is not a size like 512kb, 10mb or 1048576'],
    [{ logLevel: 'loud' }, '--log-level: "loud" is not one of error, warn, info, debug'],
    [{ authorizationFile: '/nonexistent/auth' }, '--authorization-file: cannot read /nonexistent/auth: ENOENT'],
    [{ tlsCert: '/nonexistent/cert.pem' }, '--tls-key: is required with --tls-cert'],
    [{ tlsCert: '/nonexistent/c.pem', tlsKey: '/nonexistent/k.pem' }, '--tls-cert: cannot read /nonexistent/c.pem: ENOENT'],
    [{ authorization: ['Bearer x '] }, '--authorization: value 1 starts or ends with whitespace, which HTTP drops from header values'],
    [{ authorization: ['Bearer ok', '\tBearer y'] }, '--authorization: value 2 starts or ends with whitespace'],
    [{ maxJsonDepth: '1001' }, '--max-json-depth: 1001 is more than 1000, past which an event could exhaust the stack'],
    [{ authorization: [''] }, '--authorization: value 1 is empty (an unset variable?), which would accept requests with an empty Authorization header'],
    [{ authorization: ['Bearer ok', '   '] }, '--authorization: value 2 starts or ends with whitespace'],
    [{ jwks: 'ftp://127.0.0.1/j.json' }, "--jwks: the JWKS location's scheme ftp: is not supported; give an http(s) URL or a file"],
    [{ jwks: 'http://u:p@127.0.0.1:1/j.json' }, '--jwks: the JWKS URL must not contain credentials (user:password@)'],
    [{ keepRaw: 'nope' }, '--keep-raw: "nope" is not true or false (1/0, yes/no and on/off are read too)'],
  ])('refuses %j with a message naming the option', (flags, message) => {
    expect(() => build(flags as Record<string, string>)).toThrow(message);
  });

  it('names --authorization-file, and the file, for a bad value read from it', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'auth-file-')), 'auth');
    fs.writeFileSync(file, 'Bearer ok\nBearer padded \n');
    expect(() => build({ authorizationFile: file })).toThrow(`--authorization-file: value 2 of ${file} starts or ends with whitespace`);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });
});

describe('parseSize', () => {
  it.each([
    ['10mb', 10485760],
    ['512kb', 524288],
    ['1.5m', 1572864],
    ['2048', 2048],
    ['1GB', 1073741824],
  ])('reads %s as %d bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each(['', 'mb', '10 parsecs', '-1', '0'])('refuses %j', (text) => {
    expect(parseSize(text)).toBeUndefined();
  });
});

describe('parseListenAddress', () => {
  it.each([
    ['127.0.0.1:8080', { host: '127.0.0.1', port: 8080 }],
    ['0.0.0.0:0', { host: '0.0.0.0', port: 0 }],
    ['[::1]:9000', { host: '::1', port: 9000 }],
    [':8080', { host: '127.0.0.1', port: 8080 }],
    ['8080', { host: '127.0.0.1', port: 8080 }],
  ])('reads %s', (text, address) => {
    expect(parseListenAddress(text)).toEqual(address);
  });
});
