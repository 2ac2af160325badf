// Forwards one request to a service with `http2: true` on a target's HTTP/2 session (h2-origin.ts): bodies
// stream both ways with backpressure (gRPC bidirectional streaming), response trailers are relayed, and for
// gRPC `te: trailers` goes upstream and the call is bounded by min(grpc-timeout, the route's requestMs or else
// the service's timeoutMs), answered with grpc-status 4 when it expires. Each try is bounded by the route's
// backendRequestMs until its response starts (then, but for gRPC, each silence of the body), and retried by
// the route's policy as over HTTP/1.1 (retrier.ts), only before its response started. Failures before the
// response started go to onFailure as for HTTP/1.1 (forward.ts); after that a gRPC call ends with a
// grpc-status trailer, anything else is reset.
import { constants, type ClientHttp2Stream, type IncomingHttpHeaders, type IncomingHttpStatusHeader, type OutgoingHttpHeaders } from 'node:http2';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { GatewayError, badGrpcTimeout, upstreamTimeout, upstreamUnavailable, bodyTooLarge } from '../errors.js';
import { GRPC_STATUS, encodeGrpcMessage, isGrpcContentType, parseGrpcTimeout } from './grpc-status.js';
import { markDecidedStatus, respondTrailersOnly } from './h2-response.js';
import { tapBody } from './body-tap.js';
import { AttemptTargets, BodyLimitExceeded, nextAttempt, requestBody, type ForwardRequest, type UpstreamExchange } from './forward.js';
import { Retrier } from './retrier.js';
import { failureOutcome, statusOutcome, type AttemptOutcome } from './retry-policy.js';
import { exchangeDeadlineMs, grpcCallDeadlineMs } from './route-timeouts.js';
import { downstreamResponseHeaders } from './headers.js';
import { isTimeoutCause, upstreamCause } from './upstream-cause.js';
import type { H2Origin } from './h2-origin.js';
import { pathForTarget } from './upstream.js';
import type { AttemptOutcome as TargetOutcome } from '../upstream/service-pool.js';

/** Response headers or trailers without HTTP/2 pseudo-headers (`:status`), as relayed downstream. */
function withoutPseudoHeaders(trailers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name in trailers) {
    const value = trailers[name];
    if (value === undefined || name.charCodeAt(0) === 58) continue;
    out[name] = value;
  }
  return out;
}

/** A stream the upstream reset before answering; `refused`: with REFUSED_STREAM, so it was not processed at all (RFC 9113 §8.7). */
const streamReset = (rstCode: number) =>
  Object.assign(new Error('upstream reset the stream'), { code: 'ECONNRESET', refused: rstCode === constants.NGHTTP2_REFUSED_STREAM });

class H2Exchange implements UpstreamExchange {
  /** The current attempt's stream; events of an earlier (abandoned) one are ignored. */
  private stream: ClientHttp2Stream | undefined;
  private responding = false;
  private done = false;
  /** The current try's bound until its response starts (backendRequestMs). */
  private tryTimer: NodeJS.Timeout | undefined;
  private readonly begun = performance.now();
  private readonly retrier: Retrier;
  private readonly targets: AttemptTargets;
  /** The current attempt's status, or its failure's cause, reported for its target when it ends. */
  private outcome: TargetOutcome | undefined;
  /** What the client is answered if the retry decided cannot be made: the given-up attempt's outcome. */
  private givenUp: GatewayError | undefined;

  constructor(
    private readonly request: ForwardRequest,
    body: Readable | undefined,
    private readonly grpc: boolean,
    /** The whole exchange's deadline (for gRPC the call's), undefined for none. */
    private readonly deadlineMs: number | undefined,
  ) {
    this.retrier = new Retrier(request, body);
    this.targets = new AttemptTargets(request);
    if (deadlineMs !== undefined) this.retrier.startDeadline(deadlineMs, () => this.expired());
  }

