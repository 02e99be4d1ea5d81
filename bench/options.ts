/**
 * `npm run bench`'s options, from its flags and then the environment (see command-line.ts).
 */
import { InvalidArgumentError } from 'commander';
import { number, parseCommandLine, words, type CommandLine, type OptionSpec } from './command-line';

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
export type BenchCommandLine = CommandLine<BenchOptions>;

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
  return parseCommandLine(
    {
      usage: 'npm run bench --',
      description:
        'Run the receiver and a bare node:http baseline under the same autocannon load, case by case, then the ' +
        'CEF-vs-JSON.parse micro-benchmark; print one table and write latest.json.',
      helpAfter:
        '\nEnvironment only:\n  BENCH_RECEIVER_NODE_ARGS  extra node flags for the receiver, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"\n' +
        '                            (then: node dist-bench/bench/profile-summary.js /tmp/prof/*.cpuprofile)',
    },
    optionSpecs(knownCases, defaultOutDir),
    argv,
    env,
    (options: { seconds: number; warmup: number; rounds: number; connections: number; cases?: number[]; microSeconds: number; out: string }) => ({
      seconds: options.seconds,
      warmup: options.warmup,
      rounds: options.rounds,
      connections: options.connections,
      cases: options.cases ?? [],
      microSeconds: options.microSeconds,
      outDir: options.out,
      receiverNodeArgs: words(env.BENCH_RECEIVER_NODE_ARGS),
    }),
  );
}
