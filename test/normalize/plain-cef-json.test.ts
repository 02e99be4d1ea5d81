import fc from 'fast-check';
import { parseCef } from '../../src/formats/cef';
import { normalizedPlainCefJson, normalizeEvent } from '../../src/normalize/normalize-event';
import { isPlainText } from '../../src/pipeline/output-record';
import { KONNECT_EXAMPLES } from '../formats/cef/konnect-examples';
import { mutatedLines } from '../helpers/mutated-lines';

/** Both ways of writing the normalized event of a plain CEF line; undefined when it is not plain or not CEF. */
function bothWays(line: string): { direct: string; stringified: string } | undefined {
  if (!isPlainText(line)) return undefined;
  const parsed = parseCef(line);
  if (!parsed.ok) return undefined;
  return {
    direct: normalizedPlainCefJson(parsed.event),
    stringified: JSON.stringify(normalizeEvent({ format: 'cef', cef: parsed.event, warnings: parsed.warnings })),
  };
}

describe('normalizedPlainCefJson', () => {
  it("writes Konnect's example CEF events exactly as JSON.stringify of the normalized event", () => {
    for (const { line } of KONNECT_EXAMPLES) {
      const written = bothWays(line);
      if (written) expect(written.direct).toBe(written.stringified);
    }
    expect(KONNECT_EXAMPLES.filter(({ line }) => bothWays(line) !== undefined).length).toBeGreaterThan(3);
  });

  it('writes keys an object would reorder (array indexes) or drop (__proto__) as JSON.stringify does', () => {
    for (const line of ['CEF:0|V|P|1|c|n|3|b=x 10=y 2=z a=w', 'CEF:0|V|P|1|c|n|3|__proto__=x a=1']) {
      const written = bothWays(line)!;
      expect(written.direct).toBe(written.stringified);
    }
  });

  it('writes integer fields as JSON.stringify does at every edge: zeros, signs, 2^53 and beyond', () => {
    const values = ['0', '-0', '00', '007', '-7', '-', '1750280401124', '999999999999999', '9007199254740991', '9007199254740992', '-9007199254740991', '9007199254740993', '99999999999999999', '1e3', '+5', '12a'];
    for (const value of values) {
      for (const line of [`CEF:0|KongInc|Konnect|1.0|c|n|1|rt=${value} src=1.2.3.4`, `CEF:0|V|P|1|c|n|${value}|status=${value}`]) {
        const written = bothWays(line)!;
        expect({ line, json: written.direct }).toEqual({ line, json: written.stringified });
      }
    }
    expect(JSON.parse(bothWays('CEF:0|V|P|1|c|n|1|rt=9007199254740993')!.direct)).toMatchObject({ rt: '9007199254740993' });
    expect(JSON.parse(bothWays('CEF:0|V|P|1|c|n|1|rt=1750280401124')!.direct)).toMatchObject({ rt: 1750280401124 });
  });

  it('writes every plain CEF line that parses exactly as JSON.stringify of its normalized event', () => {
    const lines = mutatedLines(
      fc.constantFrom(...KONNECT_EXAMPLES.map((e) => e.line), 'Apr 14 05:39:08 konghq.com CEF:1|V|P|1|c|n|High|rt=1681450748406 status=007 success=False'),
      fc.oneof(
        fc.constantFrom(' ', '=', '|', 'rt=', ' status=', ' granted=', ' trace_id=', ' 12=', ' event_ts=', '-', '0', '-0', '00', '9007199254740991', '9007199254740993', '99999999999999999'),
        fc.string({ maxLength: 4 }),
      ),
      { maxEdits: 6, maxRemoved: 10 },
    );
    let plain = 0;
    fc.assert(
      fc.property(lines, (line) => {
        const written = bothWays(line);
        if (!written) return;
        plain++;
        expect(written.direct).toBe(written.stringified);
      }),
      { numRuns: 2000 },
    );
    expect(plain).toBeGreaterThan(500);
  });
});
