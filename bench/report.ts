/** The results: one table on stdout, and the same numbers as JSON under bench/results/. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FramingCaseResult } from './framing-worst-cases';
import type { RotationGzipResult } from './rotation-gzip';

export interface ServerMeasurement {
  server: 'receiver' | 'baseline';
  eventsPerSec: number;
  /** Decoded event bytes per second, in MB (10^6 bytes). */
  mbPerSec: number;
  requestsPerSec: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  peakRssBytes: number | undefined;
  /** CPU time used during the measured run ÷ its wall time: 1.0 = one core busy (all threads). */
  cpuCores: number | undefined;
  /** CPU time per acknowledged event, in µs (all threads: main, zlib and fs in the libuv pool). */
  cpuMicrosPerEvent: number | undefined;
  seconds: number;
  acknowledgedRequests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Requests and events of the warm-up, which precedes the measured run on the same process. */
  warmupRequests: number;
  check: OutputCheck;
}

export interface OutputCheck {
  /** Lines expected in the output file: (warm-up + measured acknowledged requests) × events per request. */
  expectedLines: number;
  actualLines: number;
  /** The output file's size: what was written to the page cache (the receiver's records are larger than the baseline's lines). */
  actualBytes: number;
  deadLetterLines: number;
  /** Case 4: lines the receiver marked `"signature":"valid"`. */
  signatureValidLines?: number;
  ok: boolean;
}

export interface CaseResult {
  id: number;
  title: string;
  /** What the baseline does per request in this case. */
  baselineDoes: string;
  eventsPerRequest: number;
  meanEventBytes: number;
  meanBodyBytes: number;
  receiver?: ServerMeasurement;
  baseline?: ServerMeasurement;
  /** receiver events/s ÷ baseline events/s */
  ratio?: number;
  /** The same ratio per round (a receiver slice and the baseline slice next to it), in order: its spread is the run's noise. */
  roundRatios?: number[];
  /** Set when the case could not run, with the reason (e.g. an option the receiver does not have yet). */
  notAvailable?: string;
}

export interface MicroResult {
  cefMBps: number;
  jsonMBps: number;
  ratio: number;
  eventsRatio?: number;
  events: number;
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
  loadAverageAtStart: number[];
  loadAverageAtEnd?: number[];
}

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  commit: string | undefined;
  machine: MachineInfo;
  settings: {
    secondsPerCase: number;
    warmupSeconds: number;
    rounds: number;
    connections: number;
    pipelining: 1;
    /** Options every receiver run got besides the listen address, credential and files. */
    receiverCommonArgs: string[];
  };
  cases: CaseResult[];
  microBenchmark?: MicroResult | { notAvailable: string };
  /** frameBody on bodies built to make it work hardest, each against Konnect NDJSON of the same size. */
  framingWorstCases?: FramingCaseResult[] | { notAvailable: string };
  /** A rotation's gzip (compressRotated) against gzipSync of the same records in memory. */
  rotationGzip?: RotationGzipResult | { notAvailable: string };
  targets: { ratioCases2And3: number; met: boolean | undefined };
}

export function machineInfo(): MachineInfo {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (match) cpuModel = match[1]!.trim();
  } catch {
    // not Linux: os.cpus() is all there is
  }
  return {
    cpuModel,
    cores: os.availableParallelism?.() ?? os.cpus().length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverageAtStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

/** The commit the tree is at (read-only), when this is a git checkout. */
export function currentCommit(root: string): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return undefined;
  }
}

const int = (x: number): string => Math.round(x).toLocaleString('en-US');
const fixed = (x: number, digits: number): string => x.toFixed(digits);
const mb = (bytes: number | undefined): string => (bytes === undefined ? 'n/a' : `${Math.round(bytes / 2 ** 20)} MiB`);

