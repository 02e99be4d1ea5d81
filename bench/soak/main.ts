/**
 * `npm run soak`: the receiver, built as shipped, under a steady load for minutes or hours, with
 * a progress row every --sample seconds (latency, memory, file descriptors, CPU), then stopped
 * with SIGTERM and its files read back: every acknowledged event must be there exactly once.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { percentile } from '../load';
import { currentCommit, machineInfo, type MachineInfo } from '../report';
import { prng } from '../events';
import { SoakLoad, type LoadTotals } from './drive';
import { parseSoakOptions, type SoakOptions } from './options';
import { SoakReceiver } from './receiver';
import { SoakTraffic } from './traffic';
import { verifySoak, type Verification } from './verify';

// dist-bench/bench/soak/main.js, or bench/soak/main.ts under jest → the repository root.
const TWO_UP = path.resolve(__dirname, '..', '..');
const ROOT = path.basename(TWO_UP) === 'dist-bench' ? path.dirname(TWO_UP) : TWO_UP;
const RECEIVER = path.join(ROOT, 'dist', 'cli', 'main.js');

export interface SoakSample {
  seconds: number;
  requestsPerSecond: number;
  eventsPerSecond: number;
  errors: number;
  p50Ms: number | undefined;
  p99Ms: number | undefined;
  maxMs: number | undefined;
  rssMiB: number | undefined;
  heapMiB: number | undefined;
  openFds: number | undefined;
  /** The receiver's CPU over the interval, in % of one core. */
  cpuPercent: number | undefined;
}

export interface SoakResult {
  startedAt: string;
  commit: string | undefined;
  machine: MachineInfo;
  options: Omit<SoakOptions, 'outDir'>;
  samples: SoakSample[];
  load: LoadTotals;
  /** Exit codes of every receiver process on SIGTERM, restarts first. */
  receiverExitCodes: Array<number | null>;
  verification: Omit<Verification, 'lost' | 'duplicated' | 'deadLetterRaw'> & { lost: number; duplicated: number; lostExamples: number[]; duplicatedExamples: number[] };
  /** What failed; empty when the soak passed. */
  failures: string[];
  /** Where the receiver's files are, when they were kept (the soak failed). */
  keptDirectory?: string;
}

/** A percentile of no answers is no number. */
const known = (value: number) => (Number.isNaN(value) ? undefined : value);

function openFds(pid: number): number | undefined {
  try {
    return fs.readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return undefined;
  }
}

async function heapUsedMiB(url: string): Promise<number | undefined> {
  try {
    const text = await (await fetch(new URL('/metrics', url), { signal: AbortSignal.timeout(5_000) })).text();
    const match = /^audit_relay_nodejs_heap_size_used_bytes (\S+)$/m.exec(text);
    return match ? Number(match[1]) / 2 ** 20 : undefined;
  } catch {
    return undefined;
  }
}

const one = (value: number | undefined, digits = 1) => (value === undefined ? 'n/a' : value.toFixed(digits));

function sampleRow(sample: SoakSample): string[] {
  return [
    `${Math.round(sample.seconds)} s`,
    one(sample.requestsPerSecond),
    Math.round(sample.eventsPerSecond).toLocaleString('en-US'),
    String(sample.errors),
    one(sample.p50Ms),
    one(sample.p99Ms),
    one(sample.maxMs),
    one(sample.rssMiB, 0),
    one(sample.heapMiB, 0),
    sample.openFds === undefined ? 'n/a' : String(sample.openFds),
    one(sample.cpuPercent, 0),
  ];
}

const SAMPLE_HEADER = ['time', 'req/s', 'events/s', 'errors', 'p50 ms', 'p99 ms', 'max ms', 'RSS MiB', 'heap MiB', 'fds', 'CPU %'];
/** Rows are printed as they come, so the columns have fixed widths. */
const tableLine = (cells: readonly string[]) => cells.map((cell) => cell.padStart(9)).join(' ');

