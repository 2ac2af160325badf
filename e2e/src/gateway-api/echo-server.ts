// The stand-in for upstream's `echo-basic` pods: an HTTP server on one loopback address and port that answers every
// request with the JSON the conformance tests read (path, host, method, proto, headers, httpPort, namespace, pod),
// as echo-basic's RequestAssertions spells it. `X-Echo-Set-Header: Name:value,…` sets response headers and
// `?delay=1s` waits before answering, as there. Also echo-basic's h2c mode (its own port) and WebSocket mode (an
// upgrade on the HTTP port: messages come back unchanged). Each server keeps a bounded log of what it answered, which
// NovaGate's own Extended checks read (a mirror's copy reaches a pod whose answer nobody sees).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttp2Server, type Http2Server, type Http2ServerRequest, type Http2ServerResponse, type Http2Session } from 'node:http2';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';

/** Who the server says it is: upstream fills these from the pod's environment. */
export interface EchoIdentity {
  namespace: string;
  pod: string;
}

/** The JSON body of an echo answer (echo-basic's RequestAssertions with its Context inlined). */
export interface EchoResponse {
  path: string;
  host: string;
  method: string;
  proto: string;
  headers: Record<string, string[]>;
  httpPort: string;
  namespace: string;
  ingress: string;
  service: string;
  pod: string;
}

/** Canonical MIME header case (`x-echo-set-header` → `X-Echo-Set-Header`), as Go's net/http reports names. */
export function canonicalHeaderName(name: string): string {
  return name
    .split('-')
    .map((part) => (part === '' ? part : part[0]!.toUpperCase() + part.slice(1).toLowerCase()))
    .join('-');
}

/** A request's headers as Go's http.Header holds them: canonical names, every value of repeated headers. */
export function goHeaders(request: IncomingMessage | Http2ServerRequest): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  const raw = request.rawHeaders;
  for (let index = 0; index + 1 < raw.length; index += 2) {
    if (raw[index]!.startsWith(':')) continue; // HTTP/2 pseudo-headers: Go reports them as method, path and host
    const name = canonicalHeaderName(raw[index]!);
    if (name === 'Host') continue; // Go moves Host out of the header map into Request.Host
    (headers[name] ??= []).push(raw[index + 1]!);
  }
  return headers;
}

/** The response headers that X-Echo-Set-Header asks for: `Name:value` pairs separated by commas. */
export function echoSetHeaders(values: readonly string[]): Map<string, string> {
  const set = new Map<string, string>();
  for (const list of values) {
    for (const pair of list.split(',')) {
      const trimmed = pair.trim();
      const colon = trimmed.indexOf(':');
      const name = colon === -1 ? trimmed : trimmed.slice(0, colon);
      const value = colon === -1 ? '' : trimmed.slice(colon + 1);
      if (name === '') continue;
      const existing = set.get(name);
      set.set(name, existing === undefined ? value : `${existing},${value.trim()}`);
    }
  }
  return set;
}

/** A request as either server kind sees it (HTTP/1.1, or h2c where the pseudo-headers ride along in rawHeaders). */
type EchoRequest = IncomingMessage | Http2ServerRequest;

export function echoResponse(request: EchoRequest, identity: EchoIdentity, port: number): EchoResponse {
  const authority = request.headers[':authority'];
  return {
    path: request.url ?? '',
    host: request.headers.host ?? (typeof authority === 'string' ? authority : ''),
    method: request.method ?? '',
    proto: `HTTP/${request.httpVersion}`,
    headers: goHeaders(request),
    httpPort: String(port),
    namespace: identity.namespace,
    ingress: '',
    service: '',
    pod: identity.pod,
  };
}

/** The longest wait `?delay=` may ask for: a stand-in pod never holds a connection longer than this. */
export const MAX_ECHO_DELAY_MS = 30_000;
const GO_DURATION_UNIT_MS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
const GO_DURATION = /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:ns|us|µs|ms|s|m|h)/;

/**
 * The wait `?delay=` asks for in ms, as echo-basic reads it (a Go duration: `1s`, `500ms`, `1m30s`, `1.5s`); no
 * `delay` is 0. Throws naming the parameter when it is malformed, negative or above MAX_ECHO_DELAY_MS.
 */
export function echoDelayMs(url: string): number {
  const query = url.indexOf('?');
  const value = query === -1 ? null : new URLSearchParams(url.slice(query + 1)).get('delay');
  if (value === null || value === '') return 0;
  if (value === '0') return 0;
  let rest = value;
  let total = 0;
  while (rest !== '') {
    const component = GO_DURATION.exec(rest);
    if (component === null) throw new RangeError(`query parameter delay '${value.slice(0, 40)}' is not a duration such as 1s or 500ms`);
    const [, unit] = /([a-zµ]+)$/.exec(component[0]) as unknown as [string, string];
    total += Number(component[0].slice(0, -unit.length)) * (GO_DURATION_UNIT_MS[unit] as number);
    rest = rest.slice(component[0].length);
  }
  if (total > MAX_ECHO_DELAY_MS) throw new RangeError(`query parameter delay '${value}' exceeds ${MAX_ECHO_DELAY_MS / 1000}s`);
  return Math.round(total);
}

