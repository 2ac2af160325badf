// The proxy hot path on a bare node:http server: request id, path normalisation, route match, the route's
// policy chain, forwarding; then one log line and the metrics. Also WebSocket upgrades and the SIGTERM drain.
// HTTP/2 requests (node's compat API) take the same path; each listener port gets its own handlers, which
// pick the request's listener by Host and match only that listener's routes.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { constants as http2Constants, type ServerHttp2Stream } from 'node:http2';
import type { BlockList } from 'node:net';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { TLSSocket } from 'node:tls';
import { GatewayError, badPath, badUpgrade, bodyStalled, grpcNeedsHttp2, misdirected, routeNotFound, shuttingDown } from '../errors.js';
import { listenerForHost } from '../listeners/listener-table.js';
import { normalizeRequestTarget } from '../routing/normalize-path.js';
import { hostOf, type RouteMatch, type Router } from '../routing/router.js';
import type { ConfigStore } from '../pipeline/config-store.js';
import type { CompiledConfig, CompiledRoute } from '../pipeline/compile.js';
import { DirectAnswer, type Policy, type PolicyOutcome, type RequestContext } from '../pipeline/policy.js';
import { applyAllHeaderEdits, type HeaderEdits, type ResponseExtras } from '../proxy/header-edits.js';
import { REQUEST_ID_PATTERN } from '../protocol/request-id.js';
import { forwardRequest, type ForwardRequest, type UpstreamExchange } from '../proxy/forward.js';
import { forwardH2 } from '../proxy/forward-h2.js';
import { isGrpcContentType } from '../proxy/grpc-status.js';
import { upstreamRequestHeaders } from '../proxy/headers.js';
import { upstreamPath, type UpstreamService } from '../proxy/upstream.js';
import type { RouteBackend } from '../policies/traffic-split/backend-picker.js';
import { prepareMirrors, type MirrorReport } from '../policies/mirror/mirror-copies.js';
import type { UpstreamCause } from '../proxy/upstream-cause.js';
import type { RetryOutcome } from '../proxy/retrier.js';
import { ReplayMemory } from '../proxy/replay-body.js';
import {
  asksToClose,
  isWebSocketUpgrade,
  relayResponse,
  requestHeadWithoutUpgrade,
  spliceWebSocket,
  startWebSocketHandshake,
  webSocketRequestProblem,
} from '../proxy/websocket.js';
import { methodLabel, UNMATCHED, type GatewayMetrics } from '../telemetry/metrics.js';
import type { Logger } from '../telemetry/logger.js';
import { clientAddress } from './client-address.js';
import { DEFAULT_CLIENT_LIMITS, limitConnections, serverTimeoutOptions, watchBodyIdle, type ClientLimits } from './client-limits.js';
import { sendDirectAnswer, sendDirectAnswerOnSocket, sendError, sendErrorOnSocket, sendServerOptions } from './respond.js';
import { decidedStatus } from '../proxy/h2-response.js';

/** Per connection: responses not finished yet, and who waits for there to be none (an upgrade pipelined behind them). */
const OPEN_RESPONSES = Symbol('openResponses');
const ON_IDLE = Symbol('onIdle');
interface TrackedSocket {
  [OPEN_RESPONSES]?: number;
  [ON_IDLE]?: (() => void) | undefined;
}

export interface GatewayServerOptions {
  store: ConfigStore;
  metrics: GatewayMetrics;
  logger: Logger;
  trustedProxies: BlockList | undefined;
  maxBodyBytes: number;
  /** Slow-client and connection bounds; DEFAULT_CLIENT_LIMITS when absent. */
  clientLimits?: ClientLimits;
  newRequestId?: () => string;
  /** The bound on request bodies kept for retries; a new ReplayMemory (MAX_REPLAY_MEMORY_BYTES) when absent. */
  replayMemory?: ReplayMemory;
}