export async function runSoak(options: SoakOptions, progress: (line: string) => void): Promise<SoakResult> {
  const startedAt = new Date().toISOString();
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-relay-soak-'));
  const eventsFile = path.join(directory, 'events.ndjson');
  const deadLetterFile = path.join(directory, 'dead-letter.ndjson');
  const authorization = `Bearer ${randomBytes(16).toString('hex')}`;
  let receiver: SoakReceiver;
  try {
    receiver = await SoakReceiver.start(RECEIVER, authorization, { eventsFile, deadLetterFile }, options.rotateSize, options.serveArgs);
  } catch (error) {
    fs.rmSync(directory, { recursive: true, force: true });
    throw error;
  }
  // Should this process end early (Ctrl-C, an uncaught error), the receiver must not outlive it.
  const killReceiver = () => receiver.kill();
  process.once('exit', killReceiver);

  const random = prng(7);
  const traffic = new SoakTraffic(options.eventsPerRequest, options.badLineShare);
  const load = new SoakLoad(receiver.url, authorization, traffic, { ...options, random });
  const failures: string[] = [];
  const samples: SoakSample[] = [];
  const began = Date.now();
  const end = began + options.seconds * 1000;
  let lastAt = began;
  let lastCpu = receiver.cpuSeconds();
  // What ends the run early: the receiver died, or a restart could not start it again.
  const ending = new AbortController();
  const cutShort = (reason: string) => {
    failures.push(reason);
    ending.abort();
  };
  receiver.whenItDies(() => {
    const death = receiver.unplannedExit!;
    cutShort(`the receiver exited on its own with code ${death.code} at ${Math.round((Date.now() - began) / 1000)} s; its last lines: ${death.stderr.join(' | ')}`);
  });

  // A row and a restart never overlap: each waits for the other, so a row describes one running process.
  let restarting: Promise<void> | undefined;
  let sampling: Promise<void> | undefined;
  const sample = async () => {
    await restarting;
    const now = Date.now();
    const interval = load.takeInterval();
    const latencies = interval.latenciesMs;
    const cpu = receiver.cpuSeconds();
    const rss = receiver.rssBytes();
    const fds = receiver.pid === undefined ? undefined : openFds(receiver.pid);
    const elapsed = (now - lastAt) / 1000;
    const row: SoakSample = {
      seconds: (now - began) / 1000,
      requestsPerSecond: interval.requests / elapsed,
      eventsPerSecond: interval.events / elapsed,
      errors: interval.errors,
      p50Ms: known(percentile(latencies, 0.5)),
      p99Ms: known(percentile(latencies, 0.99)),
      maxMs: known(percentile(latencies, 1)),
      rssMiB: rss === undefined ? undefined : rss / 2 ** 20,
      heapMiB: await heapUsedMiB(receiver.url),
      openFds: fds,
      cpuPercent: cpu === undefined || lastCpu === undefined ? undefined : ((cpu - lastCpu) / elapsed) * 100,
    };
    lastAt = now;
    lastCpu = cpu;
    samples.push(row);
    progress(tableLine(sampleRow(row)));
  };
  const until = (ms: number) => sleep(Math.max(0, ms - Date.now()), undefined, { signal: ending.signal }).catch(() => undefined);
  const over = () => Date.now() >= end || failures.length > 0;

  progress(`soak: ${options.rate} requests/s of ${options.eventsPerRequest} lines for ${options.seconds} s against ${receiver.url}; files in ${directory}`);
  progress(tableLine(SAMPLE_HEADER));
  const running = load.run();
  const restarts = (async () => {
    if (options.restartEverySeconds === 0) return;
    for (let at = options.restartEverySeconds; at < options.seconds; at += options.restartEverySeconds) {
      await until(began + at * 1000);
      await sampling;
      if (over()) return;
      const stoppedAt = Date.now();
      restarting = receiver.restart();
      await restarting;
      restarting = undefined;
      progress(`restarted the receiver at ${Math.round((stoppedAt - began) / 1000)} s (exit code ${receiver.exitCodes.at(-1)}; answering again after ${Date.now() - stoppedAt} ms)`);
    }
  })().catch((error: unknown) => cutShort(`a restart failed: ${(error as Error).message}`));
  // The last row covers what is left, so it is never cut to a sliver.
  for (let at = options.sampleSeconds; at <= options.seconds - options.sampleSeconds / 2; at += options.sampleSeconds) {
    await until(began + at * 1000);
    if (failures.length > 0) break;
    sampling = sample();
    await sampling;
    sampling = undefined;
  }
  await until(end);
  await restarts;
  load.stop();
  await running;
  if (receiver.pid !== undefined) await sample();
  await receiver.stop();
  process.removeListener('exit', killReceiver);

  const acknowledged = new Uint8Array(traffic.sequencesUsed);
  for (const [first, count] of load.acknowledged) acknowledged.fill(1, first, first + count);
  const verification = await verifySoak(eventsFile, deadLetterFile, acknowledged).catch((error: Error) => {
    failures.push(`the files could not be read back: ${error.message}`);
    return undefined;
  });
  const totals = load.totals;
  failures.push(...judge(totals, load.badLines, verification, receiver.unplannedExit ? [] : receiver.exitCodes, options.badLineShare));

  const { outDir: _outDir, ...settings } = options;
  const { lost = [], duplicated = [], deadLetterRaw: _deadLetterRaw, ...counts } = verification ?? EMPTY_VERIFICATION;
  const result: SoakResult = {
    startedAt,
    commit: currentCommit(ROOT),
    machine: machineInfo(),
    options: settings,
    samples,
    load: totals,
    receiverExitCodes: receiver.exitCodes,
    verification: { ...counts, lost: lost.length, duplicated: duplicated.length, lostExamples: lost.slice(0, 10), duplicatedExamples: duplicated.slice(0, 10) },
    failures,
  };
  if (failures.length === 0) fs.rmSync(directory, { recursive: true, force: true });
  else result.keptDirectory = directory;
  return result;
}

