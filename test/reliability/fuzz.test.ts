/**
 * Fuzzing the live server over HTTP: at least 20,000 malformed bodies (random bytes, truncated
 * gzip, mutated CEF and JSON, huge lines, deep nesting, invalid UTF-8, wrong encodings) from a
 * keep-alive pool with bounded concurrency. The server must stay up, answer every request with
 * a 2xx or 4xx (503 only by design), and put every rejected line in the dead letter.
 * The bodies come from a seeded PRNG: set FUZZ_SEED to replay a run.
 */
import fs from 'node:fs';
import http from 'node:http';
import zlib from 'node:zlib';
import { CEF_ACCESS, CEF_AUTHZ_LIST, CEF_BSD_AUTHZ, CEF_PORTAL_AUTH, JSON_ACCESS, JSON_PORTAL_AUTH, JSON_VERIFY_EXAMPLE } from '../helpers/konnect-examples';
import { get, numberedEvent, pool, post, prng, spawnReceiver, strictRecords, type SpawnedReceiver } from './support';

const BODIES = 20_000;
const CONCURRENCY = 16;
const MAX_BODY = 256 * 1024;
const MAX_LINE = 16 * 1024;
const MAX_DEPTH = 32;
const MAX_EVENTS = 100;
const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed2026);

jest.setTimeout(120_000);

const CEF_LINES = [CEF_AUTHZ_LIST, CEF_PORTAL_AUTH, CEF_BSD_AUTHZ, CEF_ACCESS, numberedEvent(1)];
const JSON_LINES = [JSON_PORTAL_AUTH, JSON_VERIFY_EXAMPLE, JSON_ACCESS, numberedEvent(2), '{"event":{"action":"read","name":"cps"}}'];
const SPECIAL = ['|', '=', '\\', ' ', '\n', '\r', '\t', '"', '{', '}', '[', ']', ':', ',', '\u0000', '\u00e9', '\u{1f600}', 'CEF:', 'konghq.com', '\\u', '\\ud800', '1e999999', '-', '0x'];
/** Byte sequences that are not UTF-8. */
const INVALID_UTF8 = [[0xff], [0xfe], [0x80], [0xc0, 0x80], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xc1, 0xbf]];

const BROTLI_FAST = { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } };

interface Fuzzed {
  kind: string;
  body: Buffer;
  headers: Record<string, string>;
}

const bombs = new Map<string, Buffer>();
/** gzip of `times` × --max-body of one byte: a few hundred bytes as sent (made once, reused). */
function bomb(times: number, byte: number): Buffer {
  const key = `${times}:${byte}`;
  if (!bombs.has(key)) bombs.set(key, zlib.gzipSync(Buffer.alloc(MAX_BODY * times, byte), { level: 9 }));
  return bombs.get(key)!;
}

