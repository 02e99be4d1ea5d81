import type { IncomingMessage } from 'node:http';
import { payloadTooLarge, badRequest } from '../problem';
import { formatSize } from '../config/size';

/**
 * Read the request body as sent (still compressed), refusing it as soon as it passes
 * `maxBytes`: first by Content-Length, then while the bytes arrive.
 */
export function readBody(
  request: IncomingMessage,
  maxBytes: number,
  /** Called with each chunk's size; returns an error to stop reading (e.g. no memory budget left). */
  admit: (bytes: number) => Error | undefined = () => undefined,
  /** Called once the declared length is within the limit, before reading (to send 100 Continue). */
  beforeReading: () => void = () => undefined,
): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    request.resume();
    return Promise.reject(
      payloadTooLarge(`request body is ${declared} bytes; the limit is ${formatSize(maxBytes)} (--max-body)`),
    );
  }
  beforeReading();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes) {
        cleanup();
        request.resume();
        reject(payloadTooLarge(`request body exceeds the limit of ${formatSize(maxBytes)} (--max-body)`));
        return;
      }
      const refusal = admit(chunk.length);
      if (refusal) {
        cleanup();
        request.resume();
        reject(refusal);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(badRequest(`could not read the request body: ${error.message}`));
    };
    const onAborted = () => onError(new Error('the client closed the connection'));
    const cleanup = () => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('aborted', onAborted);
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
    request.on('aborted', onAborted);
  });
}
