/**
 * Crash test: numbered events go to a spawned receiver in many concurrent batches; the
 * receiver is killed with SIGKILL mid-run. Every event of every acknowledged request must be
 * in the file, and the file must hold only complete JSON lines. A record cut short by the kill
 * (the kernel can stop a write(2) part-way for a fatal signal) was never acknowledged; the next
 * start must drop it rather than glue new records onto it.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import {
  GZIP_HEADERS,
  makeTempDir,
  numberedEvent,
  post,
  rawLines,
  removeDir,
  seqsOf,
  sleep,
  spawnReceiver,
  strictRecords,
  type SpawnedReceiver,
} from './support';
import zlib from 'node:zlib';

jest.setTimeout(60_000);

interface RunResult {
  acknowledged: number[][];
  acknowledgedRequests: number;
  failedRequests: number;
}

/**
 * Send batches of numbered events from `workers` concurrent clients until the receiver dies.
 * Batch b holds one unparseable line (for the dead letter) and `sizeOf(b)` events.
 */
async function loadUntilKilled(
  receiver: SpawnedReceiver,
  workers: number,
  sizeOf: (batch: number) => number,
  killAfterAcks: number,
  killDelayMs: number,
): Promise<RunResult & { deadLetterExpected: string[]; miscounted: string[] }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: workers });
  const acknowledged: number[][] = [];
  const deadLetterExpected: string[] = [];
  const miscounted: string[] = [];
  let failedRequests = 0;
  let nextBatch = 0;
  let nextSeq = 0;
  let dead = false;
  let killScheduled = false;
  const kill = () => {
    if (killScheduled) return;
    killScheduled = true;
    setTimeout(() => {
      try {
        process.kill(receiver.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, killDelayMs);
  };
  void receiver.exited.then(() => (dead = true));

  const worker = async () => {
    while (!dead) {
      const batch = nextBatch++;
      const count = sizeOf(batch);
      const seqs = Array.from({ length: count }, () => nextSeq++);
      const garbage = `not an event: batch ${batch}`;
      const lines = seqs.map(numberedEvent);
      lines.splice(batch % (count + 1), 0, garbage);
      try {
        const answer = await post(receiver.url, zlib.gzipSync(`${lines.join('\n')}\n`), { headers: GZIP_HEADERS, agent });
        if (answer.status >= 200 && answer.status < 300) {
          const { accepted, rejected } = answer.json() as { accepted: number; rejected: number };
          if (accepted !== count || rejected !== 1) miscounted.push(`batch ${batch}: ${answer.text}`);
          acknowledged.push(seqs);
          deadLetterExpected.push(garbage);
          if (acknowledged.length >= killAfterAcks) kill();
        } else {
          failedRequests++;
        }
      } catch {
        failedRequests++; // the connection died with the receiver: not acknowledged
        if (dead) break;
        await sleep(1);
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  agent.destroy();
  return { acknowledged, acknowledgedRequests: acknowledged.length, failedRequests, deadLetterExpected, miscounted };
}

/** Lines ending in \n must be complete JSON; text after the last \n is a torn, unacknowledged write. */
function completeRecords(file: string): { records: Array<Record<string, any>>; tornTail: string } {
  const lines = rawLines(file);
  const tornTail = lines.pop() ?? '';
  const records = lines.map((line, index) => {
    try {
      return JSON.parse(line) as Record<string, any>;
    } catch {
      throw new Error(`${file} line ${index + 1} is not complete JSON: ${JSON.stringify(line.slice(0, 200))}`);
    }
  });
  return { records, tornTail };
}

describe('SIGKILL mid-run', () => {
  const directories: string[] = [];
  const receivers: SpawnedReceiver[] = [];
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((receiver) => receiver.cleanup()));
    directories.splice(0).forEach(removeDir);
  });

  it.each([
    // fsync never is the weakest mode: a process crash must still lose nothing acknowledged.
    ['never', 24, (b: number) => 1 + (b % 7) * 40, 120, 0],
    ['interval', 32, (b: number) => (b % 5 === 0 ? 2000 : 25 + (b % 13)), 60, 37],
    ['batch', 16, (b: number) => 10 + (b % 50), 80, 11],
  ] as const)(
    'with --fsync %s: every event of every acknowledged request is in the file, as complete JSON lines, and a restart continues cleanly',
    async (fsync, workers, sizeOf, killAfterAcks, killDelayMs) => {
      const directory = makeTempDir('crash');
      directories.push(directory);
      const receiver = await spawnReceiver({ directory, flags: ['--fsync', fsync] });
      receivers.push(receiver);

      const run = await loadUntilKilled(receiver, workers, sizeOf, killAfterAcks, killDelayMs);
      expect(await receiver.exited).toBeNull(); // killed by the signal, no clean exit
      expect(receiver.child.signalCode).toBe('SIGKILL');
      expect(run.miscounted).toEqual([]);
      expect(run.acknowledgedRequests).toBeGreaterThanOrEqual(killAfterAcks);
      expect(run.failedRequests).toBeGreaterThan(0); // requests were in flight when it died

      const { records, tornTail } = completeRecords(receiver.eventsFile);
      const found = new Set(seqsOf(records));
      const acknowledgedEvents = run.acknowledged.flat();
      const missing = acknowledgedEvents.filter((seq) => !found.has(seq));
      expect(missing).toEqual([]);
      // No event appears twice (each batch was sent once).
      expect(found.size).toBe(records.length);
      // A torn tail, if the kill cut a write short, belongs to no acknowledged request.
      const tornSeqs = [...tornTail.matchAll(/"seq":(\d+)[,}]|seq=(\d+)"/g)].map((match) => Number(match[1] ?? match[2]));
      const acknowledgedSet = new Set(acknowledgedEvents);
      expect(tornSeqs.filter((seq) => acknowledgedSet.has(seq))).toEqual([]);

      const deadLetters = completeRecords(receiver.deadLetterFile);
      const deadLetterRaws = new Set(deadLetters.records.map((record) => record.raw));
      expect(run.deadLetterExpected.filter((raw) => !deadLetterRaws.has(raw))).toEqual([]);

      process.stderr.write(
        `crash test (--fsync ${fsync}): ${run.acknowledgedRequests} requests acknowledged (${acknowledgedEvents.length} events), ` +
          `${run.failedRequests} not; ${records.length} events in the file, all ${acknowledgedEvents.length} acknowledged ones among them; ` +
          `torn tail: ${tornTail.length} bytes\n`,
      );

      // A restart on the same files drops any torn tail and appends on a line of its own.
      const restarted = await spawnReceiver({ directory, flags: ['--fsync', fsync] });
      receivers.push(restarted);
      const after = await post(restarted.url, `${numberedEvent(-2)}\nnot an event after the restart\n`);
      expect(after.status).toBe(200);
      expect(await restarted.stop('SIGTERM')).toBe(0);
      const final = strictRecords(restarted.eventsFile);
      expect(seqsOf(final)).toEqual([...seqsOf(records), -2]);
      expect(strictRecords(restarted.deadLetterFile).map((record) => record.raw)).toEqual([
        ...deadLetters.records.map((record) => record.raw),
        'not an event after the restart',
      ]);
    },
  );

  it('drops an incomplete last line left by a crash before appending, so no record is glued onto it', async () => {
    const directory = makeTempDir('torn');
    directories.push(directory);
    const eventsFile = path.join(directory, 'events.ndjson');
    const complete = `${JSON.stringify({ received_at: '2026-01-01T00:00:00.000Z', format: 'json', event: { seq: 1 }, signature: 'unchecked', raw: '{}' })}\n`;
    fs.writeFileSync(eventsFile, `${complete}{"received_at":"2026-01-01T00:00:00.000Z","format":"json","event":{"se`, { mode: 0o666 });
    const receiver = await spawnReceiver({ directory });
    receivers.push(receiver);
    expect((await post(receiver.url, numberedEvent(2))).status).toBe(200);
    expect(await receiver.stop('SIGTERM')).toBe(0);
    expect(seqsOf(strictRecords(eventsFile))).toEqual([1, 2]);
    expect(receiver.stderr()).toMatch(/incomplete last line/);
  });
});
