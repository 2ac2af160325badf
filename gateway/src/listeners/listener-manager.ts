// Opens, changes and closes the gateway's listening ports as configs arrive (DESIGN §10). One TCP server per
// bind port stays open while some listener uses the port; what it does with a new connection (plain HTTP/1.1,
// h2c prior knowledge beside it, or TLS with SNI and ALPN h2/http/1.1) is the port's mode, swapped in place,
// so connections on ports that did not change are never dropped. A config whose new port cannot bind is
// refused before anything switches, naming the listener and the reason.
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { constants as h2, createServer as createH2Server, type Http2Server, type Http2Session, type ServerHttp2Stream } from 'node:http2';
import type { Server as HttpServer, IncomingMessage, ServerResponse } from 'node:http';
import type { ConfigProblem } from '../config/index.js';
import type { CompiledConfig } from '../pipeline/compile.js';
import type { PreparedListeners } from '../pipeline/config-store.js';
import type { GatewayServer } from '../server/gateway-server.js';
import type { ClientLimits } from '../server/client-limits.js';
import type { Logger } from '../telemetry/logger.js';
import type { CertificateDir } from './certificate-dir.js';
import { certificateFor, loadCertificate, MIN_TLS_VERSION, sniTable, type LoadedCertificate, type SniTable } from './certificates.js';
import { boundResets, DEFAULT_HTTP2_LIMITS, http2ServerOptions, type Http2Limits } from './http2-limits.js';
import type { PortTable, ServedListener } from './listener-table.js';

/** The client preface every HTTP/2 connection starts with (RFC 9113 §3.4). */
const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

export interface ListenerManagerOptions {
  gateway: GatewayServer;
  /** LISTEN_ADDRESS; undefined: every address. */
  address: string | undefined;
  limits: ClientLimits;
  logger: Logger;
  certificateDir?: CertificateDir;
  http2?: Http2Limits;
  /** The certificates in use changed: name → notAfter in seconds (for the expiry metric). */
  onCertificates?: (expiry: ReadonlyMap<string, number>) => void;
  onRapidReset?: () => void;
}

export interface ListenerManager {
  /** Hook for the config store: binds the ports `compiled` adds; commit switches every port to it. */
  prepare(compiled: CompiledConfig): Promise<PreparedListeners>;
  /** Binds the implicit HTTP listener before any config (control-plane mode answers 503 until one arrives). */
  openImplicit(bindPort: number): Promise<{ ok: true } | { ok: false; reason: string }>;
  /** The address a bind port actually listens on (PORT 0 picks one). */
  addressOf(bindPort: number): AddressInfo | undefined;
  /** TLS_CERT_DIR changed: reload the certificate tables of every HTTPS port. */
  certificatesChanged(): void;
  /** Stops accepting on every port and ends HTTP/2 sessions gracefully (GatewayServer.drain waits for the requests). */
  close(): void;
}

interface PortMode {
  /** Equal keys: the port serves new connections the same way (protocol and h2c choice). */
  readonly key: string;
  accept(socket: Socket): void;
  /** The port's certificates (HTTPS only), swapped in place. */
  setCertificates?(table: SniTable): void;
  /** Lets open connections finish their requests, then closes them. */
  retire(): void;
}

interface OpenPort {
  readonly bindPort: number;
  readonly server: TcpServer;
  mode: PortMode | undefined;
  /** Listener names on it, for the messages of a later failure. */
  names: string[];
}

function bindReason(error: NodeJS.ErrnoException): string {
  if (error.code === 'EADDRINUSE') return 'address already in use';
  if (error.code === 'EACCES') return 'permission denied';
  if (error.code === 'EADDRNOTAVAIL') return 'address not available';
  return error.code ?? 'cannot listen';
}

function modeKey(table: PortTable<unknown>): string {
  return `${table.protocol}${table.http2 ? '+h2c' : ''}`;
}

