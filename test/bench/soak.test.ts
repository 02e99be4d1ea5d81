import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { judgeDeadLetter, runSoak } from '../../bench/soak/main';
import { parseSoakOptions, type SoakOptions } from '../../bench/soak/options';
import { TRACE_ID_BASE } from '../../bench/soak/traffic';
import { verifySoak } from '../../bench/soak/verify';

const record = (sequence: number) =>
  JSON.stringify({ received_at: '2026-12-06T00:00:00.000Z', format: 'json', event: { trace_id: String(TRACE_ID_BASE + BigInt(sequence)) }, signature: 'unchecked', raw: '{}' });

function options(argv: string[], env: NodeJS.ProcessEnv = {}): SoakOptions {
  const parsed = parseSoakOptions(argv, env, '/default/results');
  if (!('run' in parsed)) throw new Error(`expected options, got exit ${parsed.exit}: ${parsed.output}`);
  return parsed.run;
}

describe('npm run soak', () => {
  let directory: string;
  beforeEach(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'soak-test-'));
  });
  afterEach(() => fs.rmSync(directory, { recursive: true, force: true }));

  it('reads percentages as shares, the environment under a flag, and SOAK_SERVE_ARGS', () => {
    expect(options([])).toMatchObject({ seconds: 300, rate: 40, connections: 5, eventsPerRequest: 100, badLineShare: 0.01, resendShare: 0.01, restartEverySeconds: 0, rotateSize: '20mb', serveArgs: [] });
    expect(options(['--bad-lines', '5', '--resend=0'], { SOAK_RATE: '10', SOAK_BAD_LINES: '50', SOAK_SERVE_ARGS: ' --workers 0 ' })).toMatchObject({
      rate: 10,
      badLineShare: 0.05,
      resendShare: 0,
      serveArgs: ['--workers', '0'],
    });
    expect(parseSoakOptions(['--resend', '101'], {}, '/x')).toMatchObject({ exit: 1 });
    expect(parseSoakOptions([], { SOAK_ROTATE_SIZE: 'big' }, '/x')).toEqual({ exit: 1, output: 'error: SOAK_ROTATE_SIZE="big" is invalid: expected a size like 256kb or 20mb\n' });
  });

  it('finds an acknowledged event that is missing, one written twice, and a line that is no soak record, across rotated and gzip\'d files', async () => {
    const events = path.join(directory, 'events.ndjson');
    fs.writeFileSync(events, `${record(0)}\n${record(1)}\n`);
    fs.writeFileSync(`${events}.2026-12-06T00-00-01.000Z`, `${record(2)}\n${record(4)}\n`);
    fs.writeFileSync(`${events}.2026-12-06T00-00-00.000Z.gz`, gzipSync(`${record(4)}\n{"broken\n`));
    fs.writeFileSync(path.join(directory, 'dead-letter.ndjson'), '{}\n{}\n{}\n');
    const acknowledged = Uint8Array.from([1, 1, 1, 1, 1, 0]);

    const verification = await verifySoak(events, path.join(directory, 'dead-letter.ndjson'), acknowledged);

    expect(verification).toEqual({
      eventFiles: 3,
      deadLetterFiles: 1,
      records: 6,
      deadLetterLines: 3,
      deadLetterRaw: new Map([['{}', 3]]),
      lost: [3],
      duplicated: [4],
      writtenUnacknowledged: 0,
      foreignLines: 1,
    });
  });

  it('holds the dead letter to each bad line: once per 200, at most once more per lost answer, nothing else', () => {
    const sent = [
      { lines: ['bad a', 'bad b'], answers: { answered: 1, unanswered: 0 } },
      { lines: ['bad c'], answers: { answered: 2, unanswered: 1 } }, // resent once, and one answer lost
    ];
    expect(judgeDeadLetter(sent, new Map([['bad a', 1], ['bad b', 1], ['bad c', 3]]))).toEqual([]);
    expect(judgeDeadLetter(sent, new Map([['bad a', 1], ['bad b', 1], ['bad c', 2]]))).toEqual([]);
    expect(judgeDeadLetter(sent, new Map([['bad a', 1], ['bad b', 2], ['bad c', 1], ['stray', 1]]))).toEqual([
      '1 rejected lines are missing from the dead letter',
      '1 lines are in the dead letter more often than they were sent',
      '1 lines in the dead letter are no bad line the load sent',
    ]);
  });

  const short = (overrides: Partial<SoakOptions>): SoakOptions => ({
    ...options([]),
    seconds: 3,
    rate: 30,
    connections: 3,
    eventsPerRequest: 50,
    badLineShare: 0.02,
    resendShare: 0.15,
    sampleSeconds: 1,
    rotateSize: '128kb',
    outDir: directory,
    ...overrides,
  });

  it('passes against the built receiver: every acknowledged event once on disk across rotations, resends answered as duplicates', async () => {
    const lines: string[] = [];
    const result = await runSoak(short({}), (line) => lines.push(line));

    expect(result.failures).toEqual([]);
    expect(result.receiverExitCodes).toEqual([0]);
    expect(result.load.acknowledgedEvents).toBeGreaterThan(1000);
    expect(result.verification.records).toBe(result.load.acknowledgedEvents);
    expect(result.verification.eventFiles).toBeGreaterThan(2); // rotated while the load ran
    expect(result.load.resends).toBeGreaterThan(0);
    expect(result.load.duplicatesAnswered).toBeGreaterThan(0);
    expect(result.verification.deadLetterLines).toBe(result.load.rejectedLines);
    expect(result.samples.length).toBeGreaterThanOrEqual(3);
    expect(lines[1]).toMatch(/time\s+req\/s\s+events\/s/);
    expect(result.keptDirectory).toBeUndefined();
  }, 30_000);

  it('passes across restarts under load: the load retries through each one, and nothing is lost or written twice', async () => {
    const lines: string[] = [];
    const result = await runSoak(short({ seconds: 7, restartEverySeconds: 2 }), (line) => lines.push(line));

    expect(result.failures).toEqual([]);
    expect(result.receiverExitCodes).toEqual([0, 0, 0, 0]);
    expect(lines.filter((line) => line.startsWith('restarted the receiver at '))).toHaveLength(3);
    expect(result.load.errorAnswers.ECONNREFUSED).toBeGreaterThan(0); // requests did meet a restart
    expect(result.load.abandonedBatches).toBe(0);
    expect(result.verification.lost).toBe(0);
    expect(result.verification.duplicated).toBe(0);
  }, 60_000);

  it('fails, and keeps the files, when resent events are written again (--dedup-window 0)', async () => {
    const result = await runSoak(short({ serveArgs: ['--dedup-window', '0'], resendShare: 0.3 }), () => undefined);

    expect(result.failures).toEqual(
      expect.arrayContaining([expect.stringMatching(/events are on disk more than once$/), expect.stringMatching(/answers did not count what their batch held$/)]),
    );
    expect(result.verification.lost).toBe(0);
    expect(result.keptDirectory).toBeDefined();
    fs.rmSync(result.keptDirectory!, { recursive: true, force: true });
  }, 30_000);

  it('stops before any load when the receiver cannot start, with its reason, and leaves no directory behind', async () => {
    const soakDirectories = () => fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith('audit-relay-soak-'));
    const before = new Set(soakDirectories());

    await expect(runSoak(short({ serveArgs: ['--no-such-option'] }), () => undefined)).rejects.toThrow(
      "the receiver exited with code 2 before listening: audit-relay: unknown option '--no-such-option'",
    );
    // Only new names count: another soak on this machine may come and go meanwhile.
    expect(soakDirectories().filter((name) => !before.has(name))).toEqual([]);
  });

  it('stops at once, and fails naming the receiver\'s last words, when the receiver dies under load', async () => {
    const lines: string[] = [];
    const started = Date.now();
    const killed = runSoak(short({ seconds: 20 }), (line) => lines.push(line));
    // The receiver is the soak's child: find it by its events file once the soak has printed where that is.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const directory = /files in (\S+)/.exec(lines[0] ?? '')![1]!;
    const receiverPid = fs
      .readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .find((pid) => {
        try {
          return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`file:${directory}/events.ndjson`);
        } catch {
          return false;
        }
      });
    process.kill(Number(receiverPid), 'SIGKILL');
    const result = await killed;

    expect(Date.now() - started).toBeLessThan(15_000); // not the whole 20 s
    expect(result.failures[0]).toMatch(/^the receiver exited on its own with code \d+ at \d+ s; its last lines: /);
    expect(result.keptDirectory).toBe(directory);
    fs.rmSync(directory, { recursive: true, force: true });
  }, 30_000);
});
