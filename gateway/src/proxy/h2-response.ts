// Two details of answering over HTTP/2 that the proxy and server/respond.ts share: a trailers-only answer (one
// HEADERS frame ending the stream), and the status a gRPC answer (always HTTP 200) is logged and counted with.
import type { ServerResponse } from 'node:http';
import type { Http2ServerResponse, OutgoingHttpHeaders } from 'node:http2';

const DECIDED_STATUS = Symbol('decidedStatus');

/** A gRPC answer goes out as HTTP 200; its log line and metrics say the status the gateway decided (401, 504…). */
export function markDecidedStatus(res: ServerResponse, status: number): void {
  (res as ServerResponse & { [DECIDED_STATUS]?: number })[DECIDED_STATUS] = status;
}

/** The status a finished response is logged and counted with. */
export function decidedStatus(res: ServerResponse): number {
  return (res as ServerResponse & { [DECIDED_STATUS]?: number })[DECIDED_STATUS] ?? res.statusCode;
}

/**
 * Headers that end the stream in one HEADERS frame (END_STREAM set), as gRPC clients require of a trailers-only
 * answer: node's compat writeHead + end() would send an empty DATA frame after them. HTTP/2 responses only.
 */
export function respondTrailersOnly(res: ServerResponse, headers: OutgoingHttpHeaders): void {
  const { stream } = res as unknown as Http2ServerResponse;
  // The client may have reset the stream just now (its deadline and the gateway's expire together).
  if (stream.destroyed || stream.closed || stream.headersSent) return;
  stream.respond(headers, { endStream: true });
}