/** What the load saw and the files hold, against what must hold: one sentence per fault. */
function judge(
  totals: LoadTotals,
  badLines: SoakLoad['badLines'],
  verification: Verification | undefined,
  exitCodes: ReadonlyArray<number | null>,
  badLineShare: number,
): string[] {
  const failures: string[] = [];
  if (totals.acknowledgedEvents === 0 && badLineShare < 1) failures.push('no event was acknowledged');
  if (totals.abandonedBatches > 0) failures.push(`${totals.abandonedBatches} batches were given up (never acknowledged, as Konnect would lose them)`);
  if (totals.mismatches > 0) failures.push(`${totals.mismatches} answers did not count what their batch held`);
  if (verification) {
    if (verification.lost.length > 0) failures.push(`${verification.lost.length} acknowledged events are not on disk`);
    if (verification.duplicated.length > 0) failures.push(`${verification.duplicated.length} events are on disk more than once`);
    if (verification.foreignLines > 0) failures.push(`${verification.foreignLines} lines in the events files are no record of a soak event`);
    failures.push(...judgeDeadLetter(badLines, verification.deadLetterRaw));
  }
  const badExits = exitCodes.filter((code) => code !== 0);
  if (badExits.length > 0) failures.push(`the receiver exited with code ${badExits.join(', ')} on SIGTERM`);
  return failures;
}

/**
 * Each bad line must be in the dead letter once per 200 its batch got (resends included), and at
 * most once more per attempt whose answer was lost; and nothing else may be there.
 */
export function judgeDeadLetter(badLines: SoakLoad['badLines'], found: ReadonlyMap<string, number>): string[] {
  let missing = 0;
  let extra = 0;
  const expected = new Set<string>();
  for (const { lines, answers } of badLines) {
    for (const line of lines) {
      expected.add(line);
      const count = found.get(line) ?? 0;
      if (count < answers.answered) missing++;
      if (count > answers.answered + answers.unanswered) extra++;
    }
  }
  const foreign = [...found.keys()].filter((raw) => !expected.has(raw)).length;
  return [
    ...(missing > 0 ? [`${missing} rejected lines are missing from the dead letter`] : []),
    ...(extra > 0 ? [`${extra} lines are in the dead letter more often than they were sent`] : []),
    ...(foreign > 0 ? [`${foreign} lines in the dead letter are no bad line the load sent`] : []),
  ];
}

