import { parseBenchOptions, type BenchOptions } from '../../bench/options';

const CASES = [1, 2, 3, 4, 5];
const parse = (argv: string[], env: NodeJS.ProcessEnv = {}) => parseBenchOptions(argv, env, CASES, '/default/results');

function options(argv: string[], env: NodeJS.ProcessEnv = {}): BenchOptions {
  const parsed = parse(argv, env);
  if (!('run' in parsed)) throw new Error(`expected options, got exit ${parsed.exit}: ${parsed.output}`);
  return parsed.run;
}

describe('parseBenchOptions', () => {
  it('gives the documented defaults when nothing is set', () => {
    expect(options([])).toEqual({
      seconds: 10,
      warmup: 2,
      rounds: 4,
      connections: 10,
      cases: [],
      microSeconds: 5,
      outDir: '/default/results',
      receiverNodeArgs: [],
    });
  });

  it('reads the environment, and a flag wins over it', () => {
    const env = { BENCH_SECONDS: '3', BENCH_CASES: '2,3', BENCH_MICRO_SECONDS: '0', BENCH_RECEIVER_NODE_ARGS: ' --cpu-prof  --cpu-prof-dir=/tmp/p ' };
    expect(options(['--seconds', '7'], env)).toMatchObject({
      seconds: 7,
      cases: [2, 3],
      microSeconds: 0,
      receiverNodeArgs: ['--cpu-prof', '--cpu-prof-dir=/tmp/p'],
    });
  });

  it('prints the options on --help and exits 0 without running', () => {
    const parsed = parse(['--help']);
    expect(parsed).toMatchObject({ exit: 0 });
    const output = 'output' in parsed ? parsed.output : '';
    for (const flag of ['--seconds <n>', '--rounds <n>', '--cases <ids>', '--micro-seconds <n>', '--out <dir>', 'BENCH_RECEIVER_NODE_ARGS']) {
      expect(output).toContain(flag);
    }
  });

  it('refuses an unknown flag, naming the likely one', () => {
    const parsed = parse(['--secnds', '3']);
    expect(parsed).toMatchObject({ exit: 1 });
    expect('output' in parsed && parsed.output).toMatch(/unknown option '--secnds'[\s\S]*--seconds/);
  });

  it.each([
    [['--seconds', '0'], /--seconds <n>.*'0' is invalid\. expected a positive number/],
    [['--seconds', 'ten'], /'ten' is invalid/],
    [['--rounds', '2.5'], /'2\.5' is invalid\. expected a positive whole number/],
    [['--warmup', '-1'], /'-1' is invalid\. expected a non-negative number/],
    [['--cases', '2,9'], /expected case ids from 1,2,3,4,5; 9 is not one/],
    [['extra'], /too many arguments/],
  ])('refuses %j with a message that names the problem', (argv, message) => {
    const parsed = parse(argv);
    expect(parsed).toMatchObject({ exit: 1 });
    expect('output' in parsed && parsed.output).toMatch(message);
  });

  it('names the environment variable, not the flag, when a value set there is bad', () => {
    const parsed = parse([], { BENCH_CASES: '9' });
    expect(parsed).toMatchObject({ exit: 1 });
    expect('output' in parsed && parsed.output).toMatch(/^error: BENCH_CASES="9" is invalid: expected case ids from 1,2,3,4,5; 9 is not one/);
  });

  it('lets a flag win over a bad environment value', () => {
    expect(options(['--seconds', '2', '--cases=3'], { BENCH_SECONDS: '0', BENCH_CASES: '9' })).toMatchObject({ seconds: 2, cases: [3] });
  });

  it('takes 0 where 0 means "skip" or "no warm-up"', () => {
    expect(options(['--warmup', '0', '--micro-seconds', '0'])).toMatchObject({ warmup: 0, microSeconds: 0 });
  });
});
