/**
 * Runs bench/cef-vs-json.ts (parseCef vs JSON.parse on the same Konnect events) and prints its
 * result as one JSON line. run.ts starts this in a fresh process, so that the micro-benchmark's
 * JIT and heap are not shaped by the load cases that ran before it in the harness.
 *
 *   node dist-bench/bench/micro-benchmark.js [seconds]
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { runCefVsJsonBench, type CefVsJsonResult } from './cef-vs-json';
import type { FramingCaseResult } from './framing-worst-cases';
import type { RotationGzipResult } from './rotation-gzip';

/** The micro-benchmark in a child process; rejects with its stderr when it fails. */
export function runMicroBenchmark(seconds: number): Promise<CefVsJsonResult> {
  return runInChild<CefVsJsonResult>('micro-benchmark.js', [String(seconds)]);
}

/** Framing's worst cases (framing-worst-cases.ts) in a child process of their own. */
export function runFramingBenchmark(): Promise<FramingCaseResult[]> {
  return runInChild<FramingCaseResult[]>('framing-worst-cases.js', ['--json']);
}

/** A rotation's gzip against gzipSync (rotation-gzip.ts), in a child process of its own. */
export function runRotationGzipBenchmark(): Promise<RotationGzipResult> {
  return runInChild<RotationGzipResult>('rotation-gzip.js', ['--json']);
}

/** Runs a script beside this one and takes the one JSON line it prints; rejects with its stderr when it fails. */
function runInChild<T>(script: string, args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, script), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`exited with code ${code}: ${stderr.trim().split('\n').at(-1) ?? ''}`));
      try {
        resolve(JSON.parse(stdout) as T);
      } catch (error) {
        reject(new Error(`printed no result: ${(error as Error).message}`));
      }
    });
  });
}

if (require.main === module) {
  runCefVsJsonBench({ seconds: Number(process.argv[2] ?? 5) }).then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (error: Error) => {
      process.stderr.write(`${error.stack ?? error.message}\n`);
      process.exit(1);
    },
  );
}
