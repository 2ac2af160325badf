// Forwards one request to its upstream with streamed bodies in both directions, the request body limit, the
// route's timeouts (route-timeouts.ts) and retries (retry-policy.ts, within the service's retry-budget.ts).
// Each attempt asks the service's pool for a target (targetForAttempt; a retry avoids the target that just
// failed) and reports how it ended (finishAttempt). Failures before the response started become GatewayErrors
// (502/503/504/413) handed to the caller; after that the client connection is cut, as there is no other honest
// signal.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import type { Dispatcher } from 'undici';
import { performance } from 'node:perf_hooks';
import { GatewayError, bodyTooLarge, upstreamTimeout, upstreamUnavailable } from '../errors.js';
import { downstreamResponseHeaders, type HeaderRecord } from './headers.js';
import type { ResponseExtras } from './header-edits.js';
import type { ReplayMemory } from './replay-body.js';
import { tapBody, type BodyTap } from './body-tap.js';
import type { RetryBudget } from './retry-budget.js';
import { exchangeDeadlineMs, type RouteTimeouts } from './route-timeouts.js';
import { Retrier, type RetryOutcome } from './retrier.js';
import { failureOutcome, statusOutcome, type RetryPolicy } from './retry-policy.js';
import { isTimeoutCause, upstreamCause, type UpstreamCause } from './upstream-cause.js';
import { pathForTarget, type UpstreamService } from './upstream.js';
import type { PickContext } from '../upstream/hash-key.js';
import type { AttemptOutcome as TargetOutcome, UpstreamTarget } from '../upstream/service-pool.js';

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
  responseHeaders: ResponseExtras | undefined;
  /** The Host sent upstream when a policy chose it (preserveHost, rewrite.hostname); absent: the target's authority. */
  upstreamHost?: string | undefined;
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
  /** The route's retry policy (or the service's legacy retries). */
  retry: RetryPolicy;
  timeouts: RouteTimeouts;
  /** The service's retry budget. */
  retryBudget: RetryBudget;
  /** A retry made or refused by the budget: for the metric (service by name only). */
  onRetry: (serviceName: string, outcome: RetryOutcome) => void;
  /** The process's bound on request bodies kept for retries. */
  replayMemory: ReplayMemory;
  /** What consistent-hash balancing reads (client IP, consumer, the client's headers); absent: headers only. */
  pickContext?: PickContext;
  /** Shown the request body as it is read (mirrored routes); absent: the body goes straight upstream. */
  bodyTap?: BodyTap | undefined;
}

/**
 * Picks the service's target for one attempt (avoiding `exclude`, the one that just failed) and points the
 * request at it: its Host and its base path. A GatewayError (503) when no target may take it.
 */
function targetForAttempt(request: ForwardRequest, exclude: UpstreamTarget | undefined): UpstreamTarget | GatewayError {
  const { service } = request;
  const context = request.pickContext ?? (request.pickContext = { headers: request.req.headers, clientIp: undefined, consumer: undefined });
  const target = service.pool.pick(context, exclude);
  if (target instanceof GatewayError) return target;
  if (request.upstreamHost !== undefined) request.headers.host = request.upstreamHost;
  else if (target.hostHeader !== undefined || request.headers.host !== undefined) request.headers.host = target.authority;
  return target;
}

/** The attempt on `target` ended with `outcome` (a status or a failure's cause): for passive health and least-request. */
function finishAttempt(request: ForwardRequest, target: UpstreamTarget, outcome: TargetOutcome | undefined): void {
  request.service.pool.finish(target, outcome);
}

/**
 * The targets of one exchange's attempts (HTTP/1.1 and HTTP/2 alike): each picked avoiding the one before (a
 * retry goes elsewhere when it can), and each attempt's outcome reported to the pool exactly once.
 */
export class AttemptTargets {
  private current: UpstreamTarget | undefined;
  private last: UpstreamTarget | undefined;

  constructor(private readonly request: ForwardRequest) {}

  /** The next attempt's target, or the 503 to answer when no target may take it. */
  next(): UpstreamTarget | GatewayError {
    const target = targetForAttempt(this.request, this.last);
    if (!(target instanceof GatewayError)) this.current = this.last = target;
    return target;
  }

