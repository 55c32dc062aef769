import type { Duplex } from 'node:stream';

/** The status node:http answers each client error with (a request cut off by requestTimeout is 408, …). */
const STATUS_OF_CODE: Readonly<Record<string, readonly [number, string]>> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout'],
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large'],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, 'Payload Too Large'],
};
const BAD_REQUEST: readonly [number, string] = [400, 'Bad Request'];

/**
 * node:http's own answer to a client error (a request past requestTimeout or headersTimeout, a malformed request),
 * given here so that the server knows which status went out: with a 'clientError' listener node sends nothing
 * itself. As node does, the answer goes only while nothing of a response has been written, then the connection
 * is closed.
 *
 * @param error the error node:http reported for the connection
 * @param socket the client's connection
 * @param headersSent whether the connection's response in flight, if any, has sent its status line already
 * @returns the status sent, or undefined when none could be
 */
export function answerClientError(
  error: NodeJS.ErrnoException,
  socket: Duplex,
  headersSent: boolean,
): number | undefined {
  let sent: number | undefined;
  if (socket.writable && !headersSent) {
    const [status, reason] = (error.code === undefined ? undefined : STATUS_OF_CODE[error.code]) ?? BAD_REQUEST;
    socket.write(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\n\r\n`);
    sent = status;
  }
  socket.destroy(error);
  return sent;
}
