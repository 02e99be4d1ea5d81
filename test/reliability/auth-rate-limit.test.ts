/**
 * Failed authorizations: past --auth-failure-limit per client address per minute, 429 with
 * Retry-After for further failures, while the right value still passes (the sender's address
 * may be shared); another address is unaffected; each failure is logged with the client address
 * and never with the presented value, at any log level.
 */
import fs from 'node:fs';
import { AUTH, get, numberedEvent, post, spawnReceiver, type Answer, type SpawnedReceiver } from './support';

jest.setTimeout(30_000);

describe('failed authorizations', () => {
  let receiver: SpawnedReceiver | undefined;
  afterEach(async () => {
    await receiver?.cleanup();
    receiver = undefined;
  });

  it('answers further failures from one address 429 + Retry-After, lets the right value through, leaves another address alone, and logs the address but never the value', async () => {
    receiver = await spawnReceiver({ flags: ['--auth-failure-limit', '3', '--log-level', 'debug'] });
    const guesses = ['Bearer guess-one-7f3a9c', 'Bearer guess-two-51be02', 'Basic Z3Vlc3M6dGhyZWU='];
    const from = (localAddress: string, authorization: string | undefined, seq = 0): Promise<Answer> =>
      post(receiver!.url, numberedEvent(seq), {
        localAddress,
        agent: false,
        headers: { authorization },
      });
    const answers: Answer[] = [];

    // Three failures from 127.0.0.1 (a missing header counts too): 401 each.
    for (const value of [guesses[0], undefined, guesses[1]]) {
      const answer = await from('127.0.0.1', value);
      answers.push(answer);
      expect(answer.status).toBe(401);
    }
    // Past the limit: 429 with Retry-After for a wrong or missing value, not logged one by one.
    for (const value of [guesses[2], undefined]) {
      const answer = await from('127.0.0.1', value);
      answers.push(answer);
      expect(answer.status).toBe(429);
      expect(Number(answer.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(answer.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    // The right value from the same address is delivered: failing on purpose holds up nobody.
    const delivered = await from('127.0.0.1', AUTH, 1);
    expect(delivered.status).toBe(200);
    answers.push(delivered);

    // Another address is unaffected: its right value works, its wrong value is a plain 401.
    const other = await from('127.0.0.2', AUTH, 2);
    expect(other.status).toBe(200);
    const otherWrong = await from('127.0.0.2', guesses[0]);
    expect(otherWrong.status).toBe(401);
    answers.push(other, otherWrong);

    // helmet's headers are on every answer, refusals included.
    for (const answer of answers) {
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(answer.headers['strict-transport-security']).toBeDefined();
    }

    // The presented values appear in no answer, no log line (at debug level), no event, no dead letter.
    const metrics = (await get(`${receiver.origin}/metrics`)).text;
    expect(metrics).toMatch(/audit_relay_authorization_failures_total\{reason="rate_limited"\} 2/);
    expect(await receiver.stop('SIGTERM')).toBe(0);
    const secrets = [...guesses, AUTH].flatMap((value) => [value, value.split(' ')[1]!]);
    const everything = [
      receiver.stderr(),
      receiver.stdout(),
      metrics,
      ...answers.map((answer) => JSON.stringify(answer.headers) + answer.text),
      fs.readFileSync(receiver.eventsFile, 'utf8'),
      fs.existsSync(receiver.deadLetterFile) ? fs.readFileSync(receiver.deadLetterFile, 'utf8') : '',
    ].join('\n');
    for (const secret of secrets) expect(everything).not.toContain(secret);

    // Each failure is logged with the client address (and the kind of failure, not the value).
    const logLines = receiver
      .stderr()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const failures = logLines.filter((line) => line.message === 'authorization failed');
    expect(failures.map((line) => [line.client, line.reason])).toEqual([
      ['127.0.0.1', 'mismatch'],
      ['127.0.0.1', 'missing'],
      ['127.0.0.1', 'mismatch'],
      ['127.0.0.2', 'mismatch'],
    ]);
  });
});
