// Bounds on slow and numerous clients for a node:http(s) server, shared by the gateway and the control
// plane: time to send the request headers, time between body bytes, time for the whole request, and open
// connections per process. Node enforces the first, the third and the fourth; the body idle timer is here.
import type { IncomingMessage, Server, ServerOptions } from 'node:http';
import { performance } from 'node:perf_hooks';
import { hasBody } from './request-body.js';

export interface ClientLimits {
  /** HEADERS_TIMEOUT_MS: from a request's first byte to the end of its headers (also a new connection's first request). */
  headersTimeoutMs: number;
  /** BODY_IDLE_TIMEOUT_MS: longest wait for the next body byte while the server is ready to read one. */
  bodyIdleTimeoutMs: number;
  /** REQUEST_TIMEOUT_MS: from a request's first byte to its last body byte, however steadily they trickle. */
  requestTimeoutMs: number;
  /** MAX_CONNECTIONS: open connections per process; more are closed as soon as they are accepted. */
  maxConnections: number;
}

export const DEFAULT_CLIENT_LIMITS: ClientLimits = {
  headersTimeoutMs: 10_000,
  bodyIdleTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  maxConnections: 10_000,
};

/** The limits as both programs' environments spell them (HEADERS_TIMEOUT_MS, …), already parsed as numbers. */
export interface ClientLimitsEnv {
  HEADERS_TIMEOUT_MS: number;
  BODY_IDLE_TIMEOUT_MS: number;
  REQUEST_TIMEOUT_MS: number;
  MAX_CONNECTIONS: number;
}

/** The limits a program's environment sets, or a problem with their combination (for the start-up line). */
export function clientLimitsFromEnv(env: ClientLimitsEnv): { limits: ClientLimits; problem: string | undefined } {
  const limits: ClientLimits = {
    headersTimeoutMs: env.HEADERS_TIMEOUT_MS,
    bodyIdleTimeoutMs: env.BODY_IDLE_TIMEOUT_MS,
    requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
    maxConnections: env.MAX_CONNECTIONS,
  };
  return { limits, problem: clientLimitsProblem(limits) };
}

/** A problem with a combination of limits (a phrase for the start-up line), or undefined. */
export function clientLimitsProblem(limits: ClientLimits): string | undefined {
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) return 'HEADERS_TIMEOUT_MS must not be larger than REQUEST_TIMEOUT_MS';
  if (limits.bodyIdleTimeoutMs > limits.requestTimeoutMs) return 'BODY_IDLE_TIMEOUT_MS must not be larger than REQUEST_TIMEOUT_MS';
  return undefined;
}

/**
 * Options for `createServer`: node's header and whole-request timers. Node checks them every
 * `connectionsCheckingInterval` (30 s by default, which would stretch a 10 s bound to 40 s), so the
 * interval follows the smaller bound: a quarter of it, between 50 ms and 1 s.
 */
export function serverTimeoutOptions(limits: ClientLimits): Pick<ServerOptions, 'headersTimeout' | 'requestTimeout' | 'connectionsCheckingInterval'> {
  const smaller = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    connectionsCheckingInterval: Math.min(1_000, Math.max(50, Math.floor(smaller / 4))),
  };
}

/** Caps the server's open connections; node closes any connection accepted beyond the cap at once. */
export function limitConnections(server: Server, limits: ClientLimits): void {
  server.maxConnections = limits.maxConnections;
}

/**
 * Calls `onStall` once if the body of `req` is still incomplete and no byte of it has arrived for
 * `idleMs` while the server was ready to read. Bytes the server has not consumed yet (the upstream is
 * slow, a policy is still deciding) mean the wait is the server's, not the client's: then the timer
 * starts again. Bytes are seen where node's parser hands them to the request stream, so watching does not
 * change how the body is consumed (piped, read, or not at all). After `onStall` the request stream is
 * destroyed once the connection has closed (node leaves it pending once a response finished), so whatever
 * reads it, such as an upstream request, ends too.
 */
export function watchBodyIdle(req: IncomingMessage, idleMs: number, onStall: () => void): void {
  if (req.complete || !hasBody(req)) return;
  let lastByte = performance.now();
  let done = false;
  const push = req.push;
  req.push = function watchedPush(this: IncomingMessage, chunk: unknown, encoding?: BufferEncoding): boolean {
    if (chunk === null) stop();
    else lastByte = performance.now();
    return push.call(this, chunk, encoding);
  };
  const check = () => {
    if (done) return;
    const waited = performance.now() - lastByte;
    if (waited < idleMs) {
      timer = setTimeout(check, idleMs - waited);
      return;
    }
    if (req.readableLength > 0) {
      lastByte = performance.now();
      timer = setTimeout(check, idleMs);
      return;
    }
    stop();
    onStall();
    // An HTTP/2 stream ends with its own response (onStall's job); its connection carries other streams.
    if (req.httpVersionMajor === 2) return;
    const { socket } = req;
    if (socket.destroyed) req.destroy();
    else socket.once('close', () => req.destroy());
  };
  let timer = setTimeout(check, idleMs);
  function stop() {
    done = true;
    clearTimeout(timer);
  }
  req.once('close', stop);
}
