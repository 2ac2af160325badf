// Forwards one request to its upstream with streamed bodies in both directions, the request body limit,
// response timeout and the retry rule of retry.ts. Each attempt asks the service's pool for a target
// (targetForAttempt; a retry avoids the target that just failed) and reports how it ended (finishAttempt). Failures before the response started become
// GatewayErrors (502/504/413) handed to the caller; after that the client connection is cut, as there is no
// other honest signal.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import type { Dispatcher } from 'undici';
import { performance } from 'node:perf_hooks';
import { GatewayError, bodyTooLarge, upstreamTimeout, upstreamUnavailable } from '../errors.js';
import { downstreamResponseHeaders, type HeaderRecord } from './headers.js';
import { isRetriable } from './retry.js';
import { isTimeoutCause, upstreamCause, type UpstreamCause } from './upstream-cause.js';
import { pathForTarget, type UpstreamService } from './upstream.js';
import type { PickContext } from '../upstream/hash-key.js';
import type { AttemptOutcome, UpstreamTarget } from '../upstream/service-pool.js';

export class BodyLimitExceeded extends Error {}

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
  /** The route's name, handed to onUpstreamHeaders. */
  routeName: string;
  /** Called once the upstream answered with headers. */
  onUpstreamHeaders: (routeName: string, seconds: number) => void;
  /** An upstream failure, before it is answered: for the log line and the metric (service by name only). */
  onUpstreamError: (routeName: string, serviceName: string, cause: UpstreamCause, requestId: string) => void;
  /** Where the failure's cause is noted for the request's log entry (and so its error event). */
  observation: { upstreamCause: string | undefined };
  /** Answers a failure that happened while nothing was sent to the client yet (502/503/504/413). */
  onFailure: (res: ServerResponse, error: GatewayError, requestId: string) => void;
  /** What consistent-hash balancing reads (client IP, consumer, the client's headers); absent: headers only. */
  pickContext?: PickContext;
}

/**
 * Picks the service's target for one attempt (avoiding `exclude`, the one that just failed) and points the
 * request at it: its Host and its base path. A GatewayError (503) when no target may take it.
 */
export function targetForAttempt(request: ForwardRequest, exclude: UpstreamTarget | undefined): UpstreamTarget | GatewayError {
  const { service } = request;
  const context = request.pickContext ?? (request.pickContext = { headers: request.req.headers, clientIp: undefined, consumer: undefined });
  const target = service.pool.pick(context, exclude);
  if (target instanceof GatewayError) return target;
  if (target.hostHeader !== undefined || request.headers.host !== undefined) request.headers.host = target.authority;
  return target;
}

/** The attempt on `target` ended with `outcome` (a status or a failure's cause): for passive health and least-request. */
export function finishAttempt(request: ForwardRequest, target: UpstreamTarget, outcome: AttemptOutcome | undefined): void {
  request.service.pool.finish(target, outcome);
}

/** The request body as undici should send it, or a 413. */
export function requestBody(req: IncomingMessage, maxBodyBytes: number): Readable | undefined | GatewayError {
  const length = req.headers['content-length'];
  if (length !== undefined) {
    const bytes = Number(length);
    if (bytes > maxBodyBytes) return bodyTooLarge(maxBodyBytes);
    return bytes === 0 ? undefined : req;
  }
  // HTTP/2 has no Transfer-Encoding: a body follows unless the HEADERS frame ended the stream.
  if (req.httpVersionMajor === 2) return (req as unknown as { stream: { endAfterHeaders: boolean } }).stream.endAfterHeaders ? undefined : limitBody(req, maxBodyBytes);
  if (req.headers['transfer-encoding'] === undefined) return undefined;
  return limitBody(req, maxBodyBytes);
}

/** What the caller keeps of a forwarded request: the client's connection closing must reach the upstream. */
export interface UpstreamExchange {
  /** The client connection closed: stop reading a response that can no longer be delivered. */
  clientClosed(): void;
}

/**
 * One forwarded request: undici's dispatch handler for each attempt (one object for all of them, methods
 * on the prototype, so a request allocates no closures here). The response goes straight from the
 * upstream socket to the client, with backpressure, and no intermediate Readable per request.
 */