/** A listener port's request handler: node:http's and node:http2's compat 'request' event alike. */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface GatewayServer {
  /** An HTTP/1.1 server serving every route of the config, whatever its listeners (in-process tests). */
  readonly server: Server;
  /** A fresh HTTP/1.1 server for the listeners on `bindPort`; the listener manager hands it its connections. */
  serverFor(bindPort: number): Server;
  /** The 'request' handler of an HTTP/2 server (h2c, or TLS with HTTP/1.1 beside) for the listeners on `bindPort`. */
  handlerFor(bindPort: number): RequestHandler;

  inFlight(): number;
  /** Stops accepting, lets in-flight requests finish for at most `timeoutMs`, then closes what is left. */
  drain(timeoutMs: number): Promise<void>;
}

/** What the logs and metrics of one request say, and the upstream exchange a client disconnect must reach. */
interface Observation {
  route: string;
  path: string;
  consumer: string | undefined;
  upstream: UpstreamExchange | undefined;
  /** Why the upstream failed, when this request ends in a 502/504 for that reason. */
  upstreamCause: string | undefined;
  /** The service the request was sent to (the route's, or the backend picked from its `backends`). */
  service: string | undefined;
}

/** A policy's error answer with the edits meant for error answers too (CORS) applied to its headers. */
function withErrorEdits(error: GatewayError, ctx: RequestContext): GatewayError {
  if (ctx.responseHeaderEdits === undefined || !ctx.responseHeaderEdits.some((edits) => edits.onErrors === true)) return error;
  const headers: Record<string, string | string[] | number | undefined> = { ...error.headers };
  applyAllHeaderEdits(headers, ctx.responseHeaderEdits, true);
  const flat: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return new GatewayError(error.status, error.code, error.message, flat, error.authReason, error.upstreamCause);
}

function responseExtras(ctx: RequestContext): ResponseExtras | undefined {
  if (ctx.responseHeaders === undefined && ctx.responseHeaderEdits === undefined) return undefined;
  return { headers: ctx.responseHeaders, edits: ctx.responseHeaderEdits };
}

function runPolicies(policies: readonly Policy[], ctx: RequestContext, from: number): PolicyOutcome | Promise<PolicyOutcome> {
  for (let i = from; i < policies.length; i++) {
    const outcome = (policies[i] as Policy)(ctx);
    if (outcome instanceof Promise) return outcome.then((result) => result ?? runPolicies(policies, ctx, i + 1));
    if (outcome !== undefined) return outcome;
  }
  return undefined;
}

interface Admitted {
  match: RouteMatch<CompiledRoute>;
  ctx: RequestContext;
  peer: string;
  peerTrusted: boolean;
  path: string;
  query: string;
}