function pad(cells: string[][]): string {
  const widths = cells[0]!.map((_, column) => Math.max(...cells.map((row) => row[column]!.length)));
  return cells
    .map((row) => row.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  '))
    .join('\n');
}

/** The table: one row per case and server, as plain text (it is also valid Markdown in a code block). */
export function renderTable(report: BenchReport): string {
  const header = ['case', 'server', 'events/s', 'MB/s', 'req/s', 'p50 ms', 'p99 ms', 'peak RSS', 'CPU', 'µs CPU/event', 'ratio', 'lines check'];
  const rows: string[][] = [header];
  for (const c of report.cases) {
    const label = `${c.id}. ${c.title}`;
    if (c.notAvailable) {
      rows.push([label, 'receiver', 'not available', '', '', '', '', '', '', '', '', '']);
      continue;
    }
    for (const m of [c.receiver, c.baseline]) {
      if (!m) continue;
      rows.push([
        m.server === 'receiver' ? label : '',
        m.server,
        int(m.eventsPerSec),
        fixed(m.mbPerSec, 1),
        int(m.requestsPerSec),
        fixed(m.latencyP50Ms, m.latencyP50Ms < 10 ? 1 : 0),
        fixed(m.latencyP99Ms, m.latencyP99Ms < 10 ? 1 : 0),
        mb(m.peakRssBytes),
        m.cpuCores === undefined ? 'n/a' : fixed(m.cpuCores, 2),
        m.cpuMicrosPerEvent === undefined ? 'n/a' : fixed(m.cpuMicrosPerEvent, m.cpuMicrosPerEvent < 10 ? 1 : 0),
        m.server === 'receiver' && c.ratio !== undefined ? `${fixed(c.ratio, 2)}x${renderSpread(c.roundRatios)}` : '',
        m.check.ok ? 'ok' : 'MISMATCH',
      ]);
    }
  }
  return pad(rows);
}

/**
 * Per round, the receiver's events/s ÷ the baseline's, from slices paired in the order they ran
 * (slice i of one server next to slice i of the other). Undefined unless both ran every round.
 */
export function roundRatios(receiver: readonly SliceRate[], baseline: readonly SliceRate[]): number[] | undefined {
  if (receiver.length === 0 || receiver.length !== baseline.length) return undefined;
  const rate = (slice: SliceRate) => slice.events / slice.elapsedSeconds;
  return receiver.map((slice, round) => rate(slice) / rate(baseline[round]!));
}

export interface SliceRate {
  events: number;
  elapsedSeconds: number;
}

/** ` (lowest–highest)` of the per-round ratios, when there are two or more. */
function renderSpread(ratios: readonly number[] | undefined): string {
  if (!ratios || ratios.length < 2) return '';
  return ` (${fixed(Math.min(...ratios), 2)}–${fixed(Math.max(...ratios), 2)})`;
}

/** The per-case lines about the output files, printed under the table. */
export function renderChecks(report: BenchReport): string {
  const lines: string[] = [];
  for (const c of report.cases) {
    if (c.notAvailable) {
      lines.push(`case ${c.id}: not available: ${c.notAvailable}`);
      continue;
    }
    for (const m of [c.receiver, c.baseline]) {
      if (!m) continue;
      const requests = m.warmupRequests + m.acknowledgedRequests;
      const sig = m.check.signatureValidLines === undefined ? '' : `, ${int(m.check.signatureValidLines)} marked signature valid`;
      const failures = m.non2xx + m.errors + m.timeouts > 0 ? `, ${m.non2xx} non-2xx, ${m.errors} errors, ${m.timeouts} timeouts` : '';
      lines.push(
        `case ${c.id} ${m.server.padEnd(8)}: output file has ${int(m.check.actualLines)} lines (${int(m.check.actualBytes / Math.max(1, m.check.actualLines))} B each); ` +
          `acknowledged ${int(requests)} requests (${int(m.warmupRequests)} warm-up + ${int(m.acknowledgedRequests)} measured) x ${c.eventsPerRequest} = ` +
          `${int(m.check.expectedLines)}${sig}; dead letter ${m.check.deadLetterLines} lines${failures} -> ${m.check.ok ? 'OK' : 'MISMATCH'}`,
      );
    }
  }
  return lines.join('\n');
}

export function renderMachine(report: BenchReport): string {
  const m = report.machine;
  return (
    `${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.os}; ` +
    `load average ${m.loadAverageAtStart.join(' ')} at start${m.loadAverageAtEnd ? `, ${m.loadAverageAtEnd.join(' ')} at end` : ''}; ` +
    `${report.settings.secondsPerCase} s measured per server and case (${report.settings.rounds} alternating slices) after ${report.settings.warmupSeconds} s warm-up, ` +
    `${report.settings.connections} connections, pipelining 1` +
    (report.settings.receiverCommonArgs.length > 0 ? `; receiver also run with ${report.settings.receiverCommonArgs.join(' ')}` : '') +
    (report.commit ? `; commit ${report.commit}` : '')
  );
}

export function renderMicro(report: BenchReport): string {
  const micro = report.microBenchmark;
  if (!micro) return 'CEF vs JSON.parse micro-benchmark: not run';
  if ('notAvailable' in micro) return `CEF vs JSON.parse micro-benchmark: not available: ${micro.notAvailable}`;
  return (
    `CEF vs JSON.parse micro-benchmark (bench/cef-vs-json.ts, ${micro.events} events): parseCef ${fixed(micro.cefMBps, 1)} MB/s, ` +
    `JSON.parse ${fixed(micro.jsonMBps, 1)} MB/s, ratio ${fixed(micro.ratio, 2)} by MB/s` +
    (micro.eventsRatio === undefined ? '' : `, ${fixed(micro.eventsRatio, 2)} by events/s`)
  );
}

export function renderFramingWorstCases(report: BenchReport): string {
  const cases = report.framingWorstCases;
  if (!cases) return 'Framing worst cases: not run';
  if ('notAvailable' in cases) return `Framing worst cases: not available: ${cases.notAvailable}`;
  return (
    'Decoding worst cases (bench/framing-worst-cases.ts, 4 MB bodies, MB/s and ratio to Konnect NDJSON through the same stage, frameBody or processBatch): ' +
    cases.map((c) => `${c.name} ${fixed(c.mbPerSec, 1)} (${fixed(c.ratio, 2)}x)`).join('; ')
  );
}

export function renderRotationGzip(report: BenchReport): string {
  const result = report.rotationGzip;
  if (!result) return 'Rotation gzip: not run';
  if ('notAvailable' in result) return `Rotation gzip: not available: ${result.notAvailable}`;
  return (
    `Rotation gzip (bench/rotation-gzip.ts, ${fixed(result.fileMB, 1)} MB of records): compressRotated ${fixed(result.streamingMBps, 0)} MB per CPU second, ` +
    `gzipSync in memory ${fixed(result.inMemoryMBps, 0)}, ratio ${fixed(result.ratio, 2)}`
  );
}

export function writeReport(report: BenchReport, directory: string): string {
  fs.mkdirSync(directory, { recursive: true });
  const file = path.join(directory, 'latest.json');
  const temporary = `${file}.tmp`;
  fs.writeFileSync(temporary, `${JSON.stringify(report, null, 2)}\n`);
  fs.renameSync(temporary, file);
  return file;
}
