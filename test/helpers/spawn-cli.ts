import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const CLI = path.join(REPO_ROOT, 'dist', 'cli', 'main.js');

export interface SpawnedCli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in stderr, or rejects after `timeoutMs`. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  waitForStdout(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Signal the whole process group and resolve with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

/** Spawn a command in its own process group, collecting its output. */
export function spawnCli(command: string, args: string[], env: NodeJS.ProcessEnv = {}): SpawnedCli {
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitFor = (read: () => string, stream: NodeJS.ReadableStream, pattern: RegExp, timeoutMs: number) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const match = read().match(pattern);
        if (match) {
          clearTimeout(timer);
          stream.off('data', check);
          resolve(match);
        }
      };
      const timer = setTimeout(() => {
        stream.off('data', check);
        reject(new Error(`timed out waiting for ${pattern}; stdout:\n${stdout}\nstderr:\n${stderr}`));
      }, timeoutMs);
      stream.on('data', check);
      check();
    });
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    waitForStderr: (pattern, timeoutMs = 60_000) => waitFor(() => stderr, child.stderr!, pattern, timeoutMs),
    waitForStdout: (pattern, timeoutMs = 60_000) => waitFor(() => stdout, child.stdout!, pattern, timeoutMs),
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) {
        try {
          process.kill(-child.pid!, signal);
        } catch {
          // already gone
        }
      }
      return exited;
    },
    exited,
  };
}
