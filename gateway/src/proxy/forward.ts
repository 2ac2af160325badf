// Forwards one request to its upstream with streamed bodies in both directions, the request body limit,
// response timeout and the retry rule of retry.ts. Failures before the response started become
// GatewayErrors (502/504/413); after that the client connection is cut, as there is no other honest signal.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { GatewayError, bodyTooLarge, upstreamTimeout, upstreamUnavailable } from '../errors.js';
import { downstreamResponseHeaders, type HeaderRecord } from './headers.js';
import { isRetriable, isTimeout } from './retry.js';
import type { UpstreamService } from './upstream.js';

class BodyLimitExceeded extends Error {}

/** Passes a chunked body through, failing once it exceeds `limit` bytes. */
function limitBody(source: Readable, limit: number): Readable {
  let seen = 0;
  const limiter = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      seen += chunk.length;
      if (seen > limit) callback(new BodyLimitExceeded());
      else callback(null, chunk);
    },
  });
  source.on('error', (error) => limiter.destroy(error));
  return source.pipe(limiter);
}

/**
 * Streams the upstream body to the client. If either side breaks mid-body the status is already out, so
 * the other side is cut: there is no other honest signal. (Plain pipe rather than stream.pipeline, which
 * allocates an AbortController and a DOMException per call: measurable on the hot path.)
 */
function relay(body: Readable, res: ServerResponse): void {
  body.on('error', () => res.destroy());
  res.on('close', () => {
    if (!res.writableFinished) body.destroy();
  });
  body.pipe(res);
}

export interface ForwardRequest {
  req: IncomingMessage;
  res: ServerResponse;
  service: UpstreamService;
  method: string;
  /** Path and query to send upstream. */
  path: string;
  headers: HeaderRecord;
  requestId: string;
  maxBodyBytes: number;
  responseHeaders: Readonly<Record<string, string>> | undefined;
  /** Called once the upstream answered with headers. */
  onUpstreamHeaders: (seconds: number) => void;
}

/** The request body as undici should send it, or a 413. */
function requestBody(req: IncomingMessage, maxBodyBytes: number): Readable | undefined | GatewayError {
  const length = req.headers['content-length'];
  if (length !== undefined) {
    const bytes = Number(length);
    if (bytes > maxBodyBytes) return bodyTooLarge(maxBodyBytes);
    return bytes === 0 ? undefined : req;
  }
  if (req.headers['transfer-encoding'] === undefined) return undefined;
  return limitBody(req, maxBodyBytes);
}

export async function forwardRequest(request: ForwardRequest): Promise<void> {
  const { req, res, service } = request;
  const body = requestBody(req, request.maxBodyBytes);
  if (body instanceof GatewayError) throw body;
  for (let attempt = 0; ; attempt++) {
    const started = performance.now();
    let upstream;
    try {
      upstream = await service.pool.request({
        method: request.method as 'GET',
        path: request.path,
        headers: request.headers,
        body: body ?? null,
        headersTimeout: service.timeoutMs,
        bodyTimeout: service.timeoutMs,
      });
    } catch (error) {
      if (error instanceof BodyLimitExceeded || (error as { cause?: unknown }).cause instanceof BodyLimitExceeded) {
        throw bodyTooLarge(request.maxBodyBytes);
      }
      if (isRetriable(request.method, body !== undefined, error, attempt, service.retries)) continue;
      throw isTimeout(error) ? upstreamTimeout() : upstreamUnavailable();
    }
    request.onUpstreamHeaders((performance.now() - started) / 1000);
    if (res.destroyed) {
      // The client left while the upstream was answering: free the upstream connection now.
      upstream.body.on('error', () => undefined);
      upstream.body.destroy();
      return;
    }
    res.writeHead(
      upstream.statusCode,
      downstreamResponseHeaders(upstream.headers, request.requestId, request.responseHeaders),
    );
    relay(upstream.body, res);
    return;
  }
}
