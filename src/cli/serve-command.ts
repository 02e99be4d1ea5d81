import { Command } from 'commander';
import { addSchemaOptions, closeOnSignals } from './options';
import { buildServeConfig, reloadAuthorizations, resolveRawOptions, SERVE_OPTIONS, type ServeConfig } from '../config/serve-config';
import { createLogger, type Logger } from '../observability/logger';
import { startReceiver, type RunningReceiver } from '../receiver';
import { describeJwksLocation } from '../signature/jwks-source';
import { isDevNull } from '../sinks/stdout-sink';

export function serveCommand(): Command {
  const command = new Command('serve').description(
    'Run the SIEM-side receiver: accept audit-log batches, write normalized events to the sinks.',
  );
  addSchemaOptions(command, SERVE_OPTIONS);
  command.action(async (flags: Record<string, string | string[] | undefined>) => {
    const config = buildServeConfig(resolveRawOptions(flags, process.env));
    const logger = createLogger(config.logLevel);
    const receiver = await startReceiver(config, logger);
    // Before the banner: whoever waits for it may signal at once.
    closeOnSignals(receiver, logger);
    process.on('SIGHUP', () => {
      logger.info('reopening files', { signal: 'SIGHUP' });
      receiver.reopenFiles();
      if (config.authorizationFile !== undefined) reloadAuthorizationFile(config, receiver, logger);
    });
    printBanner(config, receiver);
    logger.info('receiver started', summarize(config, receiver.url, receiver.metricsUrl));
    if (config.sinks.includes('stdout') && isDevNull(1)) {
      logger.warn('stdout is /dev/null (closed, or sent there): events written to the stdout sink are thrown away; drop --sink stdout or give it a reader');
    }
  });
  return command;
}

/** Accept the file's values as they are now; a file that cannot serve leaves the old ones accepted. */
function reloadAuthorizationFile(config: ServeConfig, receiver: RunningReceiver, logger: Logger): void {
  try {
    const values = reloadAuthorizations(config);
    receiver.replaceAuthorizations(values);
    logger.info('authorization values reloaded', { signal: 'SIGHUP', authorization_values: values.length });
  } catch (error) {
    logger.error('authorization file not reloaded; the values read before are still accepted', { signal: 'SIGHUP', error: (error as Error).message });
  }
}

/** What the configuration amounts to, with the credentials reduced to a count. */
function summarize(config: ServeConfig, url: string, metricsUrl: string): Record<string, unknown> {
  return {
    url,
    metrics_url: metricsUrl,
    pid: process.pid,
    log_level: config.logLevel,
    authorization_values: config.authorizations.length,
    authorization_generated: config.authorizationGenerated,
    sinks: config.sinks,
    dead_letter: config.deadLetter,
    max_body_bytes: config.maxBody,
    max_events: config.maxEvents,
    max_line_length: config.maxLineLength,
    max_json_depth: config.maxJsonDepth,
    header_timeout_ms: config.headerTimeoutMs,
    request_timeout_ms: config.requestTimeoutMs,
    shutdown_timeout_ms: config.shutdownTimeoutMs,
    auth_failure_limit: config.authFailureLimit,
    tls: config.tls?.kind ?? 'off',
    mutual_tls: config.tlsClientCa !== undefined,
    fsync: config.fsync,
    rotation: config.rotation,
    keep_raw: config.keepRaw,
    cef_timezone: config.cefTimezone,
    max_in_flight_bytes: config.maxInFlight,
    dedup_window: config.dedupWindow,
    workers: config.workers,
    signatures: config.signatures,
    jwks: config.jwks === undefined ? undefined : describeJwksLocation(config.jwks),
    jwks_refetch_interval_ms: config.signatures === 'off' ? undefined : config.jwksRefetchIntervalMs,
  };
}

/** Printed once, on stderr, so that stdout stays a clean event stream. */
function printBanner(config: ServeConfig, receiver: RunningReceiver): void {
  const { url } = receiver;
  const lines = [`audit-relay is receiving at ${url}`];
  if (receiver.selfSignedFingerprint) {
    lines.push(`Self-signed certificate, generated for this run; SHA-256 fingerprint ${receiver.selfSignedFingerprint}`);
  }
  if (config.signatures !== 'off') lines.push(`Signatures: ${config.signatures}, with keys from ${describeJwksLocation(config.jwks!)}`);
  if (config.authorizationGenerated) {
    const credential = config.authorizations[0]!;
    const sample =
      '2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.control-planes|1|rt=1750280466889 src=127.0.0.6 action=list granted=true';
    lines.push(
      'No --authorization was configured, so this value was generated for this run (it is not stored):',
      `  Authorization: ${credential}`,
      'Send a test event:',
      `  curl -sS ${config.tls ? '-k ' : ''}${url} -H 'Authorization: ${credential}' --data-binary '${sample}'`,
    );
  }
  lines.push(`Metrics: ${receiver.metricsUrl}`);
  lines.push(`Events go to ${config.sinks.join(' and ')}; unparseable ones to ${config.deadLetter}.`);
  process.stderr.write(`${lines.join('\n')}\n`);
}