  /** Starts one attempt; nothing it throws escapes (it may run from a backoff timer). */
  start(): void {
    if (this.done) return;
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
    this.outcome = undefined;
    const url = request.service.url;
    const headers: OutgoingHttpHeaders = {
      ...request.headers,
      ':method': request.method,
      ':path': pathForTarget(request.path, request.service.basePath, target.basePath),
      ':scheme': url.protocol === 'https:' ? 'https' : 'http',
      ':authority': request.upstreamHost ?? target.authority,
    };
    if (headers.host !== undefined) delete headers.host; // :authority says it
    const tryMs = request.timeouts.backendRequestMs;
    if (this.grpc) {
      headers.te = 'trailers';
      const upstreamDeadline = this.upstreamDeadlineMs();
      if (upstreamDeadline !== undefined) headers['grpc-timeout'] = `${upstreamDeadline}m`;
    }
    const started = performance.now();
    let stream: ClientHttp2Stream;
    try {
      stream = (target.connection.h2 as H2Origin).request(headers, body === undefined);
    } catch (error) {
      this.failBeforeResponse(error);
      return;
    }
    this.stream = stream;
    this.responding = false;
    if (tryMs > 0) this.tryTimer = setTimeout(() => this.tryExpired(stream), tryMs);
    stream.on('response', (responseHeaders: IncomingHttpHeaders & IncomingHttpStatusHeader, flags: number) => {
      if (stream !== this.stream || this.done) return;
      clearTimeout(this.tryTimer);
      const status = Number(responseHeaders[':status']);
      this.outcome = status;
      const outcome = statusOutcome(status);
      if (outcome !== undefined && this.retrier.shouldRetry(outcome)) {
        this.givenUp = status === 504 ? upstreamTimeout() : upstreamUnavailable();
        return this.retry(stream);
      }
      this.responding = true;
      this.retrier.responseStarted();
      request.onUpstreamHeaders(request.routeName, (performance.now() - started) / 1000);
      // As undici's bodyTimeout: past the headers, backendRequestMs bounds each silence of the response body.
      if (!this.grpc && tryMs > 0) stream.setTimeout(tryMs, () => this.expired());
      // The client left, or was answered meanwhile (a stalled body's 408): nothing more goes to it.
      if (request.res.destroyed || request.res.headersSent) return this.cancel();
      const out = downstreamResponseHeaders(withoutPseudoHeaders(responseHeaders), request.requestId, request.responseHeaders);
      // A trailers-only answer (a gRPC error status) must reach an HTTP/2 client as one HEADERS frame too.
      if ((flags & constants.NGHTTP2_FLAG_END_STREAM) !== 0 && request.req.httpVersionMajor === 2) {
        this.finish();
        respondTrailersOnly(request.res, { ...out, ':status': status });
        return;
      }
      request.res.writeHead(status, out);
    });
    stream.on('data', (chunk: Buffer) => {
      if (stream !== this.stream || !this.responding) return;
      if (!request.res.write(chunk)) {
        stream.pause();
        request.res.once('drain', () => stream.resume());
      }
    });
    stream.on('trailers', (trailers: IncomingHttpHeaders) => {
      if (stream === this.stream && this.responding) request.res.addTrailers(withoutPseudoHeaders(trailers));
    });
    stream.on('end', () => {
      if (stream !== this.stream || !this.responding || this.done) return; // 'close' reports a failure; a trailers-only answer is out
      this.finish();
      request.res.end();
    });
    stream.on('error', (error: Error & { code?: string }) => {
      if (stream !== this.stream) return;
      this.failed(error.code === 'ERR_HTTP2_STREAM_ERROR' ? streamReset(stream.rstCode) : error);
    });
    stream.on('close', () => {
      if (stream !== this.stream || this.done) return;
      if (!this.responding) return this.failed(streamReset(stream.rstCode));
      if (!request.res.writableEnded) {
        this.finish();
        request.res.destroy();
      }
    });
    if (body !== undefined) {
      body.on('error', (error) => {
        if (stream !== this.stream) return;
        if (error instanceof BodyLimitExceeded && !this.responding) {
          this.finish();
          stream.close(constants.NGHTTP2_CANCEL);
          request.onFailure(request.res, bodyTooLarge(request.maxBodyBytes), request.requestId);
        } else this.cancel();
      });
      body.pipe(stream);
    }
  }

  /**
   * The grpc-timeout sent upstream: what is left of the call's deadline only. The try's backendRequestMs bounds
   * the wait for the response headers, which the gateway enforces itself; sending it would end a long
   * server-streaming call upstream at that bound.
   */
  private upstreamDeadlineMs(): number | undefined {
    return this.deadlineMs === undefined ? undefined : Math.max(1, Math.ceil(this.deadlineMs - (performance.now() - this.begun)));
  }

  /** Drops the current attempt's stream and starts the retry shouldRetry decided, after its backoff. */
  private retry(stream: ClientHttp2Stream): void {
    this.targets.settle(this.outcome);
    clearTimeout(this.tryTimer);
    this.stream = undefined;
    if (!stream.closed && !stream.destroyed) stream.close(constants.NGHTTP2_CANCEL);
    this.retrier.retryAfterBackoff(() => this.start());
  }

