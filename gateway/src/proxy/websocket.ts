// WebSocket pass-through (RFC 6455): the client's upgrade request is checked, the handshake is replayed to the
// upstream, and the two sockets are spliced only once the upstream's 101 proves it speaks WebSocket for this
// very key. Any other answer is relayed as an ordinary response, so the caller can go back to parsing the
// client connection request by request instead of handing it over as a raw tunnel.
import { createHash } from 'node:crypto';
import { request as httpRequest, STATUS_CODES, type IncomingHttpHeaders, type IncomingMessage, type ClientRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { GatewayError, upstreamTimeout, upstreamUnavailable } from '../errors.js';
import { upstreamCause } from './upstream-cause.js';
import { downstreamResponseHeaders, type HeaderRecord } from './headers.js';
import type { ResponseExtras } from './header-edits.js';
import { pathForTarget, type UpstreamService } from './upstream.js';
import type { PickContext } from '../upstream/hash-key.js';

const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** 16 bytes in base64: 22 characters and the padding. */
const WEBSOCKET_KEY = /^[A-Za-z0-9+/]{21}[AQgw]==$/;

/** The Sec-WebSocket-Accept a server must answer to `key`. */
export function webSocketAccept(key: string): string {
  return createHash('sha1').update(`${key}${WEBSOCKET_GUID}`).digest('base64');
}

function tokens(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  const joined = Array.isArray(value) ? value.join(',') : value;
  return joined.split(',').map((token) => token.trim().toLowerCase()).filter((token) => token !== '');
}

/** True when the request asks to upgrade to WebSocket and to nothing else (the only upgrade the gateway tunnels). */
export function isWebSocketUpgrade(headers: IncomingHttpHeaders): boolean {
  const offered = tokens(headers.upgrade);
  return offered.length === 1 && offered[0] === 'websocket';
}

/** True when the client asked for the connection to close after this exchange (`Connection: Upgrade, close`). */
export function asksToClose(headers: IncomingHttpHeaders): boolean {
  return tokens(headers.connection).includes('close');
}

export interface UpgradeRequestHead {
  method?: string | undefined;
  httpVersion: string;
  headers: IncomingHttpHeaders;
}

/** Why a WebSocket upgrade request is not a valid opening handshake (RFC 6455 §4.2.1), or null when it is. */
export function webSocketRequestProblem(req: UpgradeRequestHead): string | null {
  if (req.method !== 'GET') return 'a WebSocket upgrade must use GET';
  if (req.httpVersion !== '1.1') return 'a WebSocket upgrade must use HTTP/1.1';
  if (!tokens(req.headers.connection).includes('upgrade')) return "Connection must include 'upgrade'";
  const key = req.headers['sec-websocket-key'];
  if (typeof key !== 'string' || !WEBSOCKET_KEY.test(key)) return 'Sec-WebSocket-Key must be 16 bytes in base64';
  if (req.headers['sec-websocket-version'] !== '13') return 'Sec-WebSocket-Version must be 13';
  // Bytes after the head would be parsed as the next request if the upstream refuses: a handshake has no body.
  const length = req.headers['content-length'];
  if ((length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined) {
    return 'a WebSocket upgrade must not have a body';
  }
  return null;
}

/**
 * The request head again, without its upgrade: `Upgrade` removed and the `upgrade` token taken out of
 * `Connection`. Parsed anew, it is an ordinary request. Node's parser already refused CR, LF and NUL in names and
 * values, so writing them back cannot add a header.
 */
export function requestHeadWithoutUpgrade(req: UpgradeRequestHead & { url?: string | undefined; rawHeaders: string[] }): Buffer {
  let head = `${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/${req.httpVersion}\r\n`;
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] as string;
    let value = req.rawHeaders[i + 1] as string;
    const lower = name.toLowerCase();
    if (lower === 'upgrade') continue;
    if (lower === 'connection') {
      value = value
        .split(',')
        .map((token) => token.trim())
        .filter((token) => token !== '' && token.toLowerCase() !== 'upgrade')
        .join(', ');
      if (value === '') continue;
    }
    head += `${name}: ${value}\r\n`;
  }
  return Buffer.from(`${head}\r\n`, 'latin1');
}

