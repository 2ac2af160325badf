// WebSocket pass-through: after the gateway admitted the upgrade request, the handshake is replayed to the
// upstream over a fresh TCP (or TLS) connection and both sockets are piped to each other, bytes untouched.
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Duplex } from 'node:stream';
import type { HeaderRecord } from './headers.js';
import type { UpstreamService } from './upstream.js';

export interface WebSocketTunnel {
  service: UpstreamService;
  clientSocket: Duplex;
  head: Buffer;
  method: string;
  path: string;
  headers: HeaderRecord;
  /** Called when the upstream cannot be reached (nothing was sent to the client yet). */
  onConnectError: (error: Error) => void;
  onClose: () => void;
}

function requestHead(method: string, path: string, host: string, headers: HeaderRecord): string {
  let head = `${method} ${path} HTTP/1.1\r\nhost: ${host}\r\n`;
  for (const name in headers) {
    const value = headers[name] as string | string[];
    for (const one of Array.isArray(value) ? value : [value]) head += `${name}: ${one}\r\n`;
  }
  return `${head}\r\n`;
}

export function openWebSocketTunnel(tunnel: WebSocketTunnel): void {
  const { url, connectTimeoutMs } = tunnel.service;
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const upstream: Socket =
    url.protocol === 'https:'
      ? tlsConnect({ host: url.hostname, port, servername: url.hostname })
      : netConnect({ host: url.hostname, port });
  let connected = false;
  const timer = setTimeout(() => upstream.destroy(new Error('connect timeout')), connectTimeoutMs);
  upstream.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
    connected = true;
    clearTimeout(timer);
    upstream.write(requestHead(tunnel.method, tunnel.path, url.host, tunnel.headers));
    if (tunnel.head.length > 0) upstream.write(tunnel.head);
    upstream.pipe(tunnel.clientSocket);
    tunnel.clientSocket.pipe(upstream);
  });
  upstream.on('error', (error) => {
    clearTimeout(timer);
    if (!connected) tunnel.onConnectError(error);
    else tunnel.clientSocket.destroy();
  });
  tunnel.clientSocket.on('error', () => upstream.destroy());
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    upstream.destroy();
    tunnel.clientSocket.destroy();
    tunnel.onClose();
  };
  upstream.on('close', close);
  tunnel.clientSocket.on('close', close);
}
