// Test support: a minimal gateway protocol client (DESIGN §6) that records what the hub sends.
import { gunzipSync } from 'node:zlib';
import WebSocket from 'ws';
import { CONNECT_PATH, type ConfigFrameMessage, type HelloMessage } from '@novagate/gateway/protocol';

export interface ReceivedConfig extends ConfigFrameMessage {
  config: { services: unknown[]; routes: { name: string }[]; consumers: unknown[] };
  binary: boolean;
}

export interface ProtocolClient {
  socket: WebSocket;
  configs: ReceivedConfig[];
  /** Resolves with the first received config matching `accept`, waiting up to `timeoutMs`. */
  nextConfig(accept?: (config: ReceivedConfig) => boolean, timeoutMs?: number): Promise<ReceivedConfig>;
  send(message: unknown): void;
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

export function connectGateway(url: string, apiKey: string, ca?: string): Promise<ProtocolClient> {
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}${CONNECT_PATH}`, {
    headers: { authorization: `Bearer ${apiKey}` },
    ca,
    perMessageDeflate: false,
  });
  const configs: ReceivedConfig[] = [];
  const waiters = new Set<() => void>();
  socket.on('message', (data: Buffer, isBinary) => {
    const text = isBinary ? gunzipSync(data).toString('utf8') : data.toString('utf8');
    const message = JSON.parse(text) as ReceivedConfig;
    if (message.type === 'config') configs.push({ ...message, binary: isBinary });
    for (const wake of waiters) wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.on('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
      for (const wake of waiters) wake();
    });
  });
  const client: ProtocolClient = {
    socket,
    configs,
    closed,
    send: (message) => socket.send(JSON.stringify(message)),
    close: () => socket.close(),
    nextConfig(accept = () => true, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = configs.find(accept);
          if (found !== undefined) {
            cleanup();
            resolve(found);
          } else if (socket.readyState === WebSocket.CLOSED) {
            cleanup();
            reject(new Error('connection closed before the expected config arrived'));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no matching config within ${timeoutMs} ms (got versions ${configs.map((c) => c.version).join(',')})`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(client));
    socket.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused with ${res.statusCode}`)));
    socket.once('error', reject);
  });
}

/** Connects and says hello with the given state; returns the client. */
export async function helloGateway(
  url: string,
  apiKey: string,
  options: { ca?: string; nodeId?: string; configVersion?: number | null; configHash?: string | null } = {},
): Promise<ProtocolClient> {
  const client = await connectGateway(url, apiKey, options.ca);
  client.send({
    type: 'hello',
    nodeId: options.nodeId ?? `node-${Math.random().toString(36).slice(2, 10)}`,
    version: 'test-0.0.0',
    configVersion: options.configVersion ?? null,
    configHash: options.configHash ?? null,
  } satisfies HelloMessage);
  return client;
}
