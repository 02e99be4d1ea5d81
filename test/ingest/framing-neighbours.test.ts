/**
 * Broken lines must never take a good event with them. Bodies are built from good events (CEF
 * and compact JSON, some holding unbalanced brackets) and broken lines (truncated JSON, stray
 * brackets, text that starts like JSON): every good event must come out as a frame of its own,
 * exactly its line, in order, whatever surrounds it.
 */
import fc from 'fast-check';
import { frameBody } from '../../src/ingest/framing';

const good = (id: number): fc.Arbitrary<string> =>
  fc.constantFrom(
    `CEF:0|KongInc|Konnect|1.0|konnect|Authz.x|1|id=${id} msg=a}`,
    `CEF:0|KongInc|Konnect|1.0|konnect|Authz.x|1|id=${id} request=/a?x[]=1]`,
    `CEF:0|KongInc|Konnect|1.0|konnect|Authz.x|1|id=${id} query={"q":"[1,2"}`,
    `2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.x|1|id=${id}`,
    `{"id":${id}}`,
    `{"id":${id},"q":"{[","n":null}`,
    `{"id":${id},"nested":{"a":[1,{"b":"}"}]}}`,
  );

const broken = fc.constantFrom(
  '{"a":1,',
  '{"action":"read","n":"x"',
  '{"a":"unterminated',
  '[WARN',
  '[2025-06-18 21:02:36] no cef here',
  '{"a":1} trailing text',
  '{{{{',
  '[[[[',
  '{"a":[',
  '[{"a":1},{"b":',
  '[{"q":[1.5,2.5]},',
  '"just a string"',
  'plain words',
  '',
  '   ',
);

const body = fc
  .array(fc.oneof(fc.nat(10_000).chain((id) => good(id).map((line) => ({ line, good: true }))), broken.map((line) => ({ line, good: false }))), {
    minLength: 1,
    maxLength: 40,
  })
  .map((lines) => {
    // Ids unique per body, so each good event can be found.
    let next = 0;
    return lines.map((entry) => (entry.good ? { ...entry, line: entry.line.replace(/id=\d+|"id":\d+/, (match) => match.replace(/\d+/, String(next++))) } : entry));
  });

describe('framing next to broken lines', () => {
  it('gives every good event a frame of its own, exactly its line, in order (fast-check)', () => {
    fc.assert(
      fc.property(body, fc.constantFrom('\n', '\r\n'), (lines, newline) => {
        const frames = frameBody(Buffer.from(lines.map((entry) => entry.line).join(newline)));
        const goodLines = lines.filter((entry) => entry.good).map((entry) => entry.line);
        const framedGood = frames.filter((frame) => frame.kind !== 'invalid' && goodLines.includes(frame.text)).map((frame) => frame.text);
        expect(framedGood).toEqual(goodLines);
        for (const frame of frames) {
          if (frame.kind === 'invalid') for (const line of goodLines) expect(frame.text).not.toContain(line);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
