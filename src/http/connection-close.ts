import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Which connections close after the answer now due on them. A request pipelined behind such an
 * answer is never answered (the connection is gone by then), so it must not be processed
 * either: its events would be written while its sender, seeing no answer, sends them again.
 */
const closing = new WeakSet<Socket>();
/** The answers each connection still owes, in the order they are due. */
const due = new WeakMap<Socket, Set<ServerResponse>>();

/** Mark a connection as closing after the answer now due on it (shutdown, an early error). */
export function closeAfterCurrentAnswer(socket: Socket): void {
  closing.add(socket);
}

/**
 * First middleware of every app. Drops a request that arrives on a closing connection; marks the
 * connection closing when the request asks for it (`Connection: close`, HTTP/1.0 without
 * keep-alive) or when its answer carries `Connection: close`; and closes it when the answer goes
 * out before the request's body has all arrived (a 401 to a sender still uploading): reading
 * the rest would be in vain, and the request timeout would later answer it a second time.
 */
export function connectionDiscipline(request: IncomingMessage, response: ServerResponse, next: () => void): void {
  const socket = request.socket;
  if (closing.has(socket)) {
    request.resume();
    return; // never answered: the connection closes after the answer before this one
  }
  if (!response.shouldKeepAlive || String(response.getHeader('connection')).toLowerCase() === 'close') closing.add(socket);
  let owed = due.get(socket);
  if (owed === undefined) due.set(socket, (owed = new Set()));
  owed.add(response);
  response.once('close', () => owed.delete(response));
  const raw: ServerResponse = response;
  const writeHead = raw.writeHead;
  raw.writeHead = function (this: ServerResponse, ...args: Parameters<ServerResponse['writeHead']>) {
    if (bodyStillComing(request)) this.setHeader('connection', 'close');
    if (String(this.getHeader('connection')).toLowerCase() === 'close') closing.add(socket);
    return writeHead.apply(this, args);
  } as ServerResponse['writeHead'];
  next();
}

/** The answers still owed on a connection, oldest first. */
export function answersDue(socket: Socket): ServerResponse[] {
  return [...(due.get(socket) ?? [])];
}

/** A request with a body (a Content-Length above 0, or chunked) that has not all arrived. */
function bodyStillComing(request: IncomingMessage): boolean {
  if (request.complete) return false;
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