export function createListenerManager(options: ListenerManagerOptions): ListenerManager {
  const { gateway, logger } = options;
  const http2Limits = options.http2 ?? DEFAULT_HTTP2_LIMITS;
  const ports = new Map<number, OpenPort>();
  let current: CompiledConfig | undefined;
  let lastDropWarning = 0;
  // Said once when a config leaves this gateway nothing to serve (GATEWAY_NAME owns no listener), not per config.
  let servedNothing = false;

  function openTcp(bindPort: number): Promise<{ ok: true; port: OpenPort } | { ok: false; reason: string }> {
    return new Promise((resolve) => {
      const open: OpenPort = { bindPort, server: createTcpServer({ pauseOnConnect: false }), mode: undefined, names: [] };
      const server = open.server;
      server.maxConnections = options.limits.maxConnections;
      server.on('drop', () => {
        if (Date.now() - lastDropWarning < 10_000) return;
        lastDropWarning = Date.now();
        logger.warn('connections refused: MAX_CONNECTIONS reached', { maxConnections: options.limits.maxConnections });
      });
      server.on('connection', (socket: Socket) => {
        if (open.mode === undefined) socket.destroy();
        else open.mode.accept(socket);
      });
      const refused = (error: NodeJS.ErrnoException) => resolve({ ok: false, reason: bindReason(error) });
      server.once('error', refused);
      server.listen({ port: bindPort, host: options.address }, () => {
        server.off('error', refused);
        server.on('error', (error: NodeJS.ErrnoException) => logger.warn('listener error', { bindPort, error: error.code ?? error.name }));
        resolve({ ok: true, port: open });
      });
    });
  }

  /** An HTTP/1.1 server of the gateway for this port, fed connections by hand. */
  function http1For(bindPort: number): HttpServer {
    const server = gateway.serverFor(bindPort);
    // node:http starts its header/request timers on 'listening'; this server never listens itself.
    server.emit('listening');
    return server;
  }

  function http2For(bindPort: number, sessions: Set<Http2Session>): Http2Server {
    const handler = gateway.handlerFor(bindPort);
    const server = createH2Server(http2ServerOptions(http2Limits), (req, res) => handler(req as unknown as IncomingMessage, res as unknown as ServerResponse));
    server.on('session', (session: Http2Session) => {
      sessions.add(session);
      session.once('close', () => sessions.delete(session));
      boundResets(session, http2Limits, () => {
        options.onRapidReset?.();
        logger.warn('HTTP/2 client reset too many streams: connection closed', { bindPort, maxResetsPerSecond: http2Limits.maxResetsPerSecond });
      });
    });
    // REQUEST_TIMEOUT_MS bounds receiving a whole request, as node:http does for HTTP/1.1: a stream whose body
    // has not ended in time is reset (the client's connection and other streams go on).
    server.on('stream', (stream: ServerHttp2Stream) => {
      if (stream.endAfterHeaders) return;
      const timer = setTimeout(() => stream.close(h2.NGHTTP2_CANCEL), options.limits.requestTimeoutMs);
      const clear = () => clearTimeout(timer);
      stream.once('end', clear);
      stream.once('close', clear);
    });
    // An idle session closes like an idle HTTP/1.1 keep-alive connection.
    server.setTimeout(65_000);
    return server;
  }

  function retireAll(http1: HttpServer, sessions: Set<Http2Session>): void {
    http1.close();
    for (const session of sessions) session.close();
  }

  function plainMode(table: PortTable<unknown>): PortMode {
    const http1 = http1For(table.bindPort);
    const sessions = new Set<Http2Session>();
    const http2 = table.http2 ? http2For(table.bindPort, sessions) : undefined;
    return {
      key: modeKey(table),
      accept(socket) {
        if (http2 === undefined) {
          http1.emit('connection', socket);
          return;
        }
        sniffPreface(socket, options.limits.headersTimeoutMs, (isHttp2) => (isHttp2 ? http2 : http1).emit('connection', socket));
      },
      retire: () => retireAll(http1, sessions),
    };
  }

  function tlsMode(table: PortTable<unknown>, certificates: SniTable): PortMode {
    let sni = certificates;
    const http1 = http1For(table.bindPort);
    const sessions = new Set<Http2Session>();
    const http2 = http2For(table.bindPort, sessions);
    const tls = createTlsServer({
      minVersion: MIN_TLS_VERSION,
      ALPNProtocols: ['h2', 'http/1.1'],
      cert: sni.fallback.cert,
      key: sni.fallback.key,
      SNICallback: (servername, callback) => callback(null, certificateFor(sni, servername).context),
      handshakeTimeout: options.limits.headersTimeoutMs,
    });
    tls.on('secureConnection', (socket: TLSSocket) => {
      (socket.alpnProtocol === 'h2' ? http2 : http1).emit('connection', socket);
    });
    // A failed handshake (TLS 1.0, no shared cipher, a scanner) ends that connection only.
    tls.on('tlsClientError', (_error, socket: TLSSocket) => socket.destroy());
    return {
      key: modeKey(table),
      accept: (socket) => tls.emit('connection', socket),
      setCertificates(table) {
        sni = table;
        tls.setSecureContext({ cert: table.fallback.cert, key: table.fallback.key, minVersion: MIN_TLS_VERSION });
      },
      retire: () => retireAll(http1, sessions),
    };
  }

  /** Certificates by name: the config's, then TLS_CERT_DIR's (the config wins a clash). */
  function loadedCertificates(compiled: CompiledConfig): Map<string, LoadedCertificate> {
    const loaded = new Map<string, LoadedCertificate>();
    const wanted = new Set(compiled.listeners.flatMap((listener) => listener.certificates));
    // A keyless entry (a CA bundle) cannot serve: compile refuses a listener naming one, and it is skipped here.
    for (const certificate of compiled.config.certificates ?? []) {
      if (wanted.has(certificate.name) && certificate.key !== undefined) loaded.set(certificate.name, loadCertificate(certificate.name, certificate.cert, certificate.key));
    }
    for (const name of wanted) {
      if (loaded.has(name) || compiled.config.certificates?.some((certificate) => certificate.name === name) === true) continue;
      const pair = options.certificateDir?.get(name);
      if (pair?.key !== undefined) loaded.set(name, loadCertificate(name, pair.cert, pair.key));
    }
    return loaded;
  }

  function portCertificates(table: PortTable<unknown>, loaded: ReadonlyMap<string, LoadedCertificate>): SniTable | undefined {
    const names = [...new Set(table.listeners.flatMap((entry) => entry.listener.certificates))];
    return sniTable(names.map((name) => loaded.get(name)).filter((certificate): certificate is LoadedCertificate => certificate !== undefined));
  }

  function problemsFor(listeners: readonly ServedListener[], message: string): ConfigProblem[] {
    return listeners.map((listener) => ({
      path: listener.index === undefined ? '' : `listeners[${listener.index}]`,
      message: `listener '${listener.name}' cannot listen on port ${listener.bindPort}: ${message}`,
    }));
  }

  function modeFor(table: PortTable<unknown>, loaded: ReadonlyMap<string, LoadedCertificate>, existing: PortMode | undefined): PortMode | ConfigProblem[] {
    if (table.protocol === 'HTTP') return existing?.key === modeKey(table) ? existing : plainMode(table);
    const certificates = portCertificates(table, loaded);
    if (certificates === undefined) return problemsFor(table.listeners.map((entry) => entry.listener), 'none of its certificates is available');
    if (existing?.key === modeKey(table) && existing.setCertificates !== undefined) {
      existing.setCertificates(certificates);
      return existing;
    }
    return tlsMode(table, certificates);
  }

  function reportExpiry(loaded: ReadonlyMap<string, LoadedCertificate>): void {
    options.onCertificates?.(new Map([...loaded.values()].map((certificate) => [certificate.name, certificate.expiresAt])));
  }

  async function prepare(compiled: CompiledConfig): Promise<PreparedListeners> {
    let loaded: Map<string, LoadedCertificate>;
    try {
      loaded = loadedCertificates(compiled);
    } catch {
      return { ok: false, problems: [{ path: 'certificates', message: 'a certificate could not be loaded for TLS' }] };
    }
    const opened: OpenPort[] = [];
    const problems: ConfigProblem[] = [];
    await Promise.all(
      [...compiled.ports.keys()].filter((bindPort) => !ports.has(bindPort)).map(async (bindPort) => {
        const result = await openTcp(bindPort);
        if (result.ok) opened.push(result.port);
        else problems.push(...problemsFor((compiled.ports.get(bindPort) as PortTable<unknown>).listeners.map((entry) => entry.listener), result.reason));
      }),
    );
    const modes = new Map<number, PortMode>();
    if (problems.length === 0) {
      for (const [bindPort, table] of compiled.ports) {
        const mode = modeFor(table, loaded, ports.get(bindPort)?.mode);
        if (Array.isArray(mode)) problems.push(...mode);
        else modes.set(bindPort, mode);
      }
    }
    if (problems.length > 0) {
      for (const port of opened) port.server.close();
      for (const [bindPort, mode] of modes) if (mode !== ports.get(bindPort)?.mode) mode.retire();
      return { ok: false, problems };
    }
    return {
      ok: true,
      listeners: {
        commit() {
          current = compiled;
          for (const port of opened) ports.set(port.bindPort, port);
          for (const [bindPort, port] of ports) {
            const mode = modes.get(bindPort);
            if (mode === undefined) {
              // No listener uses this port any more: stop accepting, let its connections finish.
              ports.delete(bindPort);
              port.server.close();
              port.mode?.retire();
              logger.info('listener closed', { bindPort, listeners: port.names.join(',') });
              continue;
            }
            if (port.mode !== mode) port.mode?.retire();
            const names = (compiled.ports.get(bindPort) as PortTable<unknown>).listeners.map((entry) => entry.listener.name);
            if (port.mode !== mode || names.join() !== port.names.join()) {
              logger.info('listener serving', { bindPort, listeners: names.join(','), mode: mode.key, port: (port.server.address() as AddressInfo | null)?.port });
            }
            port.mode = mode;
            port.names = names;
          }
          reportExpiry(loaded);
          const servesNothing = compiled.listeners.length === 0;
          if (servesNothing && !servedNothing) {
            logger.warn('no listener to serve: the config has none owned by GATEWAY_NAME, so no port is open', { version: compiled.version });
          }
          servedNothing = servesNothing;
        },
        abort() {
          for (const port of opened) port.server.close();
          for (const [bindPort, mode] of modes) if (mode !== ports.get(bindPort)?.mode) mode.retire();
        },
      },
    };
  }

  return {
    prepare,
    async openImplicit(bindPort) {
      const result = await openTcp(bindPort);
      if (!result.ok) return result;
      result.port.mode = plainMode({ bindPort, protocol: 'HTTP', http2: false, listeners: [], exact: new Map(), wildcards: [], fallback: undefined });
      result.port.names = ['http'];
      ports.set(bindPort, result.port);
      return { ok: true };
    },
    addressOf: (bindPort) => (ports.get(bindPort)?.server.address() as AddressInfo | null) ?? undefined,
    certificatesChanged() {
      if (current === undefined) return;
      let loaded: Map<string, LoadedCertificate>;
      try {
        loaded = loadedCertificates(current);
      } catch {
        logger.error('TLS_CERT_DIR: a certificate could not be loaded for TLS; the previous ones stay in use');
        return;
      }
      for (const [bindPort, table] of current.ports) {
        const port = ports.get(bindPort);
        const certificates = portCertificates(table, loaded);
        if (port?.mode?.setCertificates !== undefined && certificates !== undefined) port.mode.setCertificates(certificates);
      }
      reportExpiry(loaded);
    },
    close() {
      for (const port of ports.values()) {
        port.server.close();
        port.mode?.retire();
      }
      ports.clear();
    },
  };
}

