import type http from 'node:http';

/**
 * `Expect: 100-continue` answered by the route, not by Node: Node would send 100 Continue as soon
 * as the headers are in, inviting a client that is not authorized, or whose body is over the
 * limit, to upload it anyway. Node asks only for the requests that may expect it (HTTP/1.1, an
 * Expect naming 100-continue); they are remembered here.
 */
const awaiting = new WeakSet<http.ServerResponse>();

export function deferContinue(server: http.Server): void {
  server.on('checkContinue', (request: http.IncomingMessage, response: http.ServerResponse) => {
    awaiting.add(response);
    server.emit('request', request, response);
  });
}

/** Send 100 Continue now, if the client waits for it (once the request has passed every check that needs no body). */
export function continueIfAwaited(response: http.ServerResponse): void {
  if (!awaiting.delete(response)) return;
  response.writeContinue();
}
