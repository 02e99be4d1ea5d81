/** `npm run soak`'s options, from its flags and then the environment (see ../command-line.ts). */
import { InvalidArgumentError } from 'commander';
import { parseSize } from '../../src/config/size';
import { number, parseCommandLine, words, type CommandLine } from '../command-line';

export interface SoakOptions {
  seconds: number;
  /** Requests per second, new batches and resends together. */
  rate: number;
  connections: number;
  eventsPerRequest: number;
  /** Share of lines that are no event, 0 to 1. */
  badLineShare: number;
  /** Share of requests that resend a batch acknowledged a moment before, 0 to 1. */
  resendShare: number;
  sampleSeconds: number;
  /** Restart the receiver (SIGTERM, then start again on the same port) this often; 0 never. */
  restartEverySeconds: number;
  rotateSize: string;
  outDir: string;
  /** Extra `serve` flags. */
  serveArgs: string[];
}

function percent(text: string): number {
  const value = number(true)(text);
  if (value > 100) throw new InvalidArgumentError('expected a percentage from 0 to 100');
  return value;
}

/** A size as `serve --rotate-size` reads it (parseSize), checked here so a typo does not cost a run. */
function size(text: string): string {
  const bytes = parseSize(text);
  if (bytes === undefined || bytes === 0) throw new InvalidArgumentError('expected a size like 256kb or 20mb');
  return text.trim();
}

/** 0, or long enough for a restart to finish before the next one is due. */
function restartInterval(text: string): number {
  const seconds = number(true)(text);
  if (seconds !== 0 && seconds < 2) throw new InvalidArgumentError('expected 0 (never) or at least 2 seconds');
  return seconds;
}

export function parseSoakOptions(argv: readonly string[], env: NodeJS.ProcessEnv, defaultOutDir: string): CommandLine<SoakOptions> {
  return parseCommandLine(
    {
      usage: 'npm run soak --',
      description:
        'Run the receiver for a long while at a steady rate of new Konnect batches (with lines that are no event, and ' +
        'batches sent again), print its latency, memory, file descriptors and CPU as it goes, then stop it and check ' +
        'that every acknowledged event is on disk exactly once, across rotated and gzip\'d files. Exits 1 when not.',
      helpAfter:
        '\nEnvironment only:\n  SOAK_SERVE_ARGS  extra serve flags, e.g. "--fsync batch --workers 0". Resent batches are expected\n' +
        '                   back as duplicates: keep --dedup-window at its default (100000) or above 50000.\n' +
        '                   The load speaks plain HTTP: no --tls-* flags.',
    },
    [
      { flag: 'seconds', placeholder: 'n', env: 'SOAK_SECONDS', description: 'how long the load runs', defaultValue: 300, parse: number(false) },
      { flag: 'rate', placeholder: 'n', env: 'SOAK_RATE', description: 'requests per second', defaultValue: 40, parse: number(false) },
      { flag: 'connections', placeholder: 'n', env: 'SOAK_CONNECTIONS', description: 'requests in flight at once', defaultValue: 5, parse: number(false, true) },
      { flag: 'events', placeholder: 'n', env: 'SOAK_EVENTS', description: 'lines per request', defaultValue: 100, parse: number(false, true) },
      { flag: 'bad-lines', placeholder: 'percent', env: 'SOAK_BAD_LINES', description: 'lines that are no event, for the dead letter', defaultValue: 1, parse: percent },
      { flag: 'resend', placeholder: 'percent', env: 'SOAK_RESEND', description: 'requests that resend a batch acknowledged a moment before', defaultValue: 1, parse: percent },
      { flag: 'sample', placeholder: 'seconds', env: 'SOAK_SAMPLE_SECONDS', description: 'seconds between two rows of the progress table', defaultValue: 30, parse: number(false) },
      { flag: 'restart-every', placeholder: 'seconds', env: 'SOAK_RESTART_EVERY', description: 'restart the receiver this often, under load (SIGTERM, then start again on the same port); 0: never, else at least 2', defaultValue: 0, parse: restartInterval },
      { flag: 'rotate-size', placeholder: 'size', env: 'SOAK_ROTATE_SIZE', description: "the receiver's --rotate-size (rotated files are all kept and read back)", defaultValue: '20mb', parse: size },
      { flag: 'out', placeholder: 'dir', env: 'SOAK_OUT', description: 'where soak.json goes', defaultValue: defaultOutDir },
    ],
    argv,
    env,
    (options: { seconds: number; rate: number; connections: number; events: number; badLines: number; resend: number; sample: number; restartEvery: number; rotateSize: string; out: string }) => ({
      seconds: options.seconds,
      rate: options.rate,
      connections: options.connections,
      eventsPerRequest: options.events,
      badLineShare: options.badLines / 100,
      resendShare: options.resend / 100,
      sampleSeconds: options.sample,
      restartEverySeconds: options.restartEvery,
      rotateSize: options.rotateSize,
      outDir: options.out,
      serveArgs: words(env.SOAK_SERVE_ARGS),
    }),
  );
}
