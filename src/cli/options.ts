import { Command, Option } from 'commander';
import type { OptionSpec } from '../config/option-schema';
import type { Logger } from '../observability/logger';

/** Add a schema's options to a command; the help names each one's variable and default. */
export function addSchemaOptions(command: Command, specs: readonly OptionSpec[]): Command {
  for (const spec of specs) {
    const defaultText = spec.default === undefined ? '' : `; default: ${[spec.default].flat().join(', ')}`;
    const several = spec.repeatable ? `, ${spec.repeatable.envSeparator === '\n' ? 'one value per line' : `separated by "${spec.repeatable.envSeparator}"`}` : '';
    const required = spec.required ? 'required; ' : '';
    const option = new Option(spec.flags, `${spec.description} (${required}env: ${spec.env}${several}${defaultText})`);
    if (spec.repeatable) option.argParser((value: string, previous: string[] = []) => [...previous, value]);
    command.addOption(option);
  }
  return command;
}

/** On SIGTERM or SIGINT: close once, then exit 0, or 1 if closing failed. */
export function closeOnSignals(service: { close(): Promise<void> }, logger: Logger): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    service.close().then(
      () => process.exit(0),
      (error: Error) => {
        logger.error('shutdown failed', { error: error.message });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