export interface WebSocketHandshake {
  service: UpstreamService;
  path: string;
  /** Headers for the upstream, Upgrade and Connection included. */
  headers: HeaderRecord;
  /** The client's Sec-WebSocket-Key, already checked. */
  key: string;
  /** What consistent-hash balancing reads; absent: nothing (round-robin). */
  pickContext?: PickContext;
}

const NO_CONTEXT: PickContext = { headers: {}, clientIp: undefined, consumer: undefined };

export type HandshakeOutcome =
  /** The upstream switched to WebSocket for this key: splice. */
  | { kind: 'switched'; upstream: Socket; head: Buffer; headers: IncomingHttpHeaders }
  /** An ordinary answer (200, 400, …): relay it and keep parsing the client connection. */
  | { kind: 'answered'; response: IncomingMessage }
  /** Unreachable, too slow, or a 101 that is not a WebSocket handshake for this key. */
  | { kind: 'failed'; error: GatewayError };

export interface PendingHandshake {
  outcome: Promise<HandshakeOutcome>;
  /** The client went away: drop the upstream exchange. */
  abort(): void;
}

const badHandshake = (why: string) => new GatewayError(502, 'bad_upstream_handshake', `upstream refused the WebSocket handshake: ${why}`);

/** Why an upstream's 101 does not complete this handshake, or null. */
export function switchProblem(headers: IncomingHttpHeaders, key: string): string | null {
  if (!isWebSocketUpgrade(headers)) return 'it switched to another protocol';
  if (headers['sec-websocket-accept'] !== webSocketAccept(key)) return 'Sec-WebSocket-Accept does not match the key';
  return null;
}

/** Sends the handshake upstream on a connection of its own and tells what came back. */
export function startWebSocketHandshake(handshake: WebSocketHandshake): PendingHandshake {
  const { service } = handshake;
  const { connectTimeoutMs, timeoutMs } = service;
  // The tunnel goes to one target of the service's pool, picked as for any request; its outcome counts for
  // passive health like a request's.
  const target = service.pool.pick(handshake.pickContext ?? NO_CONTEXT);
  if (target instanceof GatewayError) return { outcome: Promise.resolve({ kind: 'failed', error: target }), abort: () => undefined };
  const { spec } = target.connection;
  const origin = new URL(spec.origin);
  const secure = origin.protocol === 'https:';
  let settle!: (outcome: HandshakeOutcome) => void;
  const outcome = new Promise<HandshakeOutcome>((resolve) => (settle = resolve));
  let settled = false;
  const done = (result: HandshakeOutcome) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    service.pool.finish(target, result.kind === 'switched' ? 101 : result.kind === 'answered' ? result.response.statusCode : result.error.upstreamCause);
    settle(result);
  };
  const tls = spec.tls;
  const request: ClientRequest = (secure ? httpsRequest : httpRequest)({
    host: origin.hostname.startsWith('[') ? origin.hostname.slice(1, -1) : origin.hostname,
    port: Number(origin.port || (secure ? 443 : 80)),
    ...(secure
      ? {
          ...(spec.servername === undefined ? {} : { servername: spec.servername }),
          ...(tls?.ca === undefined ? {} : { ca: tls.ca }),
          ...(tls?.cert === undefined ? {} : { cert: tls.cert, key: tls.key }),
          rejectUnauthorized: tls?.rejectUnauthorized ?? true,
          minVersion: 'TLSv1.2' as const,
        }
      : {}),
    method: 'GET',
    path: pathForTarget(handshake.path, service.basePath, target.basePath),
    headers: { ...handshake.headers, host: (handshake.headers.host as string | undefined) ?? target.authority },
    agent: false,
  });
  // Timeouts answer 504 as on the proxy path: connectTimeoutMs to connect, then timeoutMs to the answer's head.
  let timer = setTimeout(() => {
    request.destroy();
    done({ kind: 'failed', error: upstreamTimeout('connect_timeout') });
  }, connectTimeoutMs);
  request.once('socket', (socket: Socket) => {
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        request.destroy();
        done({ kind: 'failed', error: upstreamTimeout('timeout') });
      }, timeoutMs);
    });
  });
  request.on('upgrade', (response: IncomingMessage, socket: Socket, head: Buffer) => {
    const problem = switchProblem(response.headers, handshake.key);
    if (problem !== null) {
      socket.destroy();
      done({ kind: 'failed', error: badHandshake(problem) });
    } else {
      done({ kind: 'switched', upstream: socket, head, headers: response.headers });
    }
  });
  request.on('response', (response: IncomingMessage) => {
    if (response.statusCode === 101) {
      // A 101 Node did not take for an upgrade (no Upgrade header): never relay a protocol switch as a response.
      request.destroy();
      done({ kind: 'failed', error: badHandshake('a 101 without Upgrade') });
      return;
    }
    clearTimeout(timer);
    // The longest pause inside the body, as for any forwarded response.
    response.setTimeout(timeoutMs, () => response.destroy(new Error('upstream body timeout')));
    done({ kind: 'answered', response });
  });
  request.on('error', (error) => done({ kind: 'failed', error: upstreamUnavailable(upstreamCause(error)) }));
  request.end();
  return {
    outcome,
    abort() {
      request.destroy();
      done({ kind: 'failed', error: upstreamUnavailable() });
    },
  };
}

