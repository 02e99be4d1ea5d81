/**
 * Decoding's worst cases. Framing: frameBody on bodies built to make it work hardest (broken
 * lines that scan on into the lines after them, pretty-printed arrays, long arrays of scalars).
 * Parsing: processBatch (frame, parse, normalize, encode) on lines built to make the parsers
 * work hardest (a number of a million digits, thousands of keys, a warning at every word, a zone
 * per line). Each is timed against Konnect's own NDJSON of the same size through the same stage,
 * in the same process. A ratio is the case's MB/s ÷ the NDJSON's: it shows that no body costs
 * more than a small multiple of a normal one.
 *
 *   node dist-bench/bench/framing-worst-cases.js [--json]
 */
import { frameBody } from '../src/ingest/framing';
import { processBatch } from '../src/pipeline/process-batch';
import { generateEd25519KeyPair } from '../src/signature';
import { konnectLine, makeKonnectEvents } from './events';

export interface FramingCaseResult {
  name: string;
  mbPerSec: number;
  /** This case's MB/s ÷ Konnect NDJSON's MB/s. */
  ratio: number;
}

const BODY_BYTES = 4 * 1024 * 1024;
const LIMITS = { maxLineLength: 1024 * 1024, maxJsonDepth: 64 };
/** Framing refuses bodies past --max-events; these are measured whole. */
const NO_EVENT_LIMIT = Number.POSITIVE_INFINITY;

function repeatTo(bytes: number, pieces: readonly string[], separator = '\n'): string {
  const out: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const piece = pieces[i % pieces.length]!;
    out.push(piece);
    size += piece.length + separator.length;
  }
  return out.join(separator);
}

type Stage = 'frame' | 'process';

interface WorstCase {
  name: string;
  body: Buffer;
  stage: Stage;
}

function bodies(): WorstCase[] {
  const { privateKey } = generateEd25519KeyPair();
  const konnect = makeKonnectEvents(500).map((event) => konnectLine(event, 'json', privateKey));
  const floats = `[{"q":[${Array(100).fill('1.5').join(',')}]},`;
  const framing: Array<Omit<WorstCase, 'stage'>> = [
    { name: 'Konnect NDJSON', body: Buffer.from(repeatTo(BODY_BYTES, konnect)) },
    { name: 'truncated line, then a good one', body: Buffer.from(repeatTo(BODY_BYTES, ['{"action":"read","n":"x",', ...konnect.slice(0, 1)])) },
    { name: 'lines that open an array', body: Buffer.from(repeatTo(BODY_BYTES, [floats])) },
    { name: 'pretty-printed array of objects', body: Buffer.from(`[${repeatTo(BODY_BYTES, konnect.map((line) => JSON.stringify(JSON.parse(line), null, 2)), ',\n')}]`) },
    { name: 'one-line array of numbers', body: Buffer.from(`[${repeatTo(BODY_BYTES, ['1.5', '2', '-3e2'], ',')}]`) },
    { name: 'objects stacked on one line', body: Buffer.from(repeatTo(BODY_BYTES, konnect, '')) },
    { name: 'empty arrays on one line', body: Buffer.from('[]'.repeat(BODY_BYTES / 2)) },
  ];
  const konnectHeader = '2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.x|1|';
  const lineOf = (bytes: number, piece: (index: number) => string) => {
    const pieces: string[] = [];
    for (let index = 0, size = 0; size < bytes; index++) size += (pieces[index] = piece(index)).length + 1;
    return pieces.join(' ');
  };
  const MEGABYTE_LINE = 1000 * 1000; // within --max-line-length's default 1 MiB
  const parsing: Array<Omit<WorstCase, 'stage'>> = [
    { name: 'Konnect NDJSON', body: Buffer.from(repeatTo(BODY_BYTES, konnect)) },
    { name: 'a JSON number of a million digits', body: Buffer.from(repeatTo(BODY_BYTES, [`{"a":0.1${'0'.repeat(MEGABYTE_LINE - 20)}1}`])) },
    { name: 'CEF lines of 4,096 keys', body: Buffer.from(repeatTo(BODY_BYTES, Array.from({ length: 8 }, (_, line) => `CEF:0|V|P|1|1|n|1|${Array.from({ length: 4096 }, (_, key) => `k${line}_${key}=v`).join(' ')}`))) },
    { name: 'a CEF warning at every word', body: Buffer.from(repeatTo(BODY_BYTES, [`${konnectHeader}user_agent=x ${lineOf(MEGABYTE_LINE - 200, () => 'a=')}`])) },
    { name: 'a distinct dtz per CEF line', body: Buffer.from(repeatTo(BODY_BYTES, Array.from({ length: 20_000 }, (_, line) => `CEF:0|V|P|1|1|n|1|rt=Jan 01 2025 00:00:00 dtz=Nowhere/Zone${line}`))) },
  ];
  return [
    ...framing.map((item) => ({ ...item, stage: 'frame' as const })),
    ...parsing.map((item) => ({ ...item, name: `${item.name} (processBatch)`, stage: 'process' as const })),
  ];
}

function runStage(stage: Stage, body: Buffer): void {
  if (stage === 'frame') {
    frameBody(body, LIMITS, NO_EVENT_LIMIT);
    return;
  }
  // Without a signature check processBatch runs to its end before it returns.
  void processBatch(body, Date.now(), 'bench', { framing: LIMITS, maxEvents: NO_EVENT_LIMIT, keepRaw: true }).then((batch) => batch.release());
}

/** Best of `rounds` timings, rounds alternating between the cases so a slow spell hits all. */
export function runFramingWorstCases(rounds = 5): FramingCaseResult[] {
  const cases = bodies();
  const best = cases.map(() => Number.POSITIVE_INFINITY);
  for (let round = 0; round < rounds; round++) {
    cases.forEach(({ body, stage }, index) => {
      const startedAt = process.hrtime.bigint();
      runStage(stage, body);
      best[index] = Math.min(best[index]!, Number(process.hrtime.bigint() - startedAt) / 1e9);
    });
  }
  const mbPerSec = cases.map(({ body }, index) => body.length / 1e6 / best[index]!);
  // Each stage's first case is Konnect NDJSON through it: the others' ratios are to that.
  const baselineOf = (stage: Stage) => mbPerSec[cases.findIndex((item) => item.stage === stage)]!;
  return cases.map(({ name, stage }, index) => ({ name, mbPerSec: mbPerSec[index]!, ratio: mbPerSec[index]! / baselineOf(stage) }));
}

if (require.main === module) {
  const results = runFramingWorstCases();
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(results)}\n`);
  else for (const result of results) process.stdout.write(`${result.name.padEnd(34)} ${result.mbPerSec.toFixed(1).padStart(7)} MB/s  ${result.ratio.toFixed(2)}x\n`);
}
