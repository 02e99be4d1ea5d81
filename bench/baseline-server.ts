/**
 * The baseline: the least a Node receiver can do with a Konnect batch, written with bare
 * `node:http` and no framework. It is the ceiling the receiver is compared against.
 *
 * Per request it:
 *   1. compares the Authorization header exactly (401 otherwise; a string compare, nearly free);
 *   2. reads the whole body;
 *   3. gunzips it when `Content-Encoding` says gzip or the body starts with the gzip magic bytes;
 *   4. splits it on `\n` (a trailing `\r` is dropped, blank lines are skipped);
 *   5. parses each line into an object of its fields (a line that does not parse fails the request
 *      with 400): `--mode json` with `JSON.parse`; `--mode cef` with the least parse that gives a
 *      CEF line's fields (`parseCefFields`: the seven header fields split on `|`, each extension
 *      value up to the last space before the next `=`; no escapes, no types, no dictionary),
 *      which costs about what JSON.parse does per line;
 *   6. appends each line, unchanged, plus `\n`, to one file through one `fs.WriteStream`;
 *   7. with `--fsync`, calls `fdatasync` on that file after the batch's writes completed;
 *   8. answers `200 {"accepted":N}` once the last write (and the fdatasync) completed.
 *
 * It does no normalization, no signature check and no per-event serialization; that is why it is
 * a ceiling and not a competitor.
 *
 * Usage: node baseline-server.js --out FILE --authorization 'Bearer x' [--mode json|cef] [--fsync] [--port 0]
 * Prints `baseline is receiving at http://127.0.0.1:PORT/` on stderr once listening.
 */
import fs from 'node:fs';
import http from 'node:http';
import { gunzip } from 'node:zlib';

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const out = option('out');
const authorization = option('authorization');
const mode = option('mode') ?? 'json';
const fsync = process.argv.includes('--fsync');
const port = Number(option('port') ?? 0);
if (!out || !authorization || (mode !== 'json' && mode !== 'cef')) {
  process.stderr.write('usage: baseline-server --out FILE --authorization VALUE [--mode json|cef] [--fsync] [--port N]\n');
  process.exit(2);
}

const fd = fs.openSync(out, 'a');
const stream = fs.createWriteStream('', { fd });

const CEF_HEADER_FIELDS = ['cef_version', 'event_vendor', 'event_product', 'event_version', 'event_class_id', 'name', 'severity'];

/**
 * A CEF line's fields, split the fastest way that still gives each one (about JSON.parse's cost
 * per line; faster than a RegExp split): the header on `|`, then each extension value runs to the
 * last space before the next `=`. undefined when there is no seven-field header.
 */
function parseCefFields(line: string): Record<string, string> | undefined {
  let at = line.indexOf('CEF:') + 4;
  if (at < 4) return undefined;
  const fields: Record<string, string> = {};
  for (const name of CEF_HEADER_FIELDS) {
    const bar = line.indexOf('|', at);
    if (bar < 0) return undefined;
    fields[name] = line.slice(at, bar);
    at = bar + 1;
  }
  let keyStart = at;
  let equals = line.indexOf('=', at);
  while (equals >= 0) {
    const next = line.indexOf('=', equals + 1);
    const valueEnd = next < 0 ? line.length : line.lastIndexOf(' ', next);
    if (valueEnd > equals) {
      fields[line.slice(keyStart, equals)] = line.slice(equals + 1, valueEnd);
      keyStart = valueEnd + 1;
    }
    equals = next;
  }
  return fields;
}

function answer(response: http.ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

function handle(decoded: Buffer, response: http.ServerResponse): void {
  const lines = decoded.toString('utf8').split('\n');
  const toWrite: string[] = [];
  for (let line of lines) {
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line === '') continue;
    if (mode === 'json') {
      try {
        JSON.parse(line);
      } catch {
        answer(response, 400, '{"error":"a line is not JSON"}');
        return;
      }
    } else if (!parseCefFields(line)) {
      answer(response, 400, '{"error":"a line is not CEF"}');
      return;
    }
    toWrite.push(line);
  }
  if (toWrite.length === 0) {
    answer(response, 400, '{"error":"empty"}');
    return;
  }
  // One line per event through the one stream; fs.WriteStream batches them with writev.
  for (let i = 0; i < toWrite.length - 1; i++) stream.write(`${toWrite[i]}\n`);
  const accepted = toWrite.length;
  stream.write(`${toWrite[accepted - 1]}\n`, (error) => {
    if (error) return answer(response, 503, '{"error":"write failed"}');
    if (!fsync) return answer(response, 200, `{"accepted":${accepted}}`);
    fs.fdatasync(fd, (syncError) =>
      syncError ? answer(response, 503, '{"error":"fsync failed"}') : answer(response, 200, `{"accepted":${accepted}}`),
    );
  });
}

const server = http.createServer((request, response) => {
  if (request.method !== 'POST') return answer(response, 405, '{}');
  if (request.headers.authorization !== authorization) {
    request.resume();
    return answer(response, 401, '{}');
  }
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks);
    const encoding = request.headers['content-encoding'] ?? '';
    const gzipped = /gzip/i.test(encoding) || (body.length >= 2 && body[0] === 0x1f && body[1] === 0x8b);
    if (!gzipped) return handle(body, response);
    gunzip(body, (error, decoded) => (error ? answer(response, 400, '{"error":"bad gzip"}') : handle(decoded, response)));
  });
});
server.keepAliveTimeout = 30_000;

server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  process.stderr.write(`baseline is receiving at http://127.0.0.1:${actual}/\n`);
});

function stop(): void {
  server.close();
  server.closeAllConnections();
  stream.end(() => process.exit(0));
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