  /** Reports the current attempt's outcome (passive health, least-request counts); later calls do nothing. */
  settle(outcome: TargetOutcome | undefined): void {
    const target = this.current;
    if (target === undefined) return;
    this.current = undefined;
    finishAttempt(this.request, target, outcome);
  }
}


/**
 * The body and target of the next attempt (HTTP/1.1 and HTTP/2 alike), or the answer that ends the exchange: a
 * body that can no longer be sent again (the client's body failed meanwhile) gets what the last attempt ended
 * with (`givenUp`, else 502); no target that may take the request, the pool's 503.
 */
export function nextAttempt(
  retrier: Retrier,
  targets: AttemptTargets,
  givenUp: GatewayError | undefined,
): { body: Readable | undefined; target: UpstreamTarget } | GatewayError {
  const body = retrier.attemptBody();
  if (body === 'spent') return givenUp ?? upstreamUnavailable();
  const target = targets.next();
  return target instanceof GatewayError ? target : { body, target };
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

/** A discarded 502/503/504 answer is read to its end (keeping the connection) up to this size, else aborted. */
const DISCARD_DRAIN_BYTES = 64 * 1024;

/** Thrown into an attempt the exchange no longer wants (retried, expired, or the client left). */
const abandoned = () => new Error('upstream attempt abandoned');

/**
 * One forwarded request: undici's dispatch handler for each attempt (one object for all of them, methods
 * on the prototype, so a request allocates no closures here). The response goes straight from the
 * upstream socket to the client, with backpressure, and no intermediate Readable per request. Attempts run
 * one after another, so the callbacks always belong to the current attempt.
 */
class Exchange implements Dispatcher.DispatchHandler, UpstreamExchange {
  private readonly targets: AttemptTargets;
  private status = 0;
  private started = 0;
  private responding = false;
  /** The current attempt answered 502/503/504 and will be retried: its body is drained, not relayed. */
  private discarding = false;
  private discardedBytes = 0;
  /** The exchange is decided (relayed, failed, expired, client gone): a late attempt is only aborted. */
  private finished = false;
  private controller: Dispatcher.DispatchController | undefined;
  /** Made on the first backpressure only: most responses never need it. */
  private resumeUpstream: (() => void) | undefined;
  private readonly retrier: Retrier;
  /** What the client is answered if the retry decided cannot be made: the given-up attempt's outcome. */
  private givenUp: GatewayError | undefined;

  constructor(
    private readonly request: ForwardRequest,
    body: Readable | undefined,
  ) {
    this.retrier = new Retrier(request, body);
    this.targets = new AttemptTargets(request);
    const deadline = exchangeDeadlineMs(request.timeouts);
    if (deadline !== undefined) this.retrier.startDeadline(deadline, () => this.expired());
  }

  /** Starts one attempt; nothing it throws escapes (it may run from a backoff timer). */
  dispatch(): void {
    if (this.finished) return;
    try {
      this.startAttempt();
    } catch (error) {
      this.failUnexpectedly(error);
    }
  }

  private startAttempt(): void {
    const { request } = this;
    const next = nextAttempt(this.retrier, this.targets, this.givenUp);
    if (next instanceof GatewayError) {
      this.finish();
      request.onFailure(request.res, next, request.requestId);
      return;
    }
    const { body, target } = next;
    this.started = performance.now();
    this.responding = false;
    this.discarding = false;
    this.controller = undefined;
    (target.connection.pool as Dispatcher).dispatch(
      {
        // undici would take the SNI name from the Host header; the target's (tls.serverName) wins.
        servername: target.connection.spec.servername,
        method: request.method as Dispatcher.HttpMethod,
        path: pathForTarget(request.path, request.service.basePath, target.basePath),
        headers: request.headers,
        body: body ?? null,
        headersTimeout: request.timeouts.backendRequestMs,
        bodyTimeout: request.timeouts.backendRequestMs,
      } as Dispatcher.DispatchOptions,
      this,
    );
  }

  clientClosed(): void {
    if (this.finished) return;
    this.finish();
    this.targets.settle(undefined);
    const { controller } = this;
    if (controller !== undefined && !controller.aborted) controller.abort(new Error('client closed the connection'));
  }

  private finish(): void {
    this.finished = true;
    this.retrier.stop();
  }

  /** requestMs ran out: 504 while nothing was sent, else the connection is cut. */
  private expired(): void {
    if (this.finished) return;
    this.finish();
    this.targets.settle(undefined);
    const { request, controller } = this;
    if (controller !== undefined && !controller.aborted) controller.abort(abandoned());
    if (request.res.headersSent) {
      request.res.destroy();
      return;
    }
    request.observation.upstreamCause = 'timeout';
    request.onUpstreamError(request.routeName, request.service.name, 'timeout', request.requestId);
    request.onFailure(request.res, upstreamTimeout('timeout'), request.requestId);
  }

  /** A bug, not an upstream failure: the attempt is given up and the client answered 502 (or cut) rather than the process crashing. */
  private failUnexpectedly(error: unknown): void {
    this.finish();
    this.targets.settle(undefined);
    const { request, controller } = this;
    if (controller !== undefined && !controller.aborted) controller.abort(abandoned());
    if (request.res.headersSent) return void request.res.destroy();
    request.onFailure(request.res, upstreamUnavailable(upstreamCause(error)), request.requestId);
  }

  private retry(): void {
    this.controller = undefined;
    this.retrier.retryAfterBackoff(() => this.dispatch());
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.finished) controller.abort(abandoned());
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    if (statusCode < 200) return; // informational; the final status follows
    const { request } = this;
    this.controller = controller;
    if (this.finished) return controller.abort(abandoned());
    this.status = statusCode;
    const outcome = statusOutcome(statusCode);
    if (outcome !== undefined && this.retrier.shouldRetry(outcome)) {
      this.givenUp = statusCode === 504 ? upstreamTimeout() : upstreamUnavailable();
      this.targets.settle(statusCode);
      this.discarding = true;
      this.discardedBytes = 0;
      return;
    }
    this.responding = true;
    this.retrier.responseStarted();
    request.onUpstreamHeaders(request.routeName, (performance.now() - this.started) / 1000);
    if (request.res.destroyed || request.res.headersSent) {
      // The client left (or was answered, as a stalled body is) while the upstream was answering: free the
      // upstream connection now.
      this.finish();
      controller.abort(new Error('client closed the connection'));
      return;
    }
    request.res.writeHead(statusCode, downstreamResponseHeaders(headers, request.requestId, request.responseHeaders));
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.discarding) {
      this.discardedBytes += chunk.length;
      if (this.discardedBytes > DISCARD_DRAIN_BYTES) controller.abort(abandoned());
      return;
    }
    const { res } = this.request;
    if (!res.write(chunk)) {
      controller.pause();
      this.resumeUpstream ??= () => controller.resume();
      res.once('drain', this.resumeUpstream);
    }
  }

  onResponseEnd(): void {
    this.targets.settle(this.status);
    if (this.finished) return;
    if (this.discarding) return this.retry();
    this.finish();
    this.request.res.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    const bodyLimit = error instanceof BodyLimitExceeded || (error as { cause?: unknown }).cause instanceof BodyLimitExceeded;
    this.targets.settle(this.responding ? this.status : bodyLimit ? undefined : upstreamCause(error));
    if (this.finished) return;
    const { request } = this;
    if (this.discarding) return this.retry();
    if (this.responding) {
      // The status is already out: cutting the connection is the only honest signal left.
      this.finish();
      request.res.destroy();
      return;
    }
    if (bodyLimit) {
      this.finish();
      request.onFailure(request.res, bodyTooLarge(request.maxBodyBytes), request.requestId);
    } else if (this.retrier.shouldRetry(failureOutcome(error), error)) {
      const cause = upstreamCause(error);
      this.givenUp = isTimeoutCause(cause) ? upstreamTimeout(cause) : upstreamUnavailable(cause);
      this.retry();
    } else {
      this.finish();
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
  const exchange = new Exchange(request, tapBody(body, request.bodyTap));
  exchange.dispatch();
  return exchange;
}