function writeHead(socket: Duplex, status: number, headers: HeaderRecord): void {
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`;
  for (const name in headers) {
    const value = headers[name] as string | string[];
    for (const one of Array.isArray(value) ? value : [value]) head += `${name}: ${one}\r\n`;
  }
  socket.write(`${head}\r\n`, 'latin1');
}

/** Resolves once `socket` can take more, or false when it closed first. */
function drained(socket: Duplex): Promise<boolean> {
  return new Promise((resolve) => {
    const onDrain = () => finish(true);
    const onClose = () => finish(false);
    const finish = (ok: boolean) => {
      socket.off('drain', onDrain);
      socket.off('close', onClose);
      resolve(ok);
    };
    socket.once('drain', onDrain);
    socket.once('close', onClose);
  });
}

/**
 * Writes an upstream's ordinary answer to a handshake on the client's socket as an HTTP/1.1 response (hop-by-hop
 * headers dropped as for any response; a body without Content-Length goes chunked). True when the whole
 * response went out and the connection can carry the next request.
 */
export async function relayResponse(
  socket: Duplex,
  response: IncomingMessage,
  requestId: string,
  extra: ResponseExtras | undefined,
): Promise<boolean> {
  const status = response.statusCode ?? 502;
  const headers = downstreamResponseHeaders(response.headers, requestId, extra);
  const bodiless = status === 204 || status === 304;
  const chunked = !bodiless && headers['content-length'] === undefined;
  if (chunked) headers['transfer-encoding'] = 'chunked';
  writeHead(socket, status, headers);
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
      if (bodiless) continue;
      const ok = chunked ? socket.write(`${chunk.length.toString(16)}\r\n`) && socket.write(chunk) && socket.write('\r\n') : socket.write(chunk);
      if (!ok && !(await drained(socket))) return false;
    }
  } catch {
    return false; // the upstream cut the body short: the client cannot tell where this response ends
  }
  if (!response.complete) return false;
  if (chunked) socket.write('0\r\n\r\n');
  return !socket.destroyed;
}

/** Completes the client's handshake with the upstream's 101 and pipes the two sockets, bytes untouched. */
export function spliceWebSocket(
  client: Duplex,
  clientHead: Buffer,
  switched: Extract<HandshakeOutcome, { kind: 'switched' }>,
  requestId: string,
  extra: ResponseExtras | undefined,
  onClose: () => void,
): void {
  const { upstream } = switched;
  const headers = downstreamResponseHeaders(switched.headers, requestId, extra);
  headers.upgrade = 'websocket';
  headers.connection = 'Upgrade';
  writeHead(client, 101, headers);
  if (switched.head.length > 0) client.write(switched.head);
  if (clientHead.length > 0) upstream.write(clientHead);
  upstream.pipe(client);
  client.pipe(upstream);
  upstream.on('error', () => client.destroy());
  client.on('error', () => upstream.destroy());
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    upstream.destroy();
    client.destroy();
    onClose();
  };
  upstream.on('close', close);
  client.on('close', close);
}
