/**
 * `npm run bench`'s options, from its flags and then the environment. `--help` prints them; an
 * unknown flag or a bad number stops the run before anything starts, as a typo would otherwise
 * cost three minutes of measuring the wrong thing.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';

export interface BenchOptions {
  seconds: number;
  warmup: number;
  rounds: number;
  connections: number;
  /** Case ids to run; empty runs them all. */
  cases: number[];
  microSeconds: number;
  outDir: string;
  receiverNodeArgs: string[];
}

/** What the caller does next: run with these options, or exit printing this text. */
export type BenchCommandLine = { run: BenchOptions } | { exit: number; output: string };

function number(allowZero: boolean, integer = false) {
  return (text: string): number => {
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0) || (integer && !Number.isInteger(value))) {
      throw new InvalidArgumentError(`expected a ${allowZero ? 'non-negative' : 'positive'} ${integer ? 'whole number' : 'number'}`);
    }
    return value;
  };
}

function caseIds(known: readonly number[]) {
  return (text: string): number[] => {
    const ids = text
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '');
    const unknown = ids.filter((id) => !known.includes(Number(id)));
    if (ids.length === 0 || unknown.length > 0) {
      throw new InvalidArgumentError(`expected case ids from ${known.join(',')}${unknown.length > 0 ? `; ${unknown.join(',')} is not one` : ''}`);
    }
    return ids.map(Number);
  };
}

interface OptionSpec {
  flag: string;
  /** What the flag's value is, as --help shows it. */
  placeholder: string;
  env: string;
  description: string;
  defaultValue?: number | string;
  parse?: (text: string) => unknown;
}

function optionSpecs(knownCases: readonly number[], defaultOutDir: string): OptionSpec[] {
  return [
    { flag: 'seconds', placeholder: 'n', env: 'BENCH_SECONDS', description: 'measured seconds per server and case', defaultValue: 10, parse: number(false) },
    { flag: 'warmup', placeholder: 'n', env: 'BENCH_WARMUP', description: 'warm-up seconds before each measured run', defaultValue: 2, parse: number(true) },
    { flag: 'rounds', placeholder: 'n', env: 'BENCH_ROUNDS', description: 'slices the measured seconds are cut into, alternating receiver and baseline', defaultValue: 4, parse: number(false, true) },
    { flag: 'connections', placeholder: 'n', env: 'BENCH_CONNECTIONS', description: 'concurrent connections', defaultValue: 10, parse: number(false, true) },
    { flag: 'cases', placeholder: 'ids', env: 'BENCH_CASES', description: `run only these cases, e.g. 2,3 (default: all of ${knownCases.join(',')})`, parse: caseIds(knownCases) },
    { flag: 'micro-seconds', placeholder: 'n', env: 'BENCH_MICRO_SECONDS', description: 'seconds for the micro-benchmark; 0 skips it and the framing worst cases', defaultValue: 5, parse: number(true) },
    { flag: 'out', placeholder: 'dir', env: 'BENCH_OUT', description: 'where latest.json goes', defaultValue: defaultOutDir },
  ];
}

export function parseBenchOptions(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  knownCases: readonly number[],
  defaultOutDir: string,
): BenchCommandLine {
  let output = '';
  const command = new Command('npm run bench --')
    .description(
      'Run the receiver and a bare node:http baseline under the same autocannon load, case by case, then the ' +
        'CEF-vs-JSON.parse micro-benchmark; print one table and write latest.json.',
    )
    .helpOption('-h, --help', 'show this help')
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({ writeOut: (text) => (output += text), writeErr: (text) => (output += text) })
    .addHelpText(
      'after',
      '\nEnvironment only:\n  BENCH_RECEIVER_NODE_ARGS  extra node flags for the receiver, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"\n' +
        '                            (then: node dist-bench/bench/profile-summary.js /tmp/prof/*.cpuprofile)',
    );
  const specs = optionSpecs(knownCases, defaultOutDir);
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
  const options = command.opts<{ seconds: number; warmup: number; rounds: number; connections: number; cases?: number[]; microSeconds: number; out: string }>();
  return {
    run: {
      seconds: options.seconds,
      warmup: options.warmup,
      rounds: options.rounds,
      connections: options.connections,
      cases: options.cases ?? [],
      microSeconds: options.microSeconds,
      outDir: options.out,
      receiverNodeArgs: (env.BENCH_RECEIVER_NODE_ARGS ?? '').split(/\s+/).filter((arg) => arg !== ''),
    },
  };
}