export function createGatewayServer(options: GatewayServerOptions): GatewayServer {
  const { store, metrics, logger, trustedProxies } = options;
  const limits = options.clientLimits ?? DEFAULT_CLIENT_LIMITS;
  const newRequestId = options.newRequestId ?? randomUUID;
  let inFlight = 0;
  let draining = false;
  let drained: (() => void) | undefined;
  const tunnels = new Set<Duplex>();
  const recordUpstream = (route: string, seconds: number) => metrics.recordUpstream(route, seconds);
  // The service by name and the cause class only: an address or a path never reaches the log.
  const upstreamError = (route: string, service: string, cause: UpstreamCause, requestId: string) => {
    metrics.upstreamError(route, cause);
    logger.warn('upstream request failed', { requestId, route, service, cause });
  };
  const upstreamRetry = (service: string, outcome: RetryOutcome) => metrics.upstreamRetry(service, outcome);
  const mirrorReport: MirrorReport = (route, service, outcome) => metrics.mirrorRequest(route, service, outcome);
  const replayMemory = options.replayMemory ?? new ReplayMemory();

  function requestIdOf(req: IncomingMessage): string {
    const incoming = req.headers['x-request-id'];
    return typeof incoming === 'string' && REQUEST_ID_PATTERN.test(incoming) ? incoming : newRequestId();
  }

  function finish(req: IncomingMessage, status: number, started: number, requestId: string, observed: Observation): void {
    inFlight--;
    const seconds = (performance.now() - started) / 1000;
    const method = methodLabel(req.method);
    metrics.recordRequest(observed.route, observed.path, method, status, seconds);
    logger.request({
      requestId,
      method,
      pathTemplate: observed.path,
      status,
      latencyMs: Math.round(seconds * 100_000) / 100,
      route: observed.route,
      consumer: observed.consumer,
      upstreamCause: observed.upstreamCause,
      service: observed.service,
    });
    if (draining && inFlight === 0) drained?.();
  }

  function refuse(error: GatewayError, observed: Observation): GatewayError {
    if (error.authReason !== undefined) metrics.authFailure(observed.route, error.authReason);
    return error;
  }

  /**
   * The routes the request may match: its listener's on that port (one lookup), or every route for the
   * all-routes server. On TLS, a Host that belongs to another listener than the SNI name is misdirected (a
   * coalesced HTTP/2 connection, or a client that sent one name and asked for another).
   */
  function routesOf(req: IncomingMessage, host: string, bindPort: number | undefined, config: CompiledConfig): Router<CompiledRoute> | GatewayError {
    if (bindPort === undefined) return config.router;
    const table = config.ports.get(bindPort);
    if (table === undefined) return routeNotFound();
    const entry = listenerForHost(table, host);
    if (entry === undefined) return routeNotFound();
    if (table.protocol === 'HTTPS') {
      const servername = (req.socket as TLSSocket).servername;
      if (typeof servername === 'string' && servername !== '' && listenerForHost(table, servername.toLowerCase()) !== entry) return misdirected();
    }
    return entry.routes;
  }

  /** The `port` of the listener a request on `bindPort` with Host `host` belongs to (redirects use it). */
  function listenerPortOf(config: CompiledConfig, bindPort: number | undefined, host: string, req: IncomingMessage): number {
    const table = bindPort === undefined ? undefined : config.ports.get(bindPort);
    const entry = table === undefined ? undefined : listenerForHost(table, host);
    return entry?.listener.port ?? req.socket.localPort ?? 0;
  }

  /** The synchronous part of admission: path, route, context. */
  function admit(req: IncomingMessage, requestId: string, observed: Observation, bindPort: number | undefined): Admitted | GatewayError {
    const config = store.current();
    if (config === undefined) return new GatewayError(503, 'not_ready', 'the gateway has no configuration yet');
    const normalized = normalizeRequestTarget(req.url ?? '/');
    if (!normalized.ok) return badPath(normalized.reason);
    const host = hostOf(req.headers.host ?? (req.headers[':authority'] as string | undefined));
    const router = routesOf(req, host, bindPort, config);
    if (router instanceof GatewayError) return router;
    const match = router.match(req.method ?? 'GET', host, normalized.path, { rawHeaders: req.rawHeaders, query: normalized.query });
    if (match === undefined) return routeNotFound();
    observed.route = match.target.name;
    observed.path = match.template;
    const address = clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], trustedProxies);
    const ctx: RequestContext = {
      req,
      requestId,
      clientIp: address.clientIp,
      routeName: match.target.name,
      path: normalized.path,
      query: normalized.query,
      prefixRest: match.strippedPath,
      host,
      secure: (req.socket as Partial<TLSSocket>).encrypted === true,
      listenerPort: listenerPortOf(config, bindPort, host, req),
      consumer: undefined,
      strippedHeaders: undefined,
      responseHeaders: undefined,
      requestHeaderEdits: undefined,
      responseHeaderEdits: undefined,
      upstreamPath: undefined,
      upstreamHost: undefined,
    };
    return { match, ctx, peer: address.peer, peerTrusted: address.peerTrusted, path: normalized.path, query: normalized.query };
  }

  /** The path sent upstream before the service's base path, without query (rewritten or stripped). */
  function routePath(admitted: Admitted): string {
    return admitted.ctx.upstreamPath ?? (admitted.match.target.stripPrefix ? admitted.match.strippedPath : admitted.path);
  }

  function targetPath(admitted: Admitted, service: UpstreamService): string {
    return upstreamPath(service.basePath, routePath(admitted), admitted.query);
  }

  /**
   * The route's backend for this request (its service, or one of its `backends` by weight), with the backend's
   * header edits added after the route's own; or the 500 to answer.
   */
  function pickBackend(admitted: Admitted, observed: Observation): RouteBackend | GatewayError {
    const backend = admitted.match.target.backends.pick();
    if (backend instanceof GatewayError) return backend;
    const { ctx } = admitted;
    observed.service = backend.service.name;
    if (backend.requestHeaderEdits !== undefined) (ctx.requestHeaderEdits ??= []).push(backend.requestHeaderEdits);
    if (backend.responseHeaderEdits !== undefined) (ctx.responseHeaderEdits ??= []).push(backend.responseHeaderEdits);
    return backend;
  }

  /** Runs the route's policies, then forwards; synchronous unless a policy is (the rate limiter). */
  function proxy(req: IncomingMessage, res: ServerResponse, admitted: Admitted, requestId: string, observed: Observation): void {
    const pending = runPolicies(admitted.match.target.policies, admitted.ctx, 0);
    if (pending instanceof Promise) {
      pending
        .then((outcome) => forward(req, res, admitted, requestId, observed, outcome))
        .catch((error: unknown) => failed(res, error, requestId));
    } else {
      forward(req, res, admitted, requestId, observed, pending);
    }
  }

  function forward(req: IncomingMessage, res: ServerResponse, admitted: Admitted, requestId: string, observed: Observation, outcome: PolicyOutcome): void {
    const { ctx } = admitted;
    observed.consumer = ctx.consumer?.username;
    if (outcome instanceof DirectAnswer) return sendDirectAnswer(res, outcome, requestId, ctx.responseHeaders);
    if (outcome !== undefined) return sendError(res, withErrorEdits(refuse(outcome, observed), ctx), requestId);
    const route = admitted.match.target;
    // The route's own header edits end here; pickBackend appends the chosen backend's, which mirrors never get.
    const routeEditCount = ctx.requestHeaderEdits?.length ?? 0;
    const backend = pickBackend(admitted, observed);
    if (backend instanceof GatewayError) return sendError(res, withErrorEdits(backend, ctx), requestId);
    const { service } = backend;
    const h2 = service.http2;
    // gRPC (HTTP/2 only) to a service that speaks HTTP/1.1 upstream could never work: say why.
    if (!h2 && req.httpVersionMajor === 2 && isGrpcContentType(req.headers['content-type'])) {
      observed.upstreamCause = 'protocol_error';
      return sendError(res, grpcNeedsHttp2(), requestId);
    }
    const headersWith = (edits: readonly HeaderEdits[] | undefined) =>
      upstreamRequestHeaders(req.headers, {
        requestId,
        peer: admitted.peer,
        peerTrusted: admitted.peerTrusted,
        consumerUsername: ctx.consumer?.username,
        stripped: ctx.strippedHeaders,
        added: ctx.upstreamHeaders,
        upgrade: false,
        proto: ctx.secure ? 'https' : 'http',
        edits,
        host: ctx.upstreamHost,
      });
    const headers = headersWith(ctx.requestHeaderEdits);
    const pickContext = { headers: req.headers, clientIp: ctx.clientIp, consumer: ctx.consumer?.username };
    // A copy carries the route's header edits only: a backend's (say its `authorization`) never reaches a mirror.
    const mirrorHeaders = () => (backend.requestHeaderEdits === undefined ? headers : headersWith(ctx.requestHeaderEdits?.slice(0, routeEditCount)));
    const mirrors =
      route.mirrors === undefined
        ? undefined
        : prepareMirrors(
            route.mirrors,
            { req, routeName: route.name, path: routePath(admitted), query: admitted.query, headers: mirrorHeaders(), upstreamHost: ctx.upstreamHost, pickContext },
            mirrorReport,
          );
    const forwarded: ForwardRequest = {
      req,
      res,
      service,
      method: req.method ?? 'GET',
      path: targetPath(admitted, service),
      headers,
      requestId,
      maxBodyBytes: route.config.maxBodyBytes ?? options.maxBodyBytes,
      responseHeaders: responseExtras(ctx),
      upstreamHost: ctx.upstreamHost,
      routeName: route.name,
      onUpstreamHeaders: recordUpstream,
      onUpstreamError: upstreamError,
      observation: observed,
      onFailure: sendError,
      retry: backend.retry,
      timeouts: backend.timeouts,
      retryBudget: backend.retryBudget,
      onRetry: upstreamRetry,
      replayMemory,
      pickContext,
      bodyTap: mirrors?.bodyTap,
    };
    observed.upstream = h2 ? forwardH2(forwarded) : forwardRequest(forwarded);
    if (mirrors !== undefined) {
      // After the primary started: a copy never goes out before (or holds up) the request it copies.
      mirrors.startWithoutBody();
      res.once('close', () => mirrors.abandon());
    }
  }

  /** An error no policy or upstream failure explains: 500, and one log line without details. */
  function failed(res: ServerResponse, error: unknown, requestId: string): void {
    if (error instanceof GatewayError) return sendError(res, error, requestId);
    logger.error('request failed', { requestId, error: error instanceof Error ? error.name : 'unknown' });
    sendError(res, new GatewayError(500, 'internal_error', 'internal error'), requestId);
  }

  /**
   * An HTTP/2 request body that stopped arriving: 408 when nothing was answered yet, then the stream (never the
   * connection, which carries other streams) is cancelled so that whatever reads the body ends too.
   */
  function stallStream(req: IncomingMessage, res: ServerResponse, requestId: string, observed: Observation): void {
    const stream = (req as unknown as { stream: ServerHttp2Stream }).stream;
    // The upstream exchange is given up first: its answer must not race the 408 to this response.
    observed.upstream?.clientClosed();
    const cancel = () => {
      if (!stream.destroyed) stream.close(http2Constants.NGHTTP2_CANCEL);
    };
    if (res.headersSent) return cancel();
    sendError(res, bodyStalled(limits.bodyIdleTimeoutMs), requestId);
    // The stream's own 'finish' (the 408 is written out): the compatibility response emits its 'finish' only
    // once the stream closed, which a client that keeps its half open would delay until REQUEST_TIMEOUT_MS.
    if (stream.writableFinished) cancel();
    else stream.once('finish', cancel);
  }

  function handleRequest(req: IncomingMessage, res: ServerResponse, bindPort: number | undefined): void {
    const started = performance.now();
    inFlight++;
    const requestId = requestIdOf(req);
    const observed: Observation = { route: UNMATCHED, path: UNMATCHED, consumer: undefined, upstream: undefined, upstreamCause: undefined, service: undefined };
    // An HTTP/2 stream has no pipelined upgrade behind it to wait for: only HTTP/1.1 sockets are tracked.
    const socket = (req.httpVersionMajor < 2 ? req.socket : {}) as TrackedSocket;
    socket[OPEN_RESPONSES] = (socket[OPEN_RESPONSES] ?? 0) + 1;
    res.once('close', () => {
      if (--(socket[OPEN_RESPONSES] as number) === 0 && socket[ON_IDLE] !== undefined) {
        const idle = socket[ON_IDLE];
        socket[ON_IDLE] = undefined;
        idle();
      }
      observed.upstream?.clientClosed();
      finish(req, res.headersSent ? decidedStatus(res) : 499, started, requestId, observed);
    });
    if (draining) res.shouldKeepAlive = false;
    if (req.url === '*' && req.method === 'OPTIONS') return sendServerOptions(res, requestId);
    // A body that stops arriving gets 408 (and the connection closed, as its body was not read to the end).
    watchBodyIdle(req, limits.bodyIdleTimeoutMs, () => {
      if (req.httpVersionMajor === 2) return stallStream(req, res, requestId, observed);
      if (res.headersSent) req.socket.destroy();
      else sendError(res, bodyStalled(limits.bodyIdleTimeoutMs), requestId);
    });
    const admitted = admit(req, requestId, observed, bindPort);
    if (admitted instanceof GatewayError) return sendError(res, admitted, requestId);
    try {
      proxy(req, res, admitted, requestId, observed);
    } catch (error) {
      failed(res, error, requestId);
    }
  }

  /**
   * Hands a connection taken for an upgrade back to the HTTP server, with the bytes read past the upgrade
   * request, so that its next request goes through the whole pipeline like any other (Node documents emitting
   * 'connection' for this). While draining, that request is answered with `connection: close` as any other.
   */
  function resumeParsing(socket: Duplex, pending: Buffer, server: Server): void {
    tunnels.delete(socket);
    if (socket.destroyed) return;
    if (pending.length > 0) socket.unshift(pending);
    server.emit('connection', socket);
  }

  /** Serves an upgrade to anything but WebSocket as the plain HTTP request it also is. */
  async function withoutUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, server: Server): Promise<void> {
    // Node took its listeners off the socket: a reset while we wait must not go unhandled.
    const ignore = () => undefined;
    socket.on('error', ignore);
    await connectionIdle(socket);
    socket.off('error', ignore);
    resumeParsing(socket, Buffer.concat([requestHeadWithoutUpgrade(req), head]), server);
  }

  /** Resolves once every response to a request pipelined before the upgrade is out, so bytes never interleave. */
  function connectionIdle(socket: Duplex): Promise<void> {
    const tracked = socket as TrackedSocket;
    if ((tracked[OPEN_RESPONSES] ?? 0) === 0) return Promise.resolve();
    return new Promise((resolve) => (tracked[ON_IDLE] = resolve));
  }

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, server: Server, bindPort: number | undefined): Promise<void> {
    // h2c and unknown protocols are never tunnelled: the request is parsed again without its upgrade and
    // served as plain HTTP (RFC 9110 §7.8 lets a server ignore Upgrade).
    if (!isWebSocketUpgrade(req.headers)) return withoutUpgrade(req, socket, head, server);
    const started = performance.now();
    inFlight++;
    const requestId = requestIdOf(req);
    const observed: Observation = { route: UNMATCHED, path: UNMATCHED, consumer: undefined, upstream: undefined, upstreamCause: undefined, service: undefined };
    let done = false;
    const end = (status: number) => {
      if (done) return;
      done = true;
      finish(req, status, started, requestId, observed);
    };
    const onError = () => end(499);
    socket.on('error', onError);
    tunnels.add(socket);
    const fail = (error: GatewayError) => {
      tunnels.delete(socket);
      sendErrorOnSocket(socket, refuse(error, observed), requestId);
      end(error.status);
    };
    await connectionIdle(socket);
    // The answer to a request pipelined before it may have ended the connection (while draining, for one).
    if (socket.destroyed || !socket.writable) {
      tunnels.delete(socket);
      return end(499);
    }
    if (draining) return fail(shuttingDown());
    const admitted = admit(req, requestId, observed, bindPort);
    if (admitted instanceof GatewayError) return fail(admitted);
    const problem = webSocketRequestProblem(req);
    if (problem !== null) return fail(badUpgrade(problem));
    const outcome = await runPolicies(admitted.match.target.policies, admitted.ctx, 0);
    observed.consumer = admitted.ctx.consumer?.username;
    if (outcome instanceof DirectAnswer) {
      tunnels.delete(socket);
      sendDirectAnswerOnSocket(socket, outcome, requestId);
      socket.off('error', onError);
      end(outcome.status);
      return resumeParsing(socket, head, server);
    }
    if (outcome !== undefined) return fail(withErrorEdits(outcome, admitted.ctx));
    // Upgrades are never mirrored; the backend is picked as for any request.
    const backend = pickBackend(admitted, observed);
    if (backend instanceof GatewayError) return fail(withErrorEdits(backend, admitted.ctx));
    const headers = upstreamRequestHeaders(req.headers, {
      requestId,
      peer: admitted.peer,
      peerTrusted: admitted.peerTrusted,
      consumerUsername: admitted.ctx.consumer?.username,
      stripped: admitted.ctx.strippedHeaders,
      added: admitted.ctx.upstreamHeaders,
      upgrade: true,
      proto: admitted.ctx.secure ? 'https' : 'http',
      edits: admitted.ctx.requestHeaderEdits,
      host: admitted.ctx.upstreamHost,
    });
    const handshake = startWebSocketHandshake({
      service: backend.service,
      path: targetPath(admitted, backend.service),
      headers,
      key: req.headers['sec-websocket-key'] as string,
      pickContext: { headers: req.headers, clientIp: admitted.ctx.clientIp, consumer: admitted.ctx.consumer?.username },
    });
    const abort = () => handshake.abort();
    socket.once('close', abort);
    const result = await handshake.outcome;
    socket.off('close', abort);
    const extra = responseExtras(admitted.ctx);
    if (socket.destroyed) {
      if (result.kind === 'switched') result.upstream.destroy();
      if (result.kind === 'answered') result.response.destroy();
      tunnels.delete(socket);
      return end(499);
    }
    if (result.kind === 'switched') {
      spliceWebSocket(socket, head, result, requestId, extra, () => {
        tunnels.delete(socket);
        end(101);
      });
      return;
    }
    // Not a WebSocket after all: an ordinary response, and the connection stays an HTTP connection.
    let reusable = true;
    if (result.kind === 'failed') {
      const cause = result.error.upstreamCause as UpstreamCause | undefined;
      if (cause !== undefined) {
        observed.upstreamCause = cause;
        upstreamError(observed.route, backend.service.name, cause, requestId);
      }
      sendErrorOnSocket(socket, refuse(result.error, observed), requestId, true);
      end(result.error.status);
    } else {
      reusable = await relayResponse(socket, result.response, requestId, extra);
      result.response.destroy();
      end(result.response.statusCode ?? 502);
    }
    tunnels.delete(socket);
    if (!reusable) socket.destroy();
    else if (asksToClose(req.headers)) socket.end();
    else {
      socket.off('error', onError);
      resumeParsing(socket, head, server);
    }
  }

  const servers = new Set<Server>();

  /** An HTTP/1.1 server for `bindPort` (undefined: every route), with upgrades and client errors handled. */
  function createHttp1Server(bindPort: number | undefined): Server {
    const server = createServer({ keepAliveTimeout: 65_000, ...serverTimeoutOptions(limits) }, (req, res) => handleRequest(req, res, bindPort));
    servers.add(server);
    server.on('close', () => servers.delete(server));
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      upgrade(req, socket, head, server, bindPort).catch(() => socket.destroy());
    });
    server.on('clientError', onClientError);
    return server;
  }

  function onClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
    // Headers or a whole request slower than HEADERS_TIMEOUT_MS / REQUEST_TIMEOUT_MS: 408, as node would answer.
    const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    // Once part of a response is out, another status line would corrupt it: just close (node's own rule).
    const inFlightResponse = (socket as Duplex & { _httpMessage?: { _headerSent?: boolean } | null })._httpMessage;
    if (!socket.writable || inFlightResponse?._headerSent === true) socket.destroy();
    // Node's parser refuses control characters and non-ASCII bytes in the target before any handler runs.
    else if (error.code === 'HPE_INVALID_URL') sendErrorOnSocket(socket, badPath('invalid character in request target'), newRequestId());
    else socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  }

  const server = createHttp1Server(undefined);
  limitConnections(server, limits);
  let lastDropWarning = 0;
  server.on('drop', () => {
    if (Date.now() - lastDropWarning < 10_000) return;
    lastDropWarning = Date.now();
    logger.warn('connections refused: MAX_CONNECTIONS reached', { maxConnections: limits.maxConnections });
  });

  return {
    server,
    serverFor: (bindPort) => createHttp1Server(bindPort),
    handlerFor: (bindPort) => (req, res) => handleRequest(req, res, bindPort),
    inFlight: () => inFlight,
    async drain(timeoutMs) {
      draining = true;
      // Servers fed by the listener manager never listened themselves: their close only stops keep-alive reuse.
      const closed = Promise.all([...servers].map((each) => new Promise<void>((resolve) => each.close(() => resolve()))));
      for (const each of servers) each.closeIdleConnections();
      const idle = inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => (drained = resolve));
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
      await Promise.race([idle, timeout]);
      clearTimeout(timer);
      for (const socket of tunnels) socket.destroy();
      for (const each of servers) each.closeAllConnections();
      await closed;
    },
  };
}
