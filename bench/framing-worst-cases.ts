/**
 * Framing's worst cases: frameBody on bodies built to make it work hardest (broken lines that
 * scan on into the lines after them, pretty-printed arrays, long arrays of scalars), each timed
 * against Konnect's own NDJSON of the same size in the same process. A ratio is the case's MB/s
 * ÷ the NDJSON's: it shows that no body costs framing more than a small multiple of a normal one.
 *
 *   node dist-bench/bench/framing-worst-cases.js [--json]
 */
import { frameBody } from '../src/ingest/framing';
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

function bodies(): Array<{ name: string; body: Buffer }> {
  const { privateKey } = generateEd25519KeyPair();
  const konnect = makeKonnectEvents(500).map((event) => konnectLine(event, 'json', privateKey));
  const floats = `[{"q":[${Array(100).fill('1.5').join(',')}]},`;
  return [
    { name: 'Konnect NDJSON', body: Buffer.from(repeatTo(BODY_BYTES, konnect)) },
    { name: 'truncated line, then a good one', body: Buffer.from(repeatTo(BODY_BYTES, ['{"action":"read","n":"x",', ...konnect.slice(0, 1)])) },
    { name: 'lines that open an array', body: Buffer.from(repeatTo(BODY_BYTES, [floats])) },
    { name: 'pretty-printed array of objects', body: Buffer.from(`[${repeatTo(BODY_BYTES, konnect.map((line) => JSON.stringify(JSON.parse(line), null, 2)), ',\n')}]`) },
    { name: 'one-line array of numbers', body: Buffer.from(`[${repeatTo(BODY_BYTES, ['1.5', '2', '-3e2'], ',')}]`) },
    { name: 'objects stacked on one line', body: Buffer.from(repeatTo(BODY_BYTES, konnect, '')) },
    { name: 'empty arrays on one line', body: Buffer.from('[]'.repeat(BODY_BYTES / 2)) },
  ];
}

/** Best of `rounds` timings, rounds alternating between the cases so a slow spell hits all. */
export function runFramingWorstCases(rounds = 5): FramingCaseResult[] {
  const cases = bodies();
  const best = cases.map(() => Number.POSITIVE_INFINITY);
  for (let round = 0; round < rounds; round++) {
    cases.forEach(({ body }, index) => {
      const startedAt = process.hrtime.bigint();
      frameBody(body, LIMITS, NO_EVENT_LIMIT);
      best[index] = Math.min(best[index]!, Number(process.hrtime.bigint() - startedAt) / 1e9);
    });
  }
  const mbPerSec = cases.map(({ body }, index) => body.length / 1e6 / best[index]!);
  return cases.map(({ name }, index) => ({ name, mbPerSec: mbPerSec[index]!, ratio: mbPerSec[index]! / mbPerSec[0]! }));
}

if (require.main === module) {
  const results = runFramingWorstCases();
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(results)}\n`);
  else for (const result of results) process.stdout.write(`${result.name.padEnd(34)} ${result.mbPerSec.toFixed(1).padStart(7)} MB/s  ${result.ratio.toFixed(2)}x\n`);
}
