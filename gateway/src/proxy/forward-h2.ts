// Forwards one request to a service with `http2: true` on its origin's HTTP/2 session (h2-origin.ts): bodies
// stream both ways with backpressure (gRPC bidirectional streaming), response trailers are relayed, and for
// gRPC `te: trailers` goes upstream and the call is bounded by min(grpc-timeout, the service's timeoutMs),
// answered with grpc-status 4 when it expires. Failures before the response started go to onFailure as for
// HTTP/1.1 (forward.ts); after that a gRPC call ends with a grpc-status trailer, anything else is reset.
import { constants, type ClientHttp2Stream, type IncomingHttpHeaders, type IncomingHttpStatusHeader, type OutgoingHttpHeaders } from 'node:http2';
import type { Readable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { GatewayError, badGrpcTimeout, upstreamTimeout, upstreamUnavailable, bodyTooLarge } from '../errors.js';
import { GRPC_STATUS, encodeGrpcMessage, isGrpcContentType, parseGrpcTimeout } from './grpc-status.js';
import { markDecidedStatus, respondTrailersOnly } from './h2-response.js';
import { BodyLimitExceeded, finishAttempt, requestBody, targetForAttempt, type ForwardRequest, type UpstreamExchange } from './forward.js';
import { downstreamResponseHeaders } from './headers.js';
import { isTimeoutCause, upstreamCause } from './upstream-cause.js';
import type { H2Origin } from './h2-origin.js';
import { pathForTarget } from './upstream.js';
import type { AttemptOutcome, UpstreamTarget } from '../upstream/service-pool.js';

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

class H2Exchange implements UpstreamExchange {
  private stream: ClientHttp2Stream | undefined;
  private responding = false;
  private done = false;
  private timer: NodeJS.Timeout | undefined;
  /** The status, or the failure's cause, reported for the target when the exchange ends. */
  private outcome: AttemptOutcome | undefined;

  constructor(
    private readonly request: ForwardRequest,
    private readonly target: UpstreamTarget,
    private readonly body: Readable | undefined,
    private readonly grpc: boolean,
    /** gRPC: the whole call's budget; otherwise the time to response headers (then each body silence). */
    private readonly budgetMs: number,
  ) {}

  start(): void {
    const { request } = this;
    const url = request.service.url;
    const { target } = this;
    const headers: OutgoingHttpHeaders = {
      ...request.headers,
      ':method': request.method,
      ':path': pathForTarget(request.path, request.service.basePath, target.basePath),
      ':scheme': url.protocol === 'https:' ? 'https' : 'http',
      ':authority': target.authority,
    };
    if (headers.host !== undefined) delete headers.host; // :authority says it
    if (this.grpc) {
      headers.te = 'trailers';
      headers['grpc-timeout'] = `${this.budgetMs}m`;
    }
    const started = performance.now();
    let stream: ClientHttp2Stream;
    try {
      stream = (target.connection.h2 as H2Origin).request(headers, this.body === undefined);
    } catch (error) {
      this.failBeforeResponse(error);
      return;
    }
    this.stream = stream;
    this.timer = setTimeout(() => this.expired(), this.budgetMs);
    stream.on('response', (responseHeaders: IncomingHttpHeaders & IncomingHttpStatusHeader, flags: number) => {
      this.responding = true;
      this.outcome = Number(responseHeaders[':status']);
      request.onUpstreamHeaders(request.routeName, (performance.now() - started) / 1000);
      if (!this.grpc) {
        // As undici's bodyTimeout: past the headers, timeoutMs bounds each silence of the response body.
        clearTimeout(this.timer);
        stream.setTimeout(request.service.timeoutMs, () => this.expired());
      }
      if (request.res.destroyed) return this.cancel();
      const status = Number(responseHeaders[':status']);
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
      if (!request.res.write(chunk)) {
        stream.pause();
        request.res.once('drain', () => stream.resume());
      }
    });
    stream.on('trailers', (trailers: IncomingHttpHeaders) => request.res.addTrailers(withoutPseudoHeaders(trailers)));
    stream.on('end', () => {
      if (!this.responding || this.done) return; // 'close' reports a failure; a trailers-only answer is out
      this.finish();
      request.res.end();
    });
    stream.on('error', (error) => this.failed(error));
    stream.on('close', () => {
      if (this.done) return;
      if (!this.responding) return this.failed(Object.assign(new Error('upstream reset the stream'), { code: 'ECONNRESET' }));
      if (!request.res.writableEnded) {
        this.finish();
        request.res.destroy();
      }
    });
    const body = this.body;
    if (body !== undefined) {
      body.on('error', (error) => {
        if (error instanceof BodyLimitExceeded && !this.responding) {
          this.finish();
          stream.close(constants.NGHTTP2_CANCEL);
          request.onFailure(request.res, bodyTooLarge(request.maxBodyBytes), request.requestId);
        } else this.cancel();
      });
      body.pipe(stream);
    }
  }

  private finish(): void {
    if (!this.done) finishAttempt(this.request, this.target, this.outcome);
    this.done = true;
    clearTimeout(this.timer);
  }

  private cancel(): void {
    if (this.done) return;
    this.finish();
    this.stream?.close(constants.NGHTTP2_CANCEL);
  }

  clientClosed(): void {
    if (!this.request.res.writableFinished) this.cancel();
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
    const cause = upstreamCause(cancelledBy ?? error);
    this.outcome = cause;
    this.finish();
    request.observation.upstreamCause = cause;
    request.onUpstreamError(request.routeName, request.service.name, cause, request.requestId);
    request.onFailure(request.res, isTimeoutCause(cause) ? upstreamTimeout(cause) : upstreamUnavailable(cause), request.requestId);
  }
}

/** Sends the request on a target's HTTP/2 session and streams the answer back (see the file header). */
export function forwardH2(request: ForwardRequest): UpstreamExchange | undefined {
  const grpc = isGrpcContentType(request.req.headers['content-type'] as string | undefined);
  let budgetMs = request.service.timeoutMs;
  if (grpc) {
    const timeout = request.req.headers['grpc-timeout'];
    if (typeof timeout === 'string') {
      const ms = parseGrpcTimeout(timeout);
      if (ms === 'malformed') {
        request.onFailure(request.res, badGrpcTimeout(), request.requestId);
        return undefined;
      }
      budgetMs = Math.min(ms, budgetMs);
    }
  }
  const body = requestBody(request.req, request.maxBodyBytes);
  if (body instanceof GatewayError) {
    request.onFailure(request.res, body, request.requestId);
    return undefined;
  }
  const target = targetForAttempt(request, undefined);
  if (target instanceof GatewayError) {
    request.onFailure(request.res, target, request.requestId);
    return undefined;
  }
  const exchange = new H2Exchange(request, target, body, grpc, budgetMs);
  exchange.start();
  return exchange;
}