class Exchange implements Dispatcher.DispatchHandler, UpstreamExchange {
  private attemptNumber = 0;
  /** The target of the current attempt, until its outcome is reported. */
  private target: UpstreamTarget | undefined;
  private lastTarget: UpstreamTarget | undefined;
  private status = 0;
  private started = 0;
  private responding = false;
  private controller: Dispatcher.DispatchController | undefined;
  /** Made on the first backpressure only: most responses never need it. */
  private resumeUpstream: (() => void) | undefined;

  constructor(
    private readonly request: ForwardRequest,
    private readonly body: Readable | undefined,
  ) {}

  dispatch(): void {
    const { request } = this;
    const target = targetForAttempt(request, this.lastTarget);
    if (target instanceof GatewayError) {
      request.onFailure(request.res, target, request.requestId);
      return;
    }
    this.target = target;
    this.lastTarget = target;
    this.started = performance.now();
    this.responding = false;
    (target.connection.pool as Dispatcher).dispatch(
      {
        // undici would take the SNI name from the Host header; the target's (tls.serverName) wins.
        servername: target.connection.spec.servername,
        method: request.method as Dispatcher.HttpMethod,
        path: pathForTarget(request.path, request.service.basePath, target.basePath),
        headers: request.headers,
        body: this.body ?? null,
        headersTimeout: request.service.timeoutMs,
        bodyTimeout: request.service.timeoutMs,
      } as Dispatcher.DispatchOptions,
      this,
    );
  }

  /** Reports the current attempt's outcome once. */
  private settle(outcome: AttemptOutcome | undefined): void {
    const { target } = this;
    if (target === undefined) return;
    this.target = undefined;
    finishAttempt(this.request, target, outcome);
  }

  clientClosed(): void {
    const { controller } = this;
    if (this.responding && controller !== undefined && !this.request.res.writableFinished && !controller.aborted) {
      controller.abort(new Error('client closed the connection'));
    }
  }

  // Present so that undici treats this as a handler of its current API (it checks for this method).
  onRequestStart(): void {}

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    if (statusCode < 200) return; // informational; the final status follows
    const { request } = this;
    this.responding = true;
    this.status = statusCode;
    this.controller = controller;
    request.onUpstreamHeaders(request.routeName, (performance.now() - this.started) / 1000);
    if (request.res.destroyed) {
      // The client left while the upstream was answering: free the upstream connection now.
      controller.abort(new Error('client closed the connection'));
      return;
    }
    request.res.writeHead(statusCode, downstreamResponseHeaders(headers, request.requestId, request.responseHeaders));
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    const { res } = this.request;
    if (!res.write(chunk)) {
      controller.pause();
      this.resumeUpstream ??= () => controller.resume();
      res.once('drain', this.resumeUpstream);
    }
  }

  onResponseEnd(): void {
    this.settle(this.status);
    this.request.res.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    const { request } = this;
    this.settle(this.responding ? this.status : error instanceof BodyLimitExceeded || (error as { cause?: unknown }).cause instanceof BodyLimitExceeded ? undefined : upstreamCause(error));
    if (this.responding) {
      // The status is already out: cutting the connection is the only honest signal left.
      request.res.destroy();
      return;
    }
    if (error instanceof BodyLimitExceeded || (error as { cause?: unknown }).cause instanceof BodyLimitExceeded) {
      request.onFailure(request.res, bodyTooLarge(request.maxBodyBytes), request.requestId);
    } else if (isRetriable(request.method, this.body !== undefined, error, this.attemptNumber, request.service.retries)) {
      this.attemptNumber++;
      this.dispatch();
    } else {
      const cause = upstreamCause(error);
      request.observation.upstreamCause = cause;
      request.onUpstreamError(request.routeName, request.service.name, cause, request.requestId);
      request.onFailure(request.res, isTimeoutCause(cause) ? upstreamTimeout(cause) : upstreamUnavailable(cause), request.requestId);
    }
  }
}

/**
 * Sends the request upstream and streams the answer back. A failure while nothing was sent to the client
 * yet goes to `request.onFailure`; after that the client connection is cut.
 */
export function forwardRequest(request: ForwardRequest): UpstreamExchange | undefined {
  const body = requestBody(request.req, request.maxBodyBytes);
  if (body instanceof GatewayError) {
    request.onFailure(request.res, body, request.requestId);
    return undefined;
  }
  const exchange = new Exchange(request, body);
  exchange.dispatch();
  return exchange;
}
