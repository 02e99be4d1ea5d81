/**
 * `npm run bench`: the receiver and a bare node:http baseline, each as its own process, under the
 * same autocannon load over loopback, for the five cases of cases.ts; then the CEF-vs-JSON.parse
 * micro-benchmark. Prints one table and writes bench/results/latest.json.
 *
 * Options: `npm run bench -- --help` (bench/options.ts).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CASES, type BenchCase } from './cases';
import { makePayloads, type PayloadSet } from './events';
import { parseBenchOptions } from './options';
import { runFramingBenchmark, runMicroBenchmark, runRotationGzipBenchmark } from './micro-benchmark';
import { percentile, runLoad, type LoadResult } from './load';
import { countOutput, outputFiles } from './output-check';
import { startServer, ServerStartError, type ServerProcess } from './receiver-process';
import {
  currentCommit,
  machineInfo,
  renderChecks,
  renderMachine,
  renderFramingWorstCases,
  renderRotationGzip,
  renderMicro,
  renderTable,
  roundRatios,
  writeReport,
  type BenchReport,
  type CaseResult,
  type ServerMeasurement,
} from './report';
import { generateEd25519KeyPair, publishJwks } from '../src/signature';

// dist-bench/bench/run.js → the repository root.
const ROOT = path.resolve(__dirname, '..', '..');
const RECEIVER = path.join(ROOT, 'dist', 'cli', 'main.js');
const BASELINE = path.join(__dirname, 'baseline-server.js');
const TARGET_RATIO = 0.7;

const log = (message: string): void => {
  process.stderr.write(`[bench] ${message}\n`);
};

interface RunContext {
  tmp: string;
  jwksPath: string;
  authorization: string;
  seconds: number;
  warmup: number;
  rounds: number;
  connections: number;
  receiverNodeArgs: string[];
  /** Options every receiver run gets (rotation and deduplication off, when the build has them). */
  receiverCommonArgs: string[];
}

/**
 * File rotation is its own feature, with its own cost (a rename and a background gzip every
 * --rotate-size): the bench turns it off, so that the comparison with the baseline is of the
 * ingest path and every event stays in one file to count. Deduplication is turned off too: the
 * load sends the same 2,000 events over and over (real traffic does not), and with it on every
 * resent event would be acknowledged without a write. Older builds have neither option.
 */
