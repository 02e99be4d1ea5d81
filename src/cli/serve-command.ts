import { Command, Option } from 'commander';
import { buildServeConfig, resolveRawOptions, SERVE_OPTIONS, type ServeConfig } from '../config/serve-config';
import { createLogger } from '../observability/logger';
import { startReceiver, type RunningReceiver } from '../receiver';

export function serveCommand(): Command {
  const command = new Command('serve').description(
    'Run the SIEM-side receiver: accept audit-log batches, write normalized events to the sinks.',
  );
  for (const spec of SERVE_OPTIONS) {
    const defaultText = spec.default === undefined ? '' : `; default: ${[spec.default].flat().join(', ')}`;
    const option = new Option(spec.flags, `${spec.description} (env: ${spec.env}${defaultText})`);
    if (spec.repeatable) option.argParser((value: string, previous: string[] = []) => [...previous, value]);
    command.addOption(option);
  }
  command.action(async (flags: Record<string, string | string[] | undefined>) => {
    const config = buildServeConfig(resolveRawOptions(flags, process.env));
    const logger = createLogger(config.logLevel);
    const receiver = await startReceiver(config, logger);
    printBanner(config, receiver);
    logger.info('receiver started', summarize(config, receiver.url));

    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info('shutting down', { signal });
      receiver.close().then(
        () => process.exit(0),
        (error: Error) => {
          logger.error('shutdown failed', { error: error.message });
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
  return command;
}

/** What the configuration amounts to, with the credentials reduced to a count. */
function summarize(config: ServeConfig, url: string): Record<string, unknown> {
  return {
    url,
    pid: process.pid,
    authorization_values: config.authorizations.length,
    authorization_generated: config.authorizationGenerated,
    sinks: config.sinks,
    dead_letter: config.deadLetter,
    max_body_bytes: config.maxBody,
    tls: config.tls?.kind ?? 'off',
    signatures: config.signatures,
    jwks: config.jwks,
  };
}

/** Printed once, on stderr, so that stdout stays a clean event stream. */
function printBanner(config: ServeConfig, receiver: RunningReceiver): void {
  const { url } = receiver;
  const lines = [`audit-relay is receiving at ${url}`];
  if (receiver.selfSignedFingerprint) {
    lines.push(`Self-signed certificate, generated for this run; SHA-256 fingerprint ${receiver.selfSignedFingerprint}`);
  }
  if (config.signatures !== 'off') lines.push(`Signatures: ${config.signatures}, with keys from ${config.jwks}`);
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
  lines.push(`Events go to ${config.sinks.join(' and ')}; unparseable ones to ${config.deadLetter}.`);
  process.stderr.write(`${lines.join('\n')}\n`);
}