/** One request an echo server answered: what the own Extended checks read (a mirror's copy, for one). */
export interface SeenRequest {
  /** Epoch ms when its headers arrived. */
  at: number;
  pod: string;
  namespace: string;
  method: string;
  path: string;
  host: string;
  proto: string;
  headers: Record<string, string[]>;
}

/** The last `capacity` requests of one server, oldest first: bounded, so a flood costs memory only up to it. */
export class RequestLog {
  private readonly entries: SeenRequest[] = [];
  constructor(private readonly capacity = 1_000) {}

  record(entry: SeenRequest): void {
    this.entries.push(entry);
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
  }

  list(): readonly SeenRequest[] {
    return [...this.entries];
  }
}

function answer(request: EchoRequest, response: ServerResponse | Http2ServerResponse, identity: EchoIdentity, port: number, log: RequestLog): void {
  const echo = echoResponse(request, identity, port);
  log.record({ at: Date.now(), pod: identity.pod, namespace: identity.namespace, method: echo.method, path: echo.path, host: echo.host, proto: echo.proto, headers: echo.headers });
  let delayMs: number;
  try {
    delayMs = echoDelayMs(echo.path);
  } catch (error) {
    request.resume();
    response.statusCode = 400;
    response.setHeader('Content-Type', 'text/plain');
    response.end(`${(error as Error).message}\n`);
    return;
  }
  // The body is read to its end first, so a client that sends one is never answered mid-upload.
  request.resume();
  request.on('end', () => {
    const reply = () => {
      if (response.destroyed) return;
      for (const [name, value] of echoSetHeaders(echo.headers['X-Echo-Set-Header'] ?? [])) response.setHeader(name, value);
      response.setHeader('Content-Type', 'application/json');
      response.setHeader('X-Content-Type-Options', 'nosniff');
      response.end(JSON.stringify(echo, null, 1));
    };
    if (delayMs === 0) return reply();
    // A client that leaves while the answer waits (a gateway's timeout) frees the timer at once.
    const timer = setTimeout(reply, delayMs);
    response.once('close', () => clearTimeout(timer));
  });
}

export interface EchoServer {
  address: string;
  port: number;
  identity: EchoIdentity;
  /** What the server answered, oldest first (the last 1,000 requests). */
  seen(): readonly SeenRequest[];
  close(): Promise<void>;
}

export interface EchoServerOptions {
  /** Serve h2c (HTTP/2 with prior knowledge, echo-basic's H2C_PORT mode) instead of HTTP/1.1. */
  h2c?: boolean;
}

/**
 * Starts one echo server on `address:port` (port 0 picks a free one). The HTTP/1.1 one also accepts WebSocket
 * upgrades (echo-basic's WebSocket mode on the same port): each text or binary message comes back unchanged.
 */
export async function startEchoServer(identity: EchoIdentity, address: string, port = 0, options: EchoServerOptions = {}): Promise<EchoServer> {
  let boundPort = port;
  const log = new RequestLog();
  let server: Server | Http2Server;
  let sockets: WebSocketServer | null = null;
  if (options.h2c === true) {
    const h2 = createHttp2Server({ maxSessionMemory: 4 }, (request, response) => answer(request, response, identity, boundPort, log));
    // An h2c session a peer leaves idle is closed, as a pod's server would: nothing holds the run open.
    h2.on('session', (session: Http2Session) => session.setTimeout(60_000, () => session.close()));
    server = h2;
  } else {
    const http1 = createServer({ maxHeaderSize: 64 * 1024 }, (request, response) => answer(request, response, identity, boundPort, log));
    http1.headersTimeout = 10_000;
    http1.requestTimeout = 30_000;
    const webSockets = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
    http1.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', () => socket.destroy());
      if ((request.headers.upgrade ?? '').toLowerCase() !== 'websocket') return socket.destroy();
      webSockets.handleUpgrade(request, socket, head, (webSocket) => {
        const echo = echoResponse(request, identity, boundPort);
        log.record({ at: Date.now(), pod: identity.pod, namespace: identity.namespace, method: echo.method, path: echo.path, host: echo.host, proto: 'websocket', headers: echo.headers });
        webSocket.on('message', (data, isBinary) => webSocket.send(data, { binary: isBinary }));
        webSocket.on('error', () => webSocket.terminate());
      });
    });
    sockets = webSockets;
    server = http1;
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => resolve());
  });
  const bound = server.address();
  boundPort = typeof bound === 'object' && bound !== null ? bound.port : port;
  const sessions = new Set<Http2Session>();
  if (options.h2c === true) {
    (server as Http2Server).on('session', (session: Http2Session) => {
      sessions.add(session);
      session.once('close', () => sessions.delete(session));
    });
  }
  return {
    address,
    port: boundPort,
    identity,
    seen: () => log.list(),
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of sockets?.clients ?? []) client.terminate();
        sockets?.close();
        for (const session of sessions) session.destroy();
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
