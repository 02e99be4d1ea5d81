/**
 * The command lines of the bench's tools (`npm run bench`, `npm run soak`): flags, each with an
 * environment variable, then the environment. `--help` prints them; an unknown flag or a bad value
 * stops the tool before anything starts, as a typo would otherwise cost minutes of measuring the
 * wrong thing.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';

export interface OptionSpec {
  flag: string;
  /** What the flag's value is, as --help shows it. */
  placeholder: string;
  env: string;
  description: string;
  defaultValue?: number | string;
  parse?: (text: string) => unknown;
}

/** What the caller does next: run with these options, or exit printing this text. */
export type CommandLine<Values> = { run: Values } | { exit: number; output: string };

/** A parser for a number option: positive, or also zero; any number, or only whole ones. */
export function number(allowZero: boolean, integer = false) {
  return (text: string): number => {
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0) || (integer && !Number.isInteger(value))) {
      throw new InvalidArgumentError(`expected a ${allowZero ? 'non-negative' : 'positive'} ${integer ? 'whole number' : 'number'}`);
    }
    return value;
  };
}

/** Parses `argv` after `env`, and hands the values (by camel-cased flag) to `toResult`. */
export function parseCommandLine<Values, Result>(
  tool: { usage: string; description: string; helpAfter?: string },
  specs: readonly OptionSpec[],
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  toResult: (values: Values) => Result,
): CommandLine<Result> {
  let output = '';
  const command = new Command(tool.usage)
    .description(tool.description)
    .helpOption('-h, --help', 'show this help')
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({ writeOut: (text) => (output += text), writeErr: (text) => (output += text) });
  if (tool.helpAfter) command.addHelpText('after', tool.helpAfter);
  const fromEnv: string[] = [];
  for (const spec of specs) {
    const option = new Option(`--${spec.flag} <${spec.placeholder}>`, `${spec.description} (env: ${spec.env})`);
    if (spec.defaultValue !== undefined) option.default(spec.defaultValue);
    if (spec.parse) option.argParser(spec.parse);
    command.addOption(option);
    const value = env[spec.env];
    const flagGiven = argv.some((arg) => arg === `--${spec.flag}` || arg.startsWith(`--${spec.flag}=`));
    if (value === undefined || value === '' || flagGiven) continue;
    // Checked here, so that the message names the variable the user set, not a flag they never typed.
    try {
      spec.parse?.(value);
    } catch (error) {
      if (error instanceof InvalidArgumentError) return { exit: 1, output: `error: ${spec.env}="${value}" is invalid: ${error.message}\n` };
      throw error;
    }
    fromEnv.push(`--${spec.flag}`, value);
  }
  try {
    command.parse([...fromEnv, ...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return { exit: error.exitCode, output };
    throw error;
  }
  return { run: toResult(command.opts<Values & Record<string, unknown>>()) };
}

/** An environment variable that holds command-line words (`--cpu-prof  --cpu-prof-dir=/tmp/p`), split on blanks. */
export function words(value: string | undefined): string[] {
  return (value ?? '').split(/\s+/).filter((word) => word !== '');
}
