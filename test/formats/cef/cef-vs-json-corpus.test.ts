/**
 * The benchmark (bench/cef-vs-json.ts) claims to parse the SAME events in both formats.
 * This checks that claim on its corpus, and that the corpus is clean CEF.
 */
import { makeCorpus, runCefVsJsonBench } from '../../../bench/cef-vs-json';
import { toKonnectEvent } from '../../../src/formats/cef/konnect-dialect';
import { parseCef } from '../../../src/formats/cef/parse';

describe('benchmark corpus', () => {
  const corpus = makeCorpus(300);

  it('holds the three Konnect event types, the access ones with query={…}, at ≈500 bytes a line', () => {
    expect(corpus.cef.every((line) => parseCef(line).ok)).toBe(true);
    expect(corpus.cef.some((l) => l.includes('|Ingress|') && l.includes(' query={"end":'))).toBe(true);
    expect(corpus.cef.some((l) => l.includes('|Authz.'))).toBe(true);
    expect(corpus.cef.some((l) => l.includes('|AUTHENTICATION_OUTCOME_'))).toBe(true);
    const mean = corpus.cef.reduce((sum, l) => sum + Buffer.byteLength(l), 0) / corpus.cef.length;
    expect(mean).toBeGreaterThan(400);
    expect(mean).toBeLessThan(600);
  });

  it('has the same events in its CEF and JSON lines', () => {
    for (let i = 0; i < corpus.cef.length; i++) {
      const result = parseCef(corpus.cef[i] as string);
      if (!result.ok) throw new Error(result.error.message);
      expect(result.warnings).toEqual([]);
      // Each format is signed over its own bytes, so the sigs differ; every other field must not.
      expect(result.event.extensions.sig).toMatch(/^[A-Za-z0-9_-]{86}$/);
      const fromCef = Object.fromEntries(Object.entries(toKonnectEvent(result.event)).map(([key, value]) => [key, String(value)]));
      const text = (corpus.json[i] as string).replace(/"trace_id":(\d+)/, '"trace_id":"$1"'); // keep all 19 digits
      const fromJson = JSON.parse(text, (_key, value: unknown) => (typeof value === 'number' || typeof value === 'boolean' ? String(value) : value)) as Record<string, string>;
      expect(fromJson.sig).toMatch(/^[A-Za-z0-9_-]{86}$/);
      delete fromJson.sig;
      expect(fromCef).toEqual(fromJson);
    }
  });

  it('runs and reports both throughputs and their ratio', async () => {
    const result = await runCefVsJsonBench({ seconds: 0.2 });
    expect(result.events).toBe(3000);
    for (const value of [result.cefMBps, result.jsonMBps, result.ratio, result.eventsRatio]) expect(value).toBeGreaterThan(0);
  });
});
