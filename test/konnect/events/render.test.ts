import { formatKonnectCef } from '../../../src/formats/cef';
import { renderLine, signEvent, signedLine, targetOf, eventTime, type KonnectEvent } from '../../../src/konnect/events/render';
import { generateEd25519KeyPair, publicKeyOf, splitKonnectLine, verifyLine } from '../../../src/signature';

const { privateKey } = generateEd25519KeyPair();
const keys = [publicKeyOf(privateKey)];

/** The §3.5 access example, as an event. */
const ACCESS: KonnectEvent = {
  act: 'POST',
  cef_version: 0,
  event_class_id: 'KongGateway',
  event_product: 'Konnect',
  event_ts: '2025-05-16T00:28:01Z',
  event_vendor: 'KongInc',
  event_version: '1.0',
  name: 'Ingress',
  org_id: 'b065b594-6afc-4658-9101-5d9cf3f36b7b',
  principal_id: '87655c36-8d63-48fe-9a1e-53b28dfbc19b',
  query: '{}',
  request: '/konnect-api/api/control_planes/1c026712-c17d-4e30-ac27-53a6cdc56b9c/services',
  rt: '1684196881193',
  severity: 1,
  src: '127.0.0.6',
  status: 201,
  trace_id: 6891110586028963295n,
  user_agent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/113.0.0.0 Safari/537.36',
};
const JSON_ACCESS_UNSIGNED =
  '{"act":"POST","cef_version":0,"event_class_id":"KongGateway","event_product":"Konnect","event_ts":"2025-05-16T00:28:01Z","event_vendor":"KongInc","event_version":"1.0","name":"Ingress","org_id":"b065b594-6afc-4658-9101-5d9cf3f36b7b","principal_id":"87655c36-8d63-48fe-9a1e-53b28dfbc19b","query":"{}","request":"/konnect-api/api/control_planes/1c026712-c17d-4e30-ac27-53a6cdc56b9c/services","rt":"1684196881193","severity":1,"src":"127.0.0.6","status":201,"trace_id":6891110586028963295,"user_agent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/113.0.0.0 Safari/537.36"}';

describe('rendering and signing events as Konnect sends them', () => {
  it('JSON is compact with sorted keys and the bare 19-digit trace_id: the §3.5 wire example byte for byte', () => {
    expect(renderLine(ACCESS, 'json')).toBe(JSON_ACCESS_UNSIGNED);
  });

  it('the JSON sig is appended last, over the line without it', () => {
    const line = signedLine(ACCESS, 'json', privateKey);
    expect(line.startsWith(JSON_ACCESS_UNSIGNED.slice(0, -1))).toBe(true);
    expect(line).toMatch(/,"sig":"[A-Za-z0-9_-]{86}"\}$/);
    expect(splitKonnectLine(line, 'json').message).toBe(JSON_ACCESS_UNSIGNED);
    expect(verifyLine(line, 'json', keys)).toBe('valid');
  });

  it('CEF is the Konnect dialect from formats/cef plus " sig=…"', () => {
    const line = signedLine(ACCESS, 'cef', privateKey);
    expect(line.startsWith(`${formatKonnectCef(ACCESS)} sig=`)).toBe(true);
    expect(line).toMatch(/^2025-05-16T00:28:01Z konghq\.com CEF:0\|KongInc\|Konnect\|1\.0\|KongGateway\|Ingress\|1\|rt=1684196881193 src=127\.0\.0\.6 request=\/konnect-api\/.* act=POST status=201 .* trace_id=6891110586028963295 query=\{\} sig=[A-Za-z0-9_-]{86}$/);
    expect(verifyLine(line, 'cef', keys)).toBe('valid');
  });

  it('CPS wraps the JSON object under "event", the sig inside it', () => {
    const line = signedLine(ACCESS, 'cps', privateKey);
    expect(line.startsWith(`{"event":${JSON_ACCESS_UNSIGNED.slice(0, -1)},"sig":"`)).toBe(true);
    expect(line.endsWith('"}}')).toBe(true);
    expect(verifyLine(line, 'cps', keys)).toBe('valid');
  });

  it('Ed25519 is deterministic: signing again gives the same line', () => {
    expect(signedLine(ACCESS, 'json', privateKey)).toBe(signedLine(ACCESS, 'json', privateKey));
  });

  it('signEvent keeps all three signed lines, the event time and the webhook it belongs to', () => {
    const stored = signEvent(ACCESS, privateKey, 0);
    expect(stored).toEqual({
      at: 1684196881193,
      target: 'org',
      cef: signedLine(ACCESS, 'cef', privateKey),
      json: signedLine(ACCESS, 'json', privateKey),
      cps: signedLine(ACCESS, 'cps', privateKey),
    });
  });

  it('routes Dev Portal events to their portal, and reads the time from rt or event_ts', () => {
    expect(targetOf({ ...ACCESS, event_product: 'Dev-Portal', portal_id: '3E551B39-227d-4297-b911-e68fd5d77c17' })).toBe('portal:3e551b39-227d-4297-b911-e68fd5d77c17');
    expect(targetOf({ ...ACCESS, portal_id: '3e551b39-227d-4297-b911-e68fd5d77c17' })).toBe('org');
    expect(eventTime({ ...ACCESS, rt: undefined }, 5)).toBe(Date.parse('2025-05-16T00:28:01Z'));
    expect(eventTime({ ...ACCESS, rt: undefined, event_ts: undefined }, 5)).toBe(5);
  });
});