function receiverCommonArgs(): string[] {
  try {
    const help = execFileSync(process.execPath, [RECEIVER, 'serve', '--help'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return [
      ...(help.includes('--rotate-size') ? ['--rotate-size', '1024gb'] : []),
      ...(help.includes('--dedup-window') ? ['--dedup-window', '0'] : []),
    ];
  } catch {
    return [];
  }
}

interface Contender {
  kind: 'receiver' | 'baseline';
  server: ServerProcess;
  eventsFile: string;
  deadLetterFile: string;
  warmupRequests: number;
  warmupFailures: number;
  slices: LoadResult[];
  /** CPU seconds the server used during the measured slices, when /proc tells. */
  cpuSeconds: number | undefined;
}

async function startContender(kind: Contender['kind'], benchCase: BenchCase, context: RunContext): Promise<Contender> {
  const base = path.join(context.tmp, `case${benchCase.id}-${kind}`);
  const eventsFile = `${base}-events.ndjson`;
  const deadLetterFile = `${base}-dead-letter.ndjson`;
  const server =
    kind === 'receiver'
      ? await startServer({
          name: 'the receiver',
          args: [
            ...context.receiverNodeArgs,
            RECEIVER,
            'serve',
            '--listen',
            '127.0.0.1:0',
            '--authorization',
            context.authorization,
            '--sink',
            `file:${eventsFile}`,
            '--dead-letter',
            deadLetterFile,
            ...context.receiverCommonArgs,
            ...benchCase.receiverArgs.map((arg) => (arg === '{jwks}' ? context.jwksPath : arg)),
          ],
          ready: /audit-relay is receiving at (http:\/\/\S+)/,
        })
      : await startServer({
          name: 'the baseline',
          args: [
            BASELINE,
            '--out',
            eventsFile,
            '--authorization',
            context.authorization,
            '--mode',
            benchCase.baselineMode,
            ...(benchCase.baselineFsync ? ['--fsync'] : []),
          ],
          ready: /baseline is receiving at (http:\/\/\S+)/,
        });
  return { kind, server, eventsFile, deadLetterFile, warmupRequests: 0, warmupFailures: 0, slices: [], cpuSeconds: 0 };
}

/** Stop the server, check its output file against what was acknowledged, and sum up its slices. */
async function finish(contender: Contender, benchCase: BenchCase, peakRssBytes: number | undefined): Promise<ServerMeasurement> {
  const { kind, server, slices } = contender;
  const code = await server.stop();
  if (code !== 0) log(`case ${benchCase.id} ${kind} exited with code ${code}; stderr:\n  ${server.stderrTail().join('\n  ')}`);

  const sum = (pick: (slice: LoadResult) => number): number => slices.reduce((total, slice) => total + pick(slice), 0);
  const acknowledged = sum((slice) => slice.acknowledged);
  const non2xx = sum((slice) => slice.non2xx);
  const errors = sum((slice) => slice.errors);
  const timeouts = sum((slice) => slice.timeouts);
  const seconds = sum((slice) => slice.elapsedSeconds);
  const latencies = slices.flatMap((slice) => slice.latenciesMs);

  const needle = kind === 'receiver' ? benchCase.receiverLineNeedle : undefined;
  const output = await countOutput(contender.eventsFile, needle);
  const deadLetter = await countOutput(contender.deadLetterFile);
  if (output.files > 1) log(`case ${benchCase.id} ${kind}: the output was rotated into ${output.files} files; all were counted`);
  const expectedLines = (contender.warmupRequests + acknowledged) * benchCase.eventsPerRequest;
  const ok =
    output.lines === expectedLines &&
    deadLetter.lines === 0 &&
    non2xx + errors + timeouts + contender.warmupFailures === 0 &&
    acknowledged > 0 &&
    (needle === undefined || output.matches === output.lines);
  for (const file of [...outputFiles(contender.eventsFile), ...outputFiles(contender.deadLetterFile)]) fs.rmSync(file, { force: true });

  return {
    server: kind,
    eventsPerSec: sum((slice) => slice.events) / seconds,
    mbPerSec: sum((slice) => slice.decodedBytes) / 1e6 / seconds,
    requestsPerSec: acknowledged / seconds,
    latencyP50Ms: percentile(latencies, 0.5),
    latencyP99Ms: percentile(latencies, 0.99),
    peakRssBytes,
    cpuCores: contender.cpuSeconds === undefined ? undefined : contender.cpuSeconds / seconds,
    cpuMicrosPerEvent: contender.cpuSeconds === undefined ? undefined : (contender.cpuSeconds * 1e6) / sum((slice) => slice.events),
    seconds: Math.round(seconds * 100) / 100,
    acknowledgedRequests: acknowledged,
    non2xx,
    errors,
    timeouts,
    warmupRequests: contender.warmupRequests,
    check: {
      expectedLines,
      actualLines: output.lines,
      actualBytes: output.bytes,
      deadLetterLines: deadLetter.lines,
      ...(needle === undefined ? {} : { signatureValidLines: output.matches }),
      ok,
    },
  };
}

/**
 * One case: both servers run side by side (the idle one costs nothing); each is warmed up, then
 * the measured time is cut into `rounds` slices that alternate between them (R B, B R, …), so a
 * change in the machine's background load hits both about equally.
 */
async function runCase(benchCase: BenchCase, payloads: PayloadSet, context: RunContext): Promise<Pick<CaseResult, 'receiver' | 'baseline' | 'roundRatios'>> {
  const receiver = await startContender('receiver', benchCase, context); // throws ServerStartError when unavailable
  let baseline: Contender | undefined;
  try {
    baseline = await startContender('baseline', benchCase, context);
    const contenders = [receiver, baseline];
    const drive = (contender: Contender, seconds: number): Promise<LoadResult> =>
      runLoad({
        url: contender.server.url,
        authorization: context.authorization,
        payloads: payloads.payloads,
        gzip: payloads.gzip,
        connections: context.connections,
        seconds,
      });
    if (context.warmup > 0) {
      for (const contender of contenders) {
        const warm = await drive(contender, context.warmup);
        contender.warmupRequests = warm.acknowledged;
        contender.warmupFailures = warm.non2xx + warm.errors + warm.timeouts;
      }
    }
    const slice = context.seconds / context.rounds;
    for (let round = 0; round < context.rounds; round++) {
      const order = round % 2 === 0 ? contenders : [...contenders].reverse();
      for (const contender of order) {
        const before = contender.server.cpuSeconds();
        contender.slices.push(await drive(contender, slice));
        const after = contender.server.cpuSeconds();
        contender.cpuSeconds = before === undefined || after === undefined || contender.cpuSeconds === undefined ? undefined : contender.cpuSeconds + after - before;
      }
    }
  } catch (error) {
    for (const contender of [receiver, baseline]) {
      if (!contender) continue;
      log(`${contender.kind} stderr:\n  ${contender.server.stderrTail().join('\n  ')}`);
      await contender.server.stop();
    }
    throw error;
  }
  const receiverRss = receiver.server.peakRssBytes();
  const baselineRss = baseline.server.peakRssBytes();
  return {
    receiver: await finish(receiver, benchCase, receiverRss),
    baseline: await finish(baseline, benchCase, baselineRss),
    roundRatios: roundRatios(receiver.slices, baseline.slices),
  };
}

async function main(): Promise<void> {
  const commandLine = parseBenchOptions(process.argv.slice(2), process.env, CASES.map((c) => c.id), path.join(ROOT, 'bench', 'results'));
  if ('exit' in commandLine) {
    (commandLine.exit === 0 ? process.stdout : process.stderr).write(commandLine.output);
    process.exitCode = commandLine.exit;
    return;
  }
  const { seconds, warmup, rounds, connections, microSeconds, receiverNodeArgs } = commandLine.run;
  const outDir = path.resolve(commandLine.run.outDir);
  const cases = CASES.filter((c) => commandLine.run.cases.length === 0 || commandLine.run.cases.includes(c.id));
  if (!fs.existsSync(RECEIVER)) throw new Error(`${RECEIVER} is missing: run npm run build first`);

  const report: BenchReport = {
    startedAt: new Date().toISOString(),
    finishedAt: '',
    commit: currentCommit(ROOT),
    machine: machineInfo(),
    settings: { secondsPerCase: seconds, warmupSeconds: warmup, rounds, connections, pipelining: 1, receiverCommonArgs: [] },
    cases: [],
    targets: { ratioCases2And3: TARGET_RATIO, met: undefined },
  };

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-relay-bench-'));
  try {
    // Konnect's side: one Ed25519 key signs every event; the receiver gets its JWKS as a file.
    const { privateKey, publicKey } = generateEd25519KeyPair();
    const jwksPath = path.join(tmp, 'jwks.json');
    fs.writeFileSync(jwksPath, JSON.stringify(publishJwks([publicKey])));
    const context: RunContext = {
      tmp,
      jwksPath,
      authorization: `Bearer bench-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`,
      seconds,
      warmup,
      rounds,
      connections,
      receiverCommonArgs: (report.settings.receiverCommonArgs = receiverCommonArgs()),
      receiverNodeArgs,
    };

    // Distinct bodies per load: 500 single events; 20 batches of 100 (2,000 distinct events).
    const payloadCache = new Map<string, PayloadSet>();
    const payloadsFor = (c: BenchCase): PayloadSet => {
      const key = `${c.format}/${c.eventsPerRequest}/${c.gzip}`;
      let set = payloadCache.get(key);
      if (!set) {
        set = makePayloads({
          format: c.format,
          eventsPerRequest: c.eventsPerRequest,
          requests: c.eventsPerRequest === 1 ? 500 : 20,
          gzip: c.gzip,
          privateKey,
        });
        payloadCache.set(key, set);
      }
      return set;
    };

    for (const benchCase of cases) {
      const payloads = payloadsFor(benchCase);
      const result: CaseResult = {
        id: benchCase.id,
        title: benchCase.title,
        baselineDoes: benchCase.baselineDoes,
        eventsPerRequest: benchCase.eventsPerRequest,
        meanEventBytes: Math.round(payloads.meanEventBytes),
        meanBodyBytes: Math.round(payloads.meanBodyBytes),
      };
      report.cases.push(result);
      log(`case ${benchCase.id} (${benchCase.title})…`);
      try {
        Object.assign(result, await runCase(benchCase, payloads, context));
      } catch (error) {
        if (!(error instanceof ServerStartError) || error.server !== 'the receiver') throw error;
        result.notAvailable = `${error.message}: ${error.lastLine}`;
        log(`case ${benchCase.id}: not available: ${result.notAvailable}`);
        continue;
      }
      if (!result.receiver || !result.baseline) continue;
      result.ratio = result.receiver.eventsPerSec / result.baseline.eventsPerSec;
      log(
        `case ${benchCase.id}: receiver ${Math.round(result.receiver.eventsPerSec)} events/s, ` +
          `baseline ${Math.round(result.baseline.eventsPerSec)} events/s, ratio ${result.ratio.toFixed(2)}`,
      );
    }

    if (microSeconds > 0) {
      log(`CEF vs JSON.parse micro-benchmark (${microSeconds} s)…`);
      try {
        const micro = await runMicroBenchmark(microSeconds);
        report.microBenchmark = {
          cefMBps: micro.cefMBps,
          jsonMBps: micro.jsonMBps,
          ratio: micro.ratio,
          eventsRatio: micro.eventsRatio,
          events: micro.events,
        };
      } catch (error) {
        report.microBenchmark = { notAvailable: (error as Error).message };
      }
    }
    if (microSeconds > 0) {
      log('framing worst cases…');
      report.framingWorstCases = await runFramingBenchmark().catch((error: Error) => ({ notAvailable: error.message }));
      log('rotation gzip…');
      report.rotationGzip = await runRotationGzipBenchmark().catch((error: Error) => ({ notAvailable: error.message }));
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }

  const targeted = report.cases.filter((c) => (c.id === 2 || c.id === 3) && c.ratio !== undefined);
  report.targets.met = targeted.length === 0 ? undefined : targeted.every((c) => c.ratio! >= TARGET_RATIO);
  report.machine.loadAverageAtEnd = os.loadavg().map((x) => Math.round(x * 100) / 100);
  report.finishedAt = new Date().toISOString();
  const file = writeReport(report, outDir);

  const sizes = report.cases
    .map((c) => `case ${c.id}: ${c.meanEventBytes} B/event, ${c.meanBodyBytes} B/request as sent`)
    .join('; ');
  process.stdout.write(
    [
      '',
      `audit-relay benchmark — ${renderMachine(report)}`,
      '',
      renderTable(report),
      '',
      'ratio = receiver events/s ÷ baseline events/s, with the lowest and highest of its rounds in brackets; MB/s = decoded event bytes; latency of 2xx answers.',
      sizes,
      '',
      renderChecks(report),
      '',
      renderMicro(report),
      renderFramingWorstCases(report),
      renderRotationGzip(report),
      '',
      `target ≥ ${TARGET_RATIO}x the baseline on cases 2 and 3: ${
        report.targets.met === undefined ? 'not measured' : report.targets.met ? 'met' : 'NOT met'
      }${targeted.length > 0 ? ` (${targeted.map((c) => `case ${c.id} ${c.ratio!.toFixed(2)}x`).join(', ')})` : ''}`,
      `results: ${path.relative(process.cwd(), file) || file}`,
      '',
    ].join('\n'),
  );
  if (report.cases.some((c) => [c.receiver, c.baseline].some((m) => m && !m.check.ok))) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
