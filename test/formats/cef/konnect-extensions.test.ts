import fc from 'fast-check';
import { formatKonnectCef, parseCef, toKonnectEvent } from '../../../src/formats/cef';
import { KONNECT_EXTENSION_KEYS } from '../../../src/formats/cef/konnect-extensions';
import type { KonnectAuditEvent } from '../../../src/formats/cef/types';

const ACCESS_HEADER = '2025-05-16T20:09:54Z konghq.com CEF:0|KongInc|Konnect|1.0|KongGateway|Ingress|1|';
const parsed = (line: string) => {
  const result = parseCef(line);
  if (!result.ok) throw new Error(result.error.message);
  return result;
};

describe("Konnect's CEF dialect on the way in", () => {
  it('keeps unescaped " word=" and backslashes inside values: in free text only Konnect field names start a pair', () => {
    const line =
      `${ACCESS_HEADER}rt=1684267794226 src=127.0.0.6 request=/api act=POST status=201 org_id=o principal_id=p ` +
      'user_agent=MyApp/1.0 (Linux; os=linux) lang=en trace_id=1146381705542353508 ' +
      'query={"filter":"C:\\\\tmp\\\\new","q":"a b=c"} sig=c2lnbmF0dXJl';
    const { event, warnings } = parsed(line);
    expect(event.extensions).toEqual({
      rt: '1684267794226',
      src: '127.0.0.6',
      request: '/api',
      act: 'POST',
      status: '201',
      org_id: 'o',
      principal_id: 'p',
      user_agent: 'MyApp/1.0 (Linux; os=linux) lang=en',
      trace_id: '1146381705542353508',
      query: '{"filter":"C:\\\\tmp\\\\new","q":"a b=c"}',
      sig: 'c2lnbmF0dXJl',
    });
    expect(warnings.map((warning) => warning.message)).toEqual([
      '" os=" kept in the value of user_agent: not a Konnect field, and Konnect does not escape',
      '" lang=" kept in the value of user_agent: not a Konnect field, and Konnect does not escape',
      '" b=" kept in the value of query: not a Konnect field, and Konnect does not escape',
    ]);
  });

  it('keeps a Konnect field name that already had its value inside the value it appears in', () => {
    const { event, warnings } = parsed(`${ACCESS_HEADER}rt=1 src=10.0.0.1 user_agent=probe src=1.2.3.4 trace_id=7`);
    expect(event.extensions).toEqual({ rt: '1', src: '10.0.0.1', user_agent: 'probe src=1.2.3.4', trace_id: '7' });
    expect(warnings.map((warning) => warning.message)).toEqual([
      '" src=" kept in the value of user_agent: Konnect writes each field once, and Konnect does not escape',
    ]);
  });

  it('reads a field Konnect does not document as a field of its own after an id, a number or an address (one Konnect adds)', () => {
    const { event, warnings } = parsed(`${ACCESS_HEADER}rt=1 src=10.0.0.1 trace_id=7 region=eu path=C:\\x user_agent=a b=c`);
    expect(event.extensions).toEqual({ rt: '1', src: '10.0.0.1', trace_id: '7', region: 'eu', path: 'C:\\x', user_agent: 'a b=c' });
    expect(warnings).toHaveLength(1);
  });

  it('takes the last " sig=" as the signature, which the signer appends, and keeps an earlier one in its value', () => {
    const { event } = parsed(`${ACCESS_HEADER}rt=1 query={"x":" sig=fake"} sig=real \t `);
    expect(event.extensions).toEqual({ rt: '1', query: '{"x":" sig=fake"}', sig: 'real' });
  });

  it('keeps " sig=" followed by more words inside the value (an unsigned line), and a value\'s spaces before the signature', () => {
    expect(parsed(`${ACCESS_HEADER}rt=1 query={"x":" sig=a b"}`).event.extensions).toEqual({ rt: '1', query: '{"x":" sig=a b"}' });
    expect(parsed(`${ACCESS_HEADER}rt=1 user_agent=a   sig=real`).event.extensions).toEqual({ rt: '1', user_agent: 'a  ', sig: 'real' });
  });

  it('tells Konnect by its vendor, or by the konghq.com host with the example vendor, and its products', () => {
    const tail = 'rt=1 user_agent=a (b; c=d)';
    const userAgentOf = (line: string) => parsed(line).event.extensions.user_agent;
    expect(userAgentOf(`CEF:0|KongInc|Dev-Portal|1.0|x|y|1|${tail}`)).toBe('a (b; c=d)');
    expect(userAgentOf(`2025-05-19T00:03:39Z konghq.com CEF:0|ExampleOrg|Konnect|1.0|x|y|1|${tail}`)).toBe('a (b; c=d)');
    // Another producer follows the CEF spec: ` c=` starts a pair, and it should have escaped it.
    expect(userAgentOf(`CEF:0|Other|Konnect|1.0|x|y|1|${tail}`)).toBe('a (b;');
    expect(userAgentOf(`CEF:0|KongInc|Gateway|1.0|x|y|1|${tail}`)).toBe('a (b;');
  });

  it('falls back to the spec rules when the extensions do not start with a Konnect field', () => {
    expect(parsed(`CEF:0|KongInc|Konnect|1.0|x|y|1|msg=a\\=b src=1`).event.extensions).toEqual({ msg: 'a=b', src: '1' });
  });

  it('gives back every value Konnect wrote, whatever text it holds (property)', () => {
    const fieldNames = [...KONNECT_EXTENSION_KEYS].join('|');
    const isKonnectPair = new RegExp(` (${fieldNames})=`);
    // Any single-line text, except one that holds " <Konnect field>=" (Konnect's own ambiguity).
    const character = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 });
    const value = fc
      .string({ unit: fc.oneof(fc.constantFrom(' ', '=', '\\', '|', '"', 'src', 'x=', ' sig', ';'), character), maxLength: 30 })
      .filter((text) => !/[\r\n]/.test(text) && !isKonnectPair.test(text));
    fc.assert(
      fc.property(value, value, value, (userAgent, query, request) => {
        const event: KonnectAuditEvent = {
          event_ts: '2025-05-16T20:09:54Z',
          cef_version: 0,
          event_vendor: 'KongInc',
          event_product: 'Konnect',
          event_version: '1.0',
          event_class_id: 'KongGateway',
          name: 'Ingress',
          severity: 1,
          rt: '1684267794226',
          src: '127.0.0.6',
          request,
          act: 'GET',
          user_agent: userAgent,
          trace_id: '1146381705542353508',
          query: query.trimEnd(), // the last value on a line keeps no trailing spaces (the CEF spec)
        };
        const back = toKonnectEvent(parsed(formatKonnectCef(event)).event);
        expect(back).toEqual({ ...event, cef_version: 0, severity: '1' });
      }),
      { numRuns: 500 },
    );
  });
});