function generator(random: () => number) {
  const int = (below: number) => Math.floor(random() * below);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  const randomBytes = (length: number) => Buffer.from(Array.from({ length }, () => int(256)));

  const mutate = (line: string): string => {
    let text = line;
    const operations = 1 + int(6);
    for (let step = 0; step < operations; step++) {
      const at = int(text.length + 1);
      switch (int(6)) {
        case 0: // replace a character
          text = text.slice(0, at) + pick(SPECIAL) + text.slice(at + 1);
          break;
        case 1: // delete a span
          text = text.slice(0, at) + text.slice(at + 1 + int(20));
          break;
        case 2: // insert
          text = text.slice(0, at) + pick(SPECIAL) + text.slice(at);
          break;
        case 3: // truncate
          text = text.slice(0, at);
          break;
        case 4: // duplicate a span
          text = text.slice(0, at) + text.slice(Math.max(0, at - int(40)), at) + text.slice(at);
          break;
        default: // a random printable character
          text = text.slice(0, at) + String.fromCharCode(32 + int(95)) + text.slice(at + 1);
      }
    }
    return text;
  };

  const invalidUtf8Line = (): Buffer => {
    const line = Buffer.from(pick([...CEF_LINES, ...JSON_LINES]));
    const at = int(line.length + 1);
    return Buffer.concat([line.subarray(0, at), Buffer.from(pick(INVALID_UTF8)), line.subarray(at)]);
  };

  const deepNesting = (): string => {
    const depth = int(3) === 0 ? 1 + int(MAX_DEPTH) : MAX_DEPTH + int(2000);
    const closed = random() < 0.7;
    switch (int(3)) {
      case 0:
        return '['.repeat(depth) + (closed ? ']'.repeat(depth) : '');
      case 1:
        return '{"a":'.repeat(depth) + '1' + (closed ? '}'.repeat(depth) : '');
      default:
        return `{"action":"read","x":${'[{"b":'.repeat(depth)}null${closed ? '}]'.repeat(depth) : ''}}`;
    }
  };

  const hugeLine = (): string => {
    const length = pick([MAX_LINE - 1 - int(100), MAX_LINE + 1 + int(1000), 2 * MAX_LINE, MAX_LINE]);
    switch (int(3)) {
      case 0:
        return 'x'.repeat(length);
      case 1:
        return `${CEF_AUTHZ_LIST} msg=${'y'.repeat(Math.max(0, length - CEF_AUTHZ_LIST.length - 5))}`;
      default:
        return `{"action":"read","pad":"${'z'.repeat(Math.max(0, length - 27))}"}`;
    }
  };

  const line = (): Buffer => {
    switch (int(8)) {
      case 0:
        return Buffer.from(mutate(pick(CEF_LINES)));
      case 1:
        return Buffer.from(mutate(pick(JSON_LINES)));
      case 2:
        return invalidUtf8Line();
      case 3:
        return Buffer.from(randomBytes(int(200)).filter((byte) => byte !== 0x0a));
      case 4:
        return Buffer.from(pick([...CEF_LINES, ...JSON_LINES])); // a valid one among the bad
      case 5:
        return Buffer.from(pick(['', ' ', '\r', '[]', '[1,"a",{}]', '{}', '{"event":1}', '"text"', '42', 'null', '{"a":1}{"b":2}', '{"a":123456789012345678901234567890}', '{"a":"\\ud800"}', 'CEF:', 'CEF:0|', '|||||||']));
      case 6:
        // Mostly within the depth limit here: one line too deep refuses the whole batch.
        return Buffer.from(random() < 0.2 ? deepNesting() : `${'['.repeat(1 + int(MAX_DEPTH))}{"a":1}`);
      default:
        return Buffer.from(mutate(`[${pick(JSON_LINES)},${pick(JSON_LINES)}]`));
    }
  };

  const batch = (lines: number): Buffer => {
    const parts: Buffer[] = [];
    for (let index = 0; index < lines; index++) parts.push(line(), Buffer.from(random() < 0.1 ? '\r\n' : '\n'));
    return Buffer.concat(parts);
  };

  const encode = (body: Buffer): { body: Buffer; headers: Record<string, string> } => {
    switch (int(6)) {
      case 0:
        return { body: zlib.gzipSync(body), headers: { 'content-encoding': 'gzip' } };
      case 1:
        return { body: zlib.gzipSync(body), headers: {} }; // found by its magic bytes
      case 2:
        return { body: zlib.deflateRawSync(body), headers: { 'content-encoding': 'deflate' } };
      case 3:
        return { body: zlib.brotliCompressSync(body, BROTLI_FAST), headers: { 'content-encoding': 'br' } };
      default:
        return { body, headers: {} };
    }
  };

  return (): Fuzzed => {
    const choice = int(22); // the ten main kinds twice as often as the last two
    switch (choice < 20 ? choice % 10 : choice - 10) {
      case 10: // a decompression bomb: small as sent, past --max-body decoded
        return { kind: 'gzip bomb', body: bomb(1 + int(8), pick([0x20, 0x0a, 0x61])), headers: random() < 0.5 ? { 'content-encoding': 'gzip' } : {} };
      case 11: // more events than --max-events, or just within it
        return { kind: 'event count', ...encode(Buffer.from('{}\n'.repeat(MAX_EVENTS - 2 + int(5)))) };
      case 0:
        return { kind: 'random bytes', body: randomBytes(int(4096)), headers: random() < 0.5 ? {} : { 'content-encoding': pick(['gzip', 'deflate', 'br']) } };
      case 1: {
        const whole = zlib.gzipSync(batch(1 + int(30)));
        return { kind: 'truncated gzip', body: whole.subarray(0, 1 + int(whole.length - 1)), headers: random() < 0.5 ? { 'content-encoding': 'gzip' } : {} };
      }
      case 2: {
        const encoded = encode(Buffer.from(Array.from({ length: 1 + int(20) }, () => mutate(pick(CEF_LINES))).join('\n')));
        return { kind: 'mutated CEF', ...encoded };
      }
      case 3: {
        const encoded = encode(Buffer.from(Array.from({ length: 1 + int(20) }, () => mutate(pick(JSON_LINES))).join(pick(['\n', '\r\n', '', ' ']))));
        return { kind: 'mutated JSON', ...encoded };
      }
      case 4: {
        const encoded = encode(Buffer.from(`${hugeLine()}\n${pick(CEF_LINES)}\n`));
        return { kind: 'huge line', ...encoded };
      }
      case 5:
        return { kind: 'deep nesting', ...encode(Buffer.from(deepNesting())) };
      case 6:
        return { kind: 'invalid UTF-8', ...encode(Buffer.concat(Array.from({ length: 1 + int(10) }, () => Buffer.concat([invalidUtf8Line(), Buffer.from('\n')])))) };
      case 7: {
        // A valid body under a wrong or unsupported Content-Encoding.
        const body = batch(1 + int(5));
        return { kind: 'wrong encoding', body: random() < 0.5 ? body : zlib.gzipSync(body), headers: { 'content-encoding': pick(['gzip', 'br', 'deflate', 'compress', 'gzip, br', 'x-gzip', 'identity', 'GZIP', '']) } };
      }
      default:
        return { kind: 'mixed batch', ...encode(batch(1 + int(40))) };
    }
  };
}

