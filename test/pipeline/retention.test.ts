/**
 * Caches keyed by what a request sent (a `dtz` zone name, a JSON or CEF key) must keep no request
 * body alive: V8 holds a slice of a long string as a view into the whole, so a cached slice would
 * pin its body (up to --max-body), and a few hundred requests would exhaust the heap.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { DEFAULT_FRAMING_LIMITS } from '../../src/ingest/framing';
import { processBatch } from '../../src/pipeline/process-batch';

v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

const BODIES = 30;
const PADDING = 2 * 1024 * 1024;

async function retainedBytes(lineFor: (index: number) => string): Promise<number> {
  collectGarbage();
  const before = process.memoryUsage().heapUsed;
  for (let index = 0; index < BODIES; index++) {
    const body = Buffer.from(`${lineFor(index)}\n${' '.repeat(PADDING)}\n`);
    const batch = await processBatch(body, Date.now(), 'request', { framing: DEFAULT_FRAMING_LIMITS, maxEvents: 100, keepRaw: true });
    expect(batch.accepted).toBe(1);
    batch.release();
  }
  collectGarbage();
  return process.memoryUsage().heapUsed - before;
}

const unique = (index: number) => String(index).padStart(8, '0');

describe('caches keyed by request content', () => {
  // Before: about 2 MB held per request (all 30 bodies, 60 MB).
  it.each([
    ['a dtz zone name', (index: number) => `CEF:0|v|p|1|c|n|1|rt=Jan 01 2025 00:00:00 dtz=Nowhere/Zone${unique(index)}`],
    ['a key of flat JSON', (index: number) => `{"unique_key_${unique(index)}":1,"b":"x"}`],
    ['a CEF extension key', (index: number) => `CEF:0|v|p|1|c|n|1|unique_key_${unique(index)}=1 b=2`],
  ])('keep no request body alive through %s', async (_what, lineFor) => {
    expect(await retainedBytes(lineFor)).toBeLessThan(10 * 1024 * 1024);
  });
});
