import { Command } from 'commander';
import { addSchemaOptions, closeOnSignals } from './options';
import { buildKonnectConfig, KONNECT_OPTIONS, resolveKonnectRawOptions, type KonnectConfig } from '../config/konnect-config';
import { startKonnectStandIn, type KonnectStandIn } from '../konnect/konnect-server';
import { createLogger } from '../observability/logger';

export function konnectCommand(): Command {
  const command = new Command('konnect').description(
    "Run a local stand-in for Kong Konnect's side: the audit-log destination/webhook API and signed, gzip'd deliveries.",
  );
  addSchemaOptions(command, KONNECT_OPTIONS);
  command.action(async (flags: Record<string, unknown>) => {
    const config = buildKonnectConfig(resolveKonnectRawOptions(flags, process.env));
    const logger = createLogger(config.logLevel);
    const standIn = await startKonnectStandIn(config, logger);
    printBanner(config, standIn);
    logger.info('konnect stand-in started', summarize(config, standIn));

    closeOnSignals(standIn, logger);
  });
  return command;
}

/** What the configuration amounts to, without the token. */
function summarize(config: KonnectConfig, standIn: KonnectStandIn): Record<string, unknown> {
  return {
    url: standIn.url,
    jwks: standIn.jwksUrl,
    api_token_generated: config.apiTokenGenerated,
    data_dir: config.dataDir,
    signing_key: standIn.signingKeyPath,
    signing_key_generated: standIn.signingKeyGenerated,
    events_per_second: config.eventsPerSecond,
    flush_interval_ms: config.flushIntervalMs,
    max_batch: config.maxBatch,
    allow_http: config.allowHttp,
    retry: config.retry,
  };
}

/** Printed once, on stderr. The token appears here only when it was generated for this run. */
function printBanner(config: KonnectConfig, standIn: KonnectStandIn): void {
  const lines = [
    `Konnect stand-in API at ${standIn.url}`,
    `JWKS (no token needed): ${standIn.jwksUrl}`,
    `Signing key: ${standIn.signingKeyPath}${standIn.signingKeyGenerated ? ' (generated now)' : ''}`,
  ];
  if (config.apiTokenGenerated) {
    lines.push(
      'No --api-token was configured, so this token was generated for this run (it is not stored):',
      `  API token: ${config.apiToken}`,
      'Configure a destination (the Konnect docs\' call):',
      `  curl -i -X PATCH ${standIn.url}/v2/audit-log-destinations -H 'Content-Type: application/json' -H 'Authorization: Bearer ${config.apiToken}' --data '{"endpoint":"https://127.0.0.1:8443/audit-logs","authorization":"Bearer example-token","log_format":"cef","skip_ssl_verification":true}'`,
    );
  }
  lines.push(
    `Synthetic traffic: ${config.eventsPerSecond} event(s)/s; batches of up to ${config.maxBatch} every ${config.flushIntervalMs} ms.` +
      (config.allowHttp ? ' http:// endpoints are allowed.' : ''),
  );
  process.stderr.write(`${lines.join('\n')}\n`);
}

export { sendCommand } from './send-command';