  /** A bug, not an upstream failure: the attempt is cancelled and the client answered 502 (or reset) rather than the process crashing. */
  private failUnexpectedly(error: unknown): void {
    this.cancel();
    const { res, requestId } = this.request;
    if (res.headersSent) return void res.destroy();
    this.request.onFailure(res, upstreamUnavailable(upstreamCause(error)), requestId);
  }

  private finish(): void {
    this.targets.settle(this.outcome);
    this.done = true;
    clearTimeout(this.tryTimer);
    this.retrier.stop();
  }

  private cancel(): void {
    if (this.done) return;
    this.finish();
    this.stream?.close(constants.NGHTTP2_CANCEL);
  }

  clientClosed(): void {
    if (!this.request.res.writableFinished) this.cancel();
  }

  /** The try's backendRequestMs ran out before its response started: retried, or the client told. */
  private tryExpired(stream: ClientHttp2Stream): void {
    if (stream !== this.stream || this.done || this.responding) return;
    this.outcome = 'timeout';
    if (this.retrier.shouldRetry('timeout')) {
      this.givenUp = upstreamTimeout('timeout');
      return this.retry(stream);
    }
    this.expired();
  }

  /** The budget ran out: the upstream call is cancelled and the client told. */
  private expired(): void {
    if (this.done) return;
    const { res, requestId } = this.request;
    this.cancel();
    this.request.observation.upstreamCause = 'timeout';
    this.request.onUpstreamError(this.request.routeName, this.request.service.name, 'timeout', requestId);
    if (!res.headersSent) return this.request.onFailure(res, upstreamTimeout('timeout'), requestId);
    if (!this.grpc) return void res.destroy();
    markDecidedStatus(res, 504);
    res.addTrailers({ 'grpc-status': String(GRPC_STATUS.DEADLINE_EXCEEDED), 'grpc-message': encodeGrpcMessage('upstream_timeout: deadline exceeded') });
    res.end();
  }

  private failed(error: unknown): void {
    if (this.done) return;
    if (this.responding) {
      this.finish();
      this.request.res.destroy();
      return;
    }
    this.failBeforeResponse(error);
  }

  private failBeforeResponse(error: unknown): void {
    const { request } = this;
    // A stream queued on a session that failed to connect is cancelled 'caused by' the session's error.
    const cancelledBy = (error as { code?: unknown; cause?: unknown } | undefined)?.code === 'ERR_HTTP2_STREAM_CANCEL' ? (error as { cause?: unknown }).cause : undefined;
    const failure = cancelledBy ?? error;
    this.outcome = upstreamCause(failure);
    const cause = upstreamCause(failure);
    if (this.stream !== undefined && this.retrier.shouldRetry(h2FailureOutcome(failure), failure)) {
      this.givenUp = isTimeoutCause(cause) ? upstreamTimeout(cause) : upstreamUnavailable(cause);
      return this.retry(this.stream);
    }
    this.finish();
    request.observation.upstreamCause = cause;
    request.onUpstreamError(request.routeName, request.service.name, cause, request.requestId);
    request.onFailure(request.res, isTimeoutCause(cause) ? upstreamTimeout(cause) : upstreamUnavailable(cause), request.requestId);
  }
}

/** As failureOutcome, and a stream the upstream refused unprocessed is as safe to retry as a connect failure. */
function h2FailureOutcome(error: unknown): AttemptOutcome {
  return (error as { refused?: unknown } | undefined)?.refused === true ? 'connect-failure' : failureOutcome(error);
}

/** Sends the request on a target's HTTP/2 session and streams the answer back (see the file header). */
export function forwardH2(request: ForwardRequest): UpstreamExchange | undefined {
  const grpc = isGrpcContentType(request.req.headers['content-type'] as string | undefined);
  let deadlineMs = exchangeDeadlineMs(request.timeouts);
  if (grpc) {
    const timeout = request.req.headers['grpc-timeout'];
    let grpcTimeoutMs: number | undefined;
    if (typeof timeout === 'string') {
      const ms = parseGrpcTimeout(timeout);
      if (ms === 'malformed') {
        request.onFailure(request.res, badGrpcTimeout(), request.requestId);
        return undefined;
      }
      grpcTimeoutMs = ms;
    }
    deadlineMs = grpcCallDeadlineMs(grpcTimeoutMs, request.timeouts, request.service.timeoutMs);
  }
  const body = requestBody(request.req, request.maxBodyBytes);
  if (body instanceof GatewayError) {
    request.onFailure(request.res, body, request.requestId);
    return undefined;
  }
  const exchange = new H2Exchange(request, tapBody(body, request.bodyTap), grpc, deadlineMs);
  exchange.start();
  return exchange;
}
