/**
 * Micro-benchmark: `parseCef` on Konnect CEF lines versus `JSON.parse` on the SAME events as
 * Konnect's compact JSON lines, in one process and one run.
 *
 * Corpus: the three Konnect event types (authentication incl. Dev Portal, authorization with and
 * without `actor_id`, access with `query={…}`), each line carrying an 86-character `sig`, as on
 * the wire. Every event differs (ids, addresses, times), so no string is parsed twice in a row.
 *
 * MB/s counts each format's own bytes (UTF-8); `ratio` = CEF MB/s ÷ JSON MB/s, the stricter
 * comparison (a Konnect CEF line is ~23% shorter than the same event in JSON, so equal MB/s means
 * CEF handles ~29% more events per second). `eventsRatio` compares events per second.
 * Rounds alternate between the two parsers; MB/s figures are median rounds, ratios the median of
 * per-round ratios (robust when other work shares the CPU).
 *
 * Run directly:
 *   npx tsc --strict --outDir /tmp/cefbench --module commonjs --target es2022 --esModuleInterop \
 *     --resolveJsonModule --skipLibCheck bench/cef-vs-json.ts && node /tmp/cefbench/bench/cef-vs-json.js [seconds]
 */
import { parseCef } from '../src/formats/cef/parse';
import type { KonnectAuditEvent } from '../src/formats/cef/types';
import { generateEd25519KeyPair } from '../src/signature';
import { konnectLine, makeKonnectEvents } from './events';

export interface CefVsJsonResult {
  cefMBps: number;
  jsonMBps: number;
  /** CEF MB/s ÷ JSON MB/s (median of per-round ratios). */
  ratio: number;
  /** CEF events/s ÷ JSON events/s (median of per-round ratios). */
  eventsRatio: number;
  /** Events in each corpus (the same events in both formats). */
  events: number;
  cefEventsPerSec: number;
  jsonEventsPerSec: number;
  /** Mean line length in bytes. */
  cefBytesPerEvent: number;
  jsonBytesPerEvent: number;
}

/** The benchmark corpus: `count` signed Konnect events as CEF lines and as JSON lines. */
export function makeCorpus(count: number): { events: KonnectAuditEvent[]; cef: string[]; json: string[] } {
  const events = makeKonnectEvents(count);
  const { privateKey } = generateEd25519KeyPair();
  return {
    events,
    cef: events.map((event) => konnectLine(event, 'cef', privateKey)),
    json: events.map((event) => konnectLine(event, 'json', privateKey)),
  };
}


function byteLength(lines: readonly string[]): number {
  let bytes = 0;
  for (const line of lines) bytes += Buffer.byteLength(line, 'utf8');
  return bytes;
}

let sink = 0;

function timeCef(lines: readonly string[]): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < lines.length; i++) {
    const result = parseCef(lines[i] as string);
    if (!result.ok) throw new Error(`benchmark corpus line ${i} did not parse`);
    sink += result.event.severityLevel ?? 0;
  }
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function timeJson(lines: readonly string[]): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < lines.length; i++) {
    const event = JSON.parse(lines[i] as string) as { severity: number };
    sink += event.severity;
  }
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

export async function runCefVsJsonBench(opts: { seconds?: number } = {}): Promise<CefVsJsonResult> {
  const seconds = opts.seconds ?? 3;
  const corpus = makeCorpus(3000);
  const cefBytes = byteLength(corpus.cef);
  const jsonBytes = byteLength(corpus.json);

  // Warm up both paths so the JIT has settled before anything is measured.
  for (let i = 0; i < 20; i++) {
    timeCef(corpus.cef);
    timeJson(corpus.json);
  }

  // Rounds alternate (CEF first, then JSON first) and the ratio is taken per round, then the
  // median: on a shared machine, load changes between rounds cancel out of each round's ratio.
  const cefRounds: number[] = [];
  const jsonRounds: number[] = [];
  const ratios: number[] = [];
  const eventRatios: number[] = [];
  const deadline = Date.now() + seconds * 1000;
  do {
    let cef: number;
    let json: number;
    if (cefRounds.length % 2 === 0) {
      cef = timeCef(corpus.cef);
      json = timeJson(corpus.json);
    } else {
      json = timeJson(corpus.json);
      cef = timeCef(corpus.cef);
    }
    cefRounds.push(cef);
    jsonRounds.push(json);
    ratios.push(cefBytes / cef / (jsonBytes / json));
    eventRatios.push(json / cef);
    await new Promise<void>((resolve) => setImmediate(resolve)); // stay polite inside a shared event loop
  } while (Date.now() < deadline || cefRounds.length < 5);

  const cefSeconds = median(cefRounds);
  const jsonSeconds = median(jsonRounds);
  const cefMBps = cefBytes / 1e6 / cefSeconds;
  const jsonMBps = jsonBytes / 1e6 / jsonSeconds;
  if (sink === -1) console.log(sink); // keep the results observable
  return {
    cefMBps,
    jsonMBps,
    ratio: median(ratios),
    eventsRatio: median(eventRatios),
    events: corpus.events.length,
    cefEventsPerSec: corpus.events.length / cefSeconds,
    jsonEventsPerSec: corpus.events.length / jsonSeconds,
    cefBytesPerEvent: cefBytes / corpus.events.length,
    jsonBytesPerEvent: jsonBytes / corpus.events.length,
  };
}

if (require.main === module) {
  const seconds = Number(process.argv[2] ?? 3);
  void runCefVsJsonBench({ seconds }).then((r) => {
    const row = (name: string, mbps: number, eps: number, bytes: number): string =>
      `${name.padEnd(12)} ${mbps.toFixed(1).padStart(8)} ${Math.round(eps).toLocaleString('en-US').padStart(12)} ${bytes.toFixed(0).padStart(10)}`;
    console.log(`${'parser'.padEnd(12)} ${'MB/s'.padStart(8)} ${'events/s'.padStart(12)} ${'bytes/evt'.padStart(10)}`);
    console.log(row('parseCef', r.cefMBps, r.cefEventsPerSec, r.cefBytesPerEvent));
    console.log(row('JSON.parse', r.jsonMBps, r.jsonEventsPerSec, r.jsonBytesPerEvent));
    console.log(`ratio CEF/JSON: ${r.ratio.toFixed(2)} by MB/s, ${r.eventsRatio.toFixed(2)} by events/s   (${r.events} events per corpus)`);
  });
}
