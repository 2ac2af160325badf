// Request mirroring (DESIGN §10 "Mirrors", Gateway API's RequestMirror): for each of a route's mirrors, with
// probability percent/100, a copy of the request as sent upstream (plus `X-NovaGate-Mirror: 1`) goes to the
// mirrored service, fire and forget. The copy's answer is read and thrown away; it never retries and ends after
// the service's timeoutMs. Bodies are mirrored up to 64 KiB: a longer declared body is not mirrored at all, and a
// body of unknown length is collected beside the primary (which never waits for it) and mirrored only if it ends
// within 64 KiB. At most 64 copies per mirrored service are in flight (mirror-gate.ts); more are dropped.
import type { IncomingMessage } from 'node:http';
import type { Dispatcher } from 'undici';
import { GatewayError } from '../../errors.js';
import type { BodyTap } from '../../proxy/body-tap.js';
import { isGrpcContentType } from '../../proxy/grpc-status.js';
import type { HeaderRecord } from '../../proxy/headers.js';
import { upstreamCause } from '../../proxy/upstream-cause.js';
import { pathForTarget, upstreamPath, type UpstreamService } from '../../proxy/upstream.js';
import type { PickContext } from '../../upstream/hash-key.js';
import type { UpstreamTarget } from '../../upstream/service-pool.js';
import type { MirrorGate } from './mirror-gate.js';

/** Request bodies longer than this are not mirrored. */
export const MAX_MIRROR_BODY_BYTES = 64 * 1024;
/** The header a copy carries; a request that has it is never mirrored (again). */
export const MIRROR_HEADER = 'x-novagate-mirror';

/**
 * What became of a copy: `sent` (the mirror answered, whatever its status), `failed` (no target, connection
 * error, timeout), `dropped_overflow` (64 in flight already), `dropped_body` (body over 64 KiB, or it never
 * ended), `dropped_protocol` (gRPC requests and http2 services are not mirrored).
 */
export type MirrorOutcome = 'sent' | 'failed' | 'dropped_overflow' | 'dropped_body' | 'dropped_protocol';

/** One `mirrors[]` entry, compiled. */
export interface RouteMirror {
  readonly service: UpstreamService;
  /** percent/100; 1 when `percent` is absent. */
  readonly share: number;
  readonly gate: MirrorGate;
}

/** The primary request as it goes upstream. */
export interface MirroredRequest {
  readonly req: IncomingMessage;
  readonly routeName: string;
  /** The path after rewrite/strip, before any service's base path, without query. */
  readonly path: string;
  readonly query: string;
  /** The headers sent upstream (copied here before the primary sets its target's Host). */
  readonly headers: HeaderRecord;
  /** The Host a policy chose (preserveHost, rewrite.hostname); absent: each target's authority. */
  readonly upstreamHost: string | undefined;
  readonly pickContext: PickContext;
}

export type MirrorReport = (route: string, service: string, outcome: MirrorOutcome) => void;

/** The copies of one request, once their places are taken; the caller ties them to the primary. */
export interface MirrorCopies {
  /** Set when the body is still to come: give it to the primary's body (proxy/body-tap.ts). */
  readonly bodyTap: BodyTap | undefined;
  /** Sends the copies of a request without body (call after the primary started). */
  startWithoutBody(): void;
  /** The primary is over: copies still waiting for a body that never ended are dropped. */
  abandon(): void;
}

/** The declared body length: 0 for none, -1 when unknown (chunked, or an HTTP/2 stream without content-length). */
function declaredBodyLength(req: IncomingMessage): number {
  const length = req.headers['content-length'];
  if (length !== undefined) return Number(length);
  if (req.httpVersionMajor === 2) return (req as unknown as { stream: { endAfterHeaders: boolean } }).stream.endAfterHeaders ? 0 : -1;
  return req.headers['transfer-encoding'] === undefined ? 0 : -1;
}

/**
 * Decides which mirrors get a copy of this request and takes their places; undefined when none does. Never
 * called for upgrades (WebSocket) or CONNECT.
 */
export function prepareMirrors(mirrors: readonly RouteMirror[], request: MirroredRequest, report: MirrorReport, random: () => number = Math.random): MirrorCopies | undefined {
  const { req } = request;
  if (req.headers[MIRROR_HEADER] !== undefined || req.method === 'CONNECT') return undefined;
  const length = declaredBodyLength(req);
  const grpc = isGrpcContentType(req.headers['content-type']);
  let chosen: RouteMirror[] | undefined;
  for (const mirror of mirrors) {
    if (mirror.share < 1 && random() >= mirror.share) continue;
    const service = mirror.service.name;
    if (grpc || mirror.service.http2) report(request.routeName, service, 'dropped_protocol');
    else if (length > MAX_MIRROR_BODY_BYTES) report(request.routeName, service, 'dropped_body');
    else if (!mirror.gate.tryEnter()) report(request.routeName, service, 'dropped_overflow');
    else (chosen ??= []).push(mirror);
  }
  if (chosen === undefined) return undefined;
  return new PendingCopies(chosen, { ...request, headers: { ...request.headers, [MIRROR_HEADER]: '1' } }, report, length !== 0);
}

