/**
 * The receiver under soak: one `serve` process at a time, always on the same port, so that a
 * restart (`--restart-every`) looks to the load like a deploy does to Konnect: connections
 * refused or cut for a moment, then answers again.
 */
import net from 'node:net';
import path from 'node:path';
import { ServerStartError, startServer, type ServerProcess } from '../receiver-process';

export interface ReceiverFiles {
  eventsFile: string;
  deadLetterFile: string;
}

/** A port free now on 127.0.0.1 (the receiver is told it, as its URL must stay the same across restarts). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export class SoakReceiver {
  /** Exit codes of the processes stopped so far (each restart's, then the last one's). */
  readonly exitCodes: Array<number | null> = [];
  private current: ServerProcess | undefined;
  private lastUrl = '';
  /** Set when a process exits without being told to: its code and its last stderr lines. */
  unplannedExit: { code: number | null; stderr: string[] } | undefined;
  private onUnplannedExit: () => void = () => undefined;
  /** CPU seconds of the processes already stopped, as last read before their SIGTERM. */
  private stoppedCpuSeconds = 0;

  private constructor(
    private readonly receiverScript: string,
    private readonly args: string[],
  ) {}

  static async start(receiverScript: string, authorization: string, files: ReceiverFiles, rotateSize: string, serveArgs: string[]): Promise<SoakReceiver> {
    const port = await freePort();
    const args = [
      'serve',
      '--listen',
      `127.0.0.1:${port}`,
      '--authorization',
      authorization,
      '--sink',
      `file:${files.eventsFile}`,
      '--dead-letter',
      files.deadLetterFile,
      '--rotate-size',
      rotateSize,
      // Every rotated file is read back at the end: none may be deleted before then.
      '--rotate-keep',
      '1000000',
      ...serveArgs,
    ];
    const receiver = new SoakReceiver(path.resolve(receiverScript), args);
    await receiver.launch();
    return receiver;
  }

  /** The same across restarts (the port is fixed). */
  get url(): string {
    return this.lastUrl;
  }

  /** undefined between a stop and the next start. */
  get pid(): number | undefined {
    return this.current?.pid;
  }

  rssBytes(): number | undefined {
    return this.current?.rssBytes();
  }

  /** CPU seconds of every process so far (between a stop and the next start, of those stopped). */
  cpuSeconds(): number | undefined {
    if (!this.current) return this.stoppedCpuSeconds;
    const now = this.current.cpuSeconds();
    return now === undefined ? undefined : this.stoppedCpuSeconds + now;
  }

  /** Called once if a process exits without being told to (a crash, an OOM kill). */
  whenItDies(callback: () => void): void {
    this.onUnplannedExit = callback;
  }

  /** SIGKILL the running process, if any (the soak itself is being stopped). */
  kill(): void {
    try {
      if (this.current) process.kill(this.current.pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }

  /** SIGTERM, wait for the exit, start again on the same port. */
  async restart(): Promise<void> {
    await this.stop();
    await this.launch();
  }

  /** SIGTERM and wait for the exit; resolves with its code. */
  async stop(): Promise<number | null> {
    const running = this.current;
    if (!running) return null; // it died already, or a restart failed to start it
    this.current = undefined;
    this.stoppedCpuSeconds += running.cpuSeconds() ?? 0;
    const code = await running.stop(30_000);
    this.exitCodes.push(code);
    return code;
  }

  private async launch(): Promise<void> {
    this.current = await startServer({ name: 'the receiver', args: [this.receiverScript, ...this.args], ready: /audit-relay is receiving at (http:\/\/\S+)/ }).catch(
      (error: unknown) => {
        // The receiver's last line says why (an unknown flag in SOAK_SERVE_ARGS, say).
        throw error instanceof ServerStartError && error.lastLine ? new Error(`${error.message}: ${error.lastLine}`) : error;
      },
    );
    this.lastUrl = this.current.url;
    const launched = this.current;
    void launched.exited.then((code) => {
      if (this.current !== launched) return; // stopped on purpose
      this.current = undefined;
      this.exitCodes.push(code);
      this.unplannedExit = { code, stderr: launched.stderrTail().filter((line) => line.trim() !== '').slice(-5) };
      this.onUnplannedExit();
    });
  }
}