function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

describe('fuzzing the live server over HTTP', () => {
  let receiver: SpawnedReceiver | undefined;
  afterAll(async () => receiver?.cleanup());

  it(`answers ${BODIES} malformed bodies with 2xx/4xx only, stays up, and dead-letters every rejected line (seed ${SEED})`, async () => {
    receiver = await spawnReceiver({
      flags: ['--max-body', `${MAX_BODY}`, '--max-line-length', `${MAX_LINE}`, '--max-json-depth', `${MAX_DEPTH}`, '--max-events', `${MAX_EVENTS}`, '--log-level', 'error', '--rotate-size', '1gb'],
    });
    const next = generator(prng(SEED));
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const statuses = new Map<number, number>();
    const byKind = new Map<string, Map<number, number>>();
    const unexpected: string[] = [];
    let accepted = 0;
    let rejected = 0;
    const startedAt = Date.now();

    await pool(BODIES, CONCURRENCY, async (index) => {
      const fuzzed = next();
      if (fuzzed.body.length > MAX_BODY) fuzzed.body = fuzzed.body.subarray(0, MAX_BODY);
      let answer;
      try {
        answer = await post(receiver!.url, fuzzed.body, { headers: fuzzed.headers, agent });
      } catch (error) {
        unexpected.push(`#${index} ${fuzzed.kind}: no answer (${(error as Error).message})`);
        return;
      }
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      const kindStatuses = byKind.get(fuzzed.kind) ?? new Map<number, number>();
      kindStatuses.set(answer.status, (kindStatuses.get(answer.status) ?? 0) + 1);
      byKind.set(fuzzed.kind, kindStatuses);
      const ok = (answer.status >= 200 && answer.status < 300) || (answer.status >= 400 && answer.status < 500) || answer.status === 503;
      if (!ok) {
        unexpected.push(`#${index} ${fuzzed.kind}: ${answer.status} ${answer.text.slice(0, 300)} (body ${fuzzed.body.toString('base64').slice(0, 300)})`);
        return;
      }
      if (answer.status >= 200 && answer.status < 300) {
        const result = answer.json() as { accepted: number; rejected: number; errors?: unknown[] };
        accepted += result.accepted;
        rejected += result.rejected;
        if ((result.errors?.length ?? 0) !== Math.min(result.rejected, 10)) unexpected.push(`#${index}: errors list does not match rejected: ${answer.text.slice(0, 300)}`);
      } else if (answer.status === 503) {
        if (answer.headers['retry-after'] === undefined) unexpected.push(`#${index}: 503 without Retry-After`);
      } else if (!String(answer.headers['content-type']).startsWith('application/problem+json')) {
        unexpected.push(`#${index}: ${answer.status} is not problem+json`);
      }
    });
    agent.destroy();
    const seconds = (Date.now() - startedAt) / 1000;
    const cpu = cpuSeconds(receiver.pid);

    expect(unexpected.slice(0, 20)).toEqual([]);
    const answered = [...statuses.values()].reduce((sum, count) => sum + count, 0);
    expect(answered).toBe(BODIES);
    // Still up, same process, and nothing in its log says it failed unexpectedly.
    expect(receiver.child.exitCode).toBeNull();
    expect((await get(`${receiver.origin}/healthz`)).status).toBe(200);
    expect(receiver.stderr()).not.toMatch(/"level":"error"/);
    // The run really exercised both sides: refused requests and dead-lettered lines.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(BODIES / 4);
    expect([400, 413, 415].every((status) => (statuses.get(status) ?? 0) > 0)).toBe(true);

    // Every rejected line is in the dead letter; every accepted one in the events file. Stop
    // first (SIGTERM flushes and closes), then read both files strictly.
    expect(await receiver.stop('SIGTERM')).toBe(0);
    const deadLetters = strictRecords(receiver.deadLetterFile);
    const events = strictRecords(receiver.eventsFile);
    expect(deadLetters).toHaveLength(rejected);
    expect(events).toHaveLength(accepted);
    for (const record of deadLetters) expect(typeof record.reason === 'string' && typeof record.raw === 'string').toBe(true);

    const summary = [...byKind].map(([kind, counts]) => `${kind}: ${[...counts].sort().map(([status, count]) => `${status}×${count}`).join(' ')}`);
    process.stderr.write(
      `fuzz (seed ${SEED}): ${BODIES} bodies in ${seconds.toFixed(1)} s (receiver CPU ${cpu.toFixed(1)} s, client CPU ${(process.cpuUsage().user / 1e6).toFixed(1)} s); statuses ${JSON.stringify(Object.fromEntries(statuses))}; ` +
        `${accepted} events accepted, ${rejected} rejected = ${deadLetters.length} dead-letter lines\n  ${summary.join('\n  ')}\n`,
    );
  });
});