/** The chosen copies, each holding its gate place until it is sent and answered, or dropped. */
class PendingCopies implements MirrorCopies, BodyTap {
  private chunks: Buffer[] | undefined = [];
  private size = 0;
  private settled = false;
  readonly bodyTap: BodyTap | undefined;

  constructor(
    private readonly mirrors: readonly RouteMirror[],
    private readonly request: MirroredRequest,
    private readonly report: MirrorReport,
    withBody: boolean,
  ) {
    this.bodyTap = withBody ? this : undefined;
  }

  startWithoutBody(): void {
    if (this.bodyTap === undefined) this.send(undefined);
  }

  chunk(chunk: Buffer): void {
    if (this.chunks === undefined) return;
    this.size += chunk.length;
    if (this.size > MAX_MIRROR_BODY_BYTES) return this.drop();
    this.chunks.push(chunk);
  }

  end(): void {
    const { chunks } = this;
    if (chunks === undefined || this.settled) return;
    this.chunks = undefined;
    this.send(chunks.length === 0 ? undefined : Buffer.concat(chunks, this.size));
  }

  abort(): void {
    this.drop();
  }

  abandon(): void {
    this.drop();
  }

  private drop(): void {
    if (this.settled) return;
    this.settled = true;
    this.chunks = undefined;
    for (const mirror of this.mirrors) {
      mirror.gate.leave();
      this.report(this.request.routeName, mirror.service.name, 'dropped_body');
    }
  }

  private send(body: Buffer | undefined): void {
    if (this.settled) return;
    this.settled = true;
    for (const mirror of this.mirrors) sendCopy(mirror, this.request, body, this.report);
  }
}

/** Sends one copy to a target of the mirror's service; its place in the gate is given back when it ends. */
function sendCopy(mirror: RouteMirror, request: MirroredRequest, body: Buffer | undefined, report: MirrorReport): void {
  const { service } = mirror;
  const target = service.pool.pick(request.pickContext);
  if (target instanceof GatewayError || target.connection.pool === undefined) {
    if (!(target instanceof GatewayError)) service.pool.finish(target, undefined);
    mirror.gate.leave();
    report(request.routeName, service.name, 'failed');
    return;
  }
  const headers: HeaderRecord = { ...request.headers };
  if (request.upstreamHost !== undefined) headers.host = request.upstreamHost;
  else if (target.hostHeader !== undefined || headers.host !== undefined) headers.host = target.authority;
  if (body !== undefined) headers['content-length'] = String(body.length);
  else if (headers['content-length'] !== undefined) headers['content-length'] = '0';
  const copy = new MirrorExchange(mirror, target, request.routeName, report);
  try {
    target.connection.pool.dispatch(
      {
        servername: target.connection.spec.servername,
        method: request.req.method as Dispatcher.HttpMethod,
        path: pathForTarget(upstreamPath(service.basePath, request.path, request.query), service.basePath, target.basePath),
        headers,
        body: body ?? null,
        headersTimeout: service.timeoutMs,
        bodyTimeout: service.timeoutMs,
      } as Dispatcher.DispatchOptions,
      copy,
    );
  } catch (error) {
    copy.onResponseError(undefined, error as Error);
  }
}

/**
 * One copy in flight: its answer read and thrown away, the whole of it bounded by the service's timeoutMs. Its
 * place in the gate is given back only when undici says the request is over (answered, failed or aborted): a
 * copy that times out while still queued in undici (no connection yet) keeps its place until undici hands it
 * over and it is aborted there, so a black-holed service never has more than the gate's copies queued.
 */
class MirrorExchange implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private status = 0;
  private timedOut = false;
  private done = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly mirror: RouteMirror,
    private readonly target: UpstreamTarget,
    private readonly routeName: string,
    private readonly report: MirrorReport,
  ) {
    this.timer = setTimeout(() => this.expire(), mirror.service.timeoutMs);
    this.timer.unref();
  }

  private expire(): void {
    this.timedOut = true;
    const { controller } = this;
    // Still queued (no controller yet): onRequestStart aborts it as soon as undici hands it over.
    if (controller !== undefined && !controller.aborted) controller.abort(new Error('mirror copy timed out'));
  }

  /** Undici is done with the request: its outcome is counted and its place in the gate given back. */
  private settle(outcome: number | string): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    const final = this.timedOut && typeof outcome !== 'number' ? 'timeout' : outcome;
    this.mirror.service.pool.finish(this.target, final);
    this.mirror.gate.leave();
    this.report(this.routeName, this.mirror.service.name, typeof final === 'number' ? 'sent' : 'failed');
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.timedOut) controller.abort(new Error('mirror copy timed out'));
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number): void {
    this.controller = controller;
    if (statusCode >= 200) this.status = statusCode;
  }

  onResponseData(): void {}

  onResponseEnd(): void {
    this.settle(this.status);
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    this.settle(upstreamCause(error));
  }
}
