// Whether a request carries a body (RFC 9112 §6.3: on HTTP/1.1, Transfer-Encoding or a non-zero Content-Length;
// on HTTP/2, a HEADERS frame that did not end the stream). Pure: reads the request's headers only.
import type { IncomingMessage } from 'node:http';

export function hasBody(req: IncomingMessage): boolean {
  // HTTP/2 has no Transfer-Encoding: a body follows unless the HEADERS frame ended the stream.
  if (req.httpVersionMajor === 2) return !(req as unknown as { stream: { endAfterHeaders: boolean } }).stream.endAfterHeaders;
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