const EMPTY_VERIFICATION: Verification = { eventFiles: 0, deadLetterFiles: 0, records: 0, deadLetterLines: 0, deadLetterRaw: new Map(), lost: [], duplicated: [], writtenUnacknowledged: 0, foreignLines: 0 };

export function renderSummary(result: SoakResult): string {
  const { load, verification: v } = result;
  const errors = Object.entries(load.errorAnswers).map(([status, count]) => `${count} × ${status}`);
  return [
    `requests: ${load.requests.toLocaleString('en-US')} (${load.newBatches.toLocaleString('en-US')} new batches, ${load.resends} resent${errors.length > 0 ? `; error answers: ${errors.join(', ')}` : ''}${load.abandonedBatches > 0 ? `; ${load.abandonedBatches} batches given up` : ''})`,
    `acknowledged events: ${load.acknowledgedEvents.toLocaleString('en-US')}; resent events answered as duplicates: ${load.duplicatesAnswered.toLocaleString('en-US')}; lines rejected: ${load.rejectedLines.toLocaleString('en-US')}`,
    `on disk: ${v.records.toLocaleString('en-US')} records in ${v.eventFiles} files (the live one and those rotated), ${v.deadLetterLines.toLocaleString('en-US')} dead-letter lines in ${v.deadLetterFiles}; ` +
      `lost ${v.lost}, written twice ${v.duplicated}, written though not acknowledged ${v.writtenUnacknowledged}`,
    `receiver exit code on SIGTERM: ${result.receiverExitCodes.join(', ')}${result.receiverExitCodes.length > 1 ? ` (${result.receiverExitCodes.length - 1} restarts under load)` : ''}`,
    result.failures.length === 0
      ? 'soak passed: every acknowledged event is on disk exactly once'
      : `soak FAILED: ${result.failures.join('; ')}${result.keptDirectory ? `\nthe receiver's files are kept in ${result.keptDirectory}` : ''}`,
    ...load.mismatchExamples.map((example) => `  mismatch: ${example}`),
    ...load.abandonedExamples.map((example) => `  given up: ${example}`),
    ...(v.lostExamples.length > 0 ? [`  first lost sequence numbers: ${v.lostExamples.join(', ')}`] : []),
    ...(v.duplicatedExamples.length > 0 ? [`  first duplicated sequence numbers: ${v.duplicatedExamples.join(', ')}`] : []),
  ].join('\n');
}

export function writeSoakReport(result: SoakResult, directory: string): string {
  fs.mkdirSync(directory, { recursive: true });
  const file = path.join(directory, 'soak.json');
  fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(result, null, 2)}\n`);
  fs.renameSync(`${file}.tmp`, file);
  return file;
}

async function main(): Promise<void> {
  const parsed = parseSoakOptions(process.argv.slice(2), process.env, path.join(ROOT, 'bench', 'results'));
  if (!('run' in parsed)) {
    (parsed.exit === 0 ? process.stdout : process.stderr).write(parsed.output);
    process.exit(parsed.exit);
  }
  // Known before minutes of load, not after.
  fs.mkdirSync(parsed.run.outDir, { recursive: true });
  fs.accessSync(parsed.run.outDir, fs.constants.W_OK);
  // Ctrl-C or a kill: exit through 'exit', where the receiver is killed too.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
  if (!fs.existsSync(RECEIVER)) {
    process.stderr.write(`soak: ${RECEIVER} is missing; run npm run build first (npm run soak does)\n`);
    process.exit(2);
  }
  const result = await runSoak(parsed.run, (line) => process.stdout.write(`${line}\n`));
  process.stdout.write(`\n${renderSummary(result)}\n`);
  process.stdout.write(`results: ${path.relative(process.cwd(), writeSoakReport(result, parsed.run.outDir))}\n`);
  process.exit(result.failures.length === 0 ? 0 : 1);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`soak: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
