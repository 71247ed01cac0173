import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { appError, toProblem } from './errors.ts';

/**
 * The HTTP server's `clientError` listener: a request Node's parser cannot read (garbage bytes,
 * broken chunking, conflicting Content-Length, oversized headers) is answered with the same
 * problem+json as every other refusal, instead of Node's bare status line. A connection the
 * client already reset is just closed.
 */
export function clientErrorListener(logger: Logger) {
  return (err: Error & { code?: string }, socket: Duplex): void => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const problem = toProblem(err.code === 'HPE_HEADER_OVERFLOW' ? appError('request.headers_too_large') : appError('request.unparsable', 'the request is not valid HTTP/1.1'));
    logger.debug({ code: err.code }, 'unparsable request');
    const body = JSON.stringify(problem.body);
    socket.end(`HTTP/1.1 ${problem.status} ${problem.body.title}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  };
}
