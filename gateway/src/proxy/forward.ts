// Forwards one request to its upstream with streamed bodies in both directions, the request body limit,
// response timeout and the retry rule of retry.ts. Failures before the response started become
// GatewayErrors (502/504/413); after that the client connection is cut, as there is no other honest signal.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import type { Dispatcher } from 'undici';
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

/**
 * Sends the request upstream and streams the answer back, resolving once the response is over (or cut).
 * Rejects with a GatewayError only while nothing was sent to the client yet. Uses undici's dispatch API
 * rather than `request`: the response goes straight from the upstream socket to the client, with
 * backpressure, and no intermediate Readable per request.
 */
export function forwardRequest(request: ForwardRequest): Promise<void> {
  const { req, res, service } = request;
  const body = requestBody(req, request.maxBodyBytes);
  if (body instanceof GatewayError) return Promise.reject(body);
  return new Promise<void>((resolve, reject) => {
    const attempt = (attemptNumber: number) => {
      const started = performance.now();
      let responding = false;
      const handler: Dispatcher.DispatchHandler = {
        // Present so that undici treats this as a handler of its current API (it checks for this method).
        onRequestStart() {},
        onResponseStart(controller, statusCode, headers) {
          if (statusCode < 200) return; // informational; the final status follows
          responding = true;
          request.onUpstreamHeaders((performance.now() - started) / 1000);
          if (res.destroyed) {
            // The client left while the upstream was answering: free the upstream connection now.
            controller.abort(new Error('client closed the connection'));
            return;
          }
          res.writeHead(statusCode, downstreamResponseHeaders(headers, request.requestId, request.responseHeaders));
          res.on('drain', () => controller.resume());
          res.on('close', () => {
            if (!res.writableFinished && !controller.aborted) controller.abort(new Error('client closed the connection'));
          });
        },
        onResponseData(controller, chunk) {
          if (!res.write(chunk)) controller.pause();
        },
        onResponseEnd() {
          res.end();
          resolve();
        },
        onResponseError(_controller, error) {
          if (responding) {
            // The status is already out: cutting the connection is the only honest signal left.
            res.destroy();
            resolve();
            return;
          }
          if (error instanceof BodyLimitExceeded || (error as { cause?: unknown }).cause instanceof BodyLimitExceeded) {
            reject(bodyTooLarge(request.maxBodyBytes));
          } else if (isRetriable(request.method, body !== undefined, error, attemptNumber, service.retries)) {
            attempt(attemptNumber + 1);
          } else {
            reject(isTimeout(error) ? upstreamTimeout() : upstreamUnavailable());
          }
        },
      };
      service.pool.dispatch(
        {
          method: request.method as Dispatcher.HttpMethod,
          path: request.path,
          headers: request.headers,
          body: body ?? null,
          headersTimeout: service.timeoutMs,
          bodyTimeout: service.timeoutMs,
        },
        handler,
      );
    };
    attempt(0);
  });
}
