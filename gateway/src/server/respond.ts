// The one place a GatewayError becomes a response: JSON `{"error":{code,reason?,cause?,message,requestId}}`, or a
// trailers-only gRPC answer to a gRPC request; and the gateway's own answer to `OPTIONS *`.
import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { STATUS_CODES } from 'node:http';
import type { GatewayError } from '../errors.js';
import type { DirectAnswer } from '../pipeline/policy.js';
import { encodeGrpcMessage, grpcStatusFor, isGrpcContentType } from '../proxy/grpc-status.js';
import { markDecidedStatus, respondTrailersOnly } from '../proxy/h2-response.js';
import { hasBody } from './request-body.js';

/** An HTTP/1 request whose body has not all been read: its connection cannot serve another request. */
const bodyLeftUnread = (res: ServerResponse): boolean => !res.req.complete && res.req.httpVersionMajor < 2 && hasBody(res.req);

function errorBody(error: GatewayError, requestId: string): string {
  const reason = error.authReason === undefined ? {} : { reason: error.authReason };
  const cause = error.upstreamCause === undefined ? {} : { cause: error.upstreamCause };
  return JSON.stringify({ error: { code: error.code, ...reason, ...cause, message: error.message, requestId } });
}

export function sendError(res: ServerResponse, error: GatewayError, requestId: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (res.req.httpVersionMajor === 2 && isGrpcContentType(res.req.headers['content-type'])) return sendGrpcError(res, error, requestId);
  const body = errorBody(error, requestId);
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-request-id': requestId,
    ...error.headers,
  };
  // A request whose body was not read leaves the connection unusable for another request: close it.
  // (HTTP/2 has no Connection header: its stream is reset instead, the connection stays.) A request without a
  // body is not complete yet while its handler runs synchronously (node marks it so just after), and nothing of
  // it is left to read: its connection stays, so a refusal answered at once costs the client no new connection.
  if (bodyLeftUnread(res)) headers.connection = 'close';
  res.writeHead(error.status, headers);
  res.end(body);
}

/**
 * A refusal of a gRPC request as gRPC clients read it: HTTP 200, trailers-only (one HEADERS frame ending the
 * stream) with grpc-status mapped from the HTTP status (proxy/grpc-status.ts) and the message; the error code
 * and cause stay readable in grpc-message. Logs and metrics keep the HTTP status the gateway decided.
 */
function sendGrpcError(res: ServerResponse, error: GatewayError, requestId: string): void {
  markDecidedStatus(res, error.status);
  const cause = error.upstreamCause === undefined ? '' : ` [cause: ${error.upstreamCause}]`;
  respondTrailersOnly(res, {
    ':status': 200,
    'content-type': 'application/grpc',
    'grpc-status': String(grpcStatusFor(error.status)),
    'grpc-message': encodeGrpcMessage(`${error.code}: ${error.message}${cause}`),
    'x-request-id': requestId,
    ...error.headers,
  });
}

/**
 * The same answer on a raw socket, for a refused WebSocket upgrade. `keepOpen`: the connection stays up for the
 * caller to go on parsing it; otherwise it is closed.
 */
export function sendErrorOnSocket(socket: Duplex, error: GatewayError, requestId: string, keepOpen = false): void {
  const body = errorBody(error, requestId);
  const lines = [
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Error'}`,
    'content-type: application/json',
    `content-length: ${Buffer.byteLength(body)}`,
    `x-request-id: ${requestId}`,
    ...(keepOpen ? [] : ['connection: close']),
    ...Object.entries(error.headers ?? {}).map(([name, value]) => `${name}: ${value}`),
  ];
  const response = `${lines.join('\r\n')}\r\n\r\n${body}`;
  if (keepOpen) socket.write(response);
  else socket.end(response);
}

/** `OPTIONS *` asks about the server, not a resource: the gateway answers it itself, no upstream involved. */
export function sendServerOptions(res: ServerResponse, requestId: string): void {
  res.writeHead(200, { allow: 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS', 'content-length': 0, 'x-request-id': requestId });
  res.end();
}

/** A policy's non-error answer (CORS preflight 204, redirect 3xx): its headers (and RateLimit-* when counted) and an empty body. */
export function sendDirectAnswer(res: ServerResponse, answer: DirectAnswer, requestId: string, extra?: Readonly<Record<string, string>>): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string | number> = { ...extra, ...answer.headers, 'content-length': 0, 'x-request-id': requestId };
  if (bodyLeftUnread(res)) headers.connection = 'close';
  res.writeHead(answer.status, headers);
  res.end();
}

/** The same answer on a raw socket (a WebSocket handshake a policy answered); the connection stays open. */
export function sendDirectAnswerOnSocket(socket: Duplex, answer: DirectAnswer, requestId: string): void {
  const lines = [
    `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? 'Status'}`,
    ...Object.entries(answer.headers).map(([name, value]) => `${name}: ${value}`),
    'content-length: 0',
    `x-request-id: ${requestId}`,
  ];
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
}