/**
 * Reads just enough of a new plain connection to tell the HTTP/2 preface from an HTTP/1.1 request line, puts
 * the bytes back and says which it is. A connection that ends first goes to the HTTP/1.1 server; one that says
 * nothing decisive within HEADERS_TIMEOUT_MS is closed, as a request head that slow would be.
 */
function sniffPreface(socket: Socket, timeoutMs: number, decide: (isHttp2: boolean) => void): void {
  let seen = Buffer.alloc(0);
  const timer = setTimeout(() => socket.destroy(), timeoutMs);
  const onData = (chunk: Buffer) => {
    seen = Buffer.concat([seen, chunk]);
    const compared = Math.min(seen.length, H2_PREFACE.length);
    const matches = seen.subarray(0, compared).equals(H2_PREFACE.subarray(0, compared));
    if (matches && seen.length < H2_PREFACE.length) return;
    clearTimeout(timer);
    socket.off('data', onData);
    socket.off('end', onEnd);
    socket.pause();
    socket.unshift(seen);
    decide(matches);
    // node:http reads the socket as a stream and needs it flowing again; node:http2 reads it itself.
    if (!matches) socket.resume();
  };
  const onEnd = () => {
    clearTimeout(timer);
    socket.off('data', onData);
    decide(false);
  };
  socket.on('data', onData);
  socket.once('end', onEnd);
  socket.once('close', () => clearTimeout(timer));
}
