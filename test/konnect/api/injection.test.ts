import request from 'supertest';
import { startCaptureServer, type CaptureServer } from '../support/capture-server';
import { AUTH, startTestStandIn, stopTestStandIn, waitFor, type TestStandIn } from '../support/stand-in';

describe('injection endpoint POST /stand-in/events', () => {
  let standIn: TestStandIn;
  let receiver: CaptureServer;
  beforeEach(async () => {
    standIn = await startTestStandIn({ allowHttp: true });
    receiver = await startCaptureServer();
    const configured = await request(standIn.url)
      .patch('/v2/audit-log-destinations')
      .set('authorization', AUTH)
      .send({ endpoint: receiver.url, authorization: 'Bearer r', log_format: 'json' });
    expect(configured.status).toBe(200);
  });
  afterEach(async () => {
    await stopTestStandIn(standIn);
    await receiver.close();
  });

  const inject = (body: unknown) => request(standIn.url).post('/stand-in/events').set('authorization', AUTH).set('content-type', 'application/json').send(typeof body === 'string' ? body : JSON.stringify(body));

  it('delivers given events completed with defaults; a 19-digit trace_id given as a number keeps every digit', async () => {
    const response = await inject(
      '{"events":[{"name":"AUTHENTICATION_OUTCOME_LOCKED","principal_id":"p-1","trace_id":9223372036854775807},{"name":"Ingress","act":"DELETE","status":500,"request":"/v2/x"}]}',
    );
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ accepted: 2, trace_ids: ['9223372036854775807', expect.stringMatching(/^\d{19}$/)] });
    await waitFor(() => receiver.lines().length === 2, 5000, 'two lines');
    const [locked, ingress] = receiver.lines();
    expect(locked).toContain('"trace_id":9223372036854775807,');
    expect(locked).toMatch(/^\{"cef_version":0,"event_class_id":"AUTHENTICATION_TYPE_PAT","event_product":"Konnect","event_ts":"[^"]+","event_vendor":"KongInc","event_version":"1.0","name":"AUTHENTICATION_OUTCOME_LOCKED","org_id":"[0-9a-f-]{36}","principal_id":"p-1","rt":\d{13},"severity":6,"src":"127.0.0.6","trace_id":9223372036854775807,"user_agent":"","sig":"[A-Za-z0-9_-]{86}"\}$/);
    expect(ingress).toMatch(/"act":"DELETE",.*"event_class_id":"KongGateway",.*"severity":10,.*"status":500,/);
  });

  it('signs an event whose client text ends the CEF line in " sig=…", as Konnect would (it was a 500)', async () => {
    const cef = await request(standIn.url)
      .patch('/v2/audit-log-destinations')
      .set('authorization', AUTH)
      .send({ endpoint: receiver.url, authorization: 'Bearer r', log_format: 'cef' });
    expect(cef.status).toBe(200);
    const response = await inject({ events: [{ name: 'Authz.x', user_agent: 'x sig=AAAA' }, { name: 'Authz.y' }] });
    expect(response.status).toBe(202);
    await waitFor(() => receiver.lines().length === 2, 5000, 'two lines');
    expect(receiver.lines()[0]).toMatch(/ user_agent=x sig=AAAA sig=[A-Za-z0-9_-]{86}$/);
  });

  it('refuses a body over its 10 MB limit with a 413 problem that names the limit', async () => {
    const response = await inject(`{"generate":1,"pad":"${'x'.repeat(10 * 1024 * 1024)}"}`);
    expect(response.status).toBe(413);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 413, detail: `the request body is larger than ${10 * 1024 * 1024} bytes, the most this endpoint takes` });
  });

  it('generates N synthetic events of a type on request', async () => {
    const response = await inject({ generate: 4, type: 'access' });
    expect(response.status).toBe(202);
    expect(response.body.accepted).toBe(4);
    await waitFor(() => receiver.lines().length === 4, 5000, 'four lines');
    for (const line of receiver.lines()) expect(line).toContain('"name":"Ingress"');
    for (const traceId of response.body.trace_ids) expect(receiver.lines().some((line) => line.includes(`"trace_id":${traceId},`))).toBe(true);
  });

  it('Dev Portal events go to that portal\'s webhook, not the org one', async () => {
    const portal = '3e551b39-227d-4297-b911-e68fd5d77c17';
    const response = await inject({ generate: 2, type: 'dev-portal', portal_id: portal });
    expect(response.status).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(receiver.lines()).toEqual([]);
  });

  it.each([
    ['neither events nor generate', {}, 'events'],
    ['both', { events: [{ name: 'Ingress' }], generate: 1 }, 'events'],
    ['an empty events array', { events: [] }, 'events'],
    ['events not an array', { events: { name: 'Ingress' } }, 'events'],
    ['an event without a name', { events: [{ act: 'POST' }] }, 'events[0].name'],
    ['an event that is not an object', { events: ['Ingress'] }, 'events[0]'],
    ['a sig given', { events: [{ name: 'Ingress', sig: 'x' }] }, 'events[0].sig'],
    ['a nested value', { events: [{ name: 'Ingress', query: { a: 1 } }] }, 'events[0].query'],
    ['a line break in a value', { events: [{ name: 'Ingress', user_agent: 'a\nb' }] }, 'events[0].user_agent'],
    ['a bad key', { events: [{ name: 'Ingress', 'Bad Key': 1 }] }, 'events[0].Bad Key'],
    ['a bad trace_id', { events: [{ name: 'Ingress', trace_id: 'abc' }] }, 'events[0].trace_id'],
    ['a bad event_ts', { events: [{ name: 'Ingress', event_ts: 'noon' }] }, 'events[0].event_ts'],
    ['an rt no date can hold', { events: [{ name: 'Authz.x', rt: 8_640_000_000_000_001 }] }, 'events[0].rt'],
    ['generate 0', { generate: 0 }, 'generate'],
    ['generate too many', { generate: 10_001 }, 'generate'],
    ['an unknown type', { generate: 1, type: 'audit' }, 'type'],
    ['a bad portal_id', { generate: 1, portal_id: 'p' }, 'portal_id'],
    ['an unknown field', { generate: 1, colour: 'red' }, 'colour'],
  ])('refuses %s with 400', async (_name, body, field) => {
    const response = await inject(body);
    expect(response.status).toBe(400);
    expect(response.body.invalid_parameters.map((item: { field: string }) => item.field)).toContain(field);
  });
});
