/**
 * Start a server (the receiver or the baseline) as its own Node process, wait until it says
 * where it listens, read its peak RSS, and stop it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';

export interface ServerProcess {
  pid: number;
  /** The URL the server printed, e.g. http://127.0.0.1:41234/audit-logs */
  url: string;
  /**
   * Peak resident set size in bytes: VmHWM from /proc/PID/status (the kernel's high-water mark
   * since the process started), or else the highest VmRSS seen by polling every 100 ms.
   */
  peakRssBytes(): number | undefined;
  /** Resident set size now, in bytes (VmRSS). */
  rssBytes(): number | undefined;
  /** CPU time (user + system, all threads) the process has used so far, in seconds; from /proc. */
  cpuSeconds(): number | undefined;
  /** The last lines the process wrote on stderr (for error reports). */
  stderrTail(): string[];
  /** Resolves with the exit code when the process exits, for whatever reason. */
  exited: Promise<number | null>;
  /** SIGTERM, wait for the exit (SIGKILL after `graceMs`); resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

export class ServerStartError extends Error {
  constructor(
    /** Which server: 'the receiver' or 'the baseline'. */
    readonly server: string,
    message: string,
    /** The process's last stderr line: usually the reason, e.g. an unknown option. */
    readonly lastLine: string,
  ) {
    super(message);
  }
}

function readStatusKb(pid: number, field: 'VmHWM' | 'VmRSS'): number | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Clock ticks per second for /proc/PID/stat; 100 on every Linux this runs on (USER_HZ). */
const CLOCK_TICKS = 100;

function readCpuSeconds(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), counted from field 3 (state).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime, stime
  } catch {
    return undefined;
  }
}

export function startServer(options: {
  name: string;
  args: string[];
  /** Matched against each stderr line; group 1 is the URL. */
  ready: RegExp;
  timeoutMs?: number;
}): Promise<ServerProcess> {
  const { name, args, ready, timeoutMs = 20_000 } = options;
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const tail: string[] = [];
  let pending = '';
  let polledPeakKb = 0;
  let exited: number | null | undefined;
  const exit = new Promise<number | null>((resolve) => {
    child.on('exit', (code, signal) => {
      exited = code ?? (signal ? 128 : null);
      resolve(exited);
    });
  });

  return new Promise<ServerProcess>((resolve, reject) => {
    let started = false;
    const poll = setInterval(() => {
      const rss = child.pid === undefined ? undefined : readStatusKb(child.pid, 'VmRSS');
      if (rss !== undefined && rss > polledPeakKb) polledPeakKb = rss;
    }, 100);
    poll.unref();

    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new ServerStartError(name, `${name} did not report a listening URL within ${timeoutMs} ms`, tail.at(-1) ?? ''));
    }, timeoutMs);

    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        tail.push(line);
        if (tail.length > 20) tail.shift();
        const match = started ? null : ready.exec(line);
        if (match && !started && child.pid !== undefined) {
          started = true;
          clearTimeout(timer);
          const pid = child.pid;
          resolve({
            pid,
            url: match[1] as string,
            peakRssBytes: () => {
              const hwm = readStatusKb(pid, 'VmHWM');
              const kb = hwm ?? (polledPeakKb || undefined);
              return kb === undefined ? undefined : kb * 1024;
            },
            rssBytes: () => {
              const kb = readStatusKb(pid, 'VmRSS');
              return kb === undefined ? undefined : kb * 1024;
            },
            cpuSeconds: () => readCpuSeconds(pid),
            exited: exit,
            stderrTail: () => [...tail, ...(pending ? [pending] : [])],
            stop: async (graceMs = 10_000) => {
              clearInterval(poll);
              if (exited !== undefined) return exited;
              child.kill('SIGTERM');
              const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
              const code = await exit;
              clearTimeout(kill);
              return code;
            },
          });
        }
      }
    });

    void exit.then((code) => {
      clearInterval(poll);
      if (started) return;
      clearTimeout(timer);
      // The reason, not a pointer after it such as `(see: audit-relay serve --help)`.
      const lines = [...tail, pending].filter((line) => line.trim() !== '');
      const last = lines.filter((line) => !/^\(.*\)$/.test(line.trim())).at(-1) ?? lines.at(-1) ?? '';
      reject(new ServerStartError(name, `${name} exited with code ${code} before listening`, last));
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new ServerStartError(name, `${name} could not be started: ${error.message}`, error.message));
    });
  });
}
