// /healthz (the process is up), /readyz (database reachable and, when leading, caches synced) and /metrics.
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

export async function startHealthServer(options: {
  port: number;
  host?: string;
  registry: Registry;
  ready: () => Promise<{ ok: boolean; reason?: string }>;
}): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reply = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, 'method not allowed\n');
    if (path === '/healthz') return reply(200, 'ok\n');
    if (path === '/readyz') {
      void options
        .ready()
        .then((state) => reply(state.ok ? 200 : 503, state.ok ? 'ok\n' : `not ready: ${state.reason ?? 'unknown'}\n`))
        .catch(() => reply(503, 'not ready\n'));
      return;
    }
    if (path === '/metrics') {
      void options.registry
        .metrics()
        .then((text) => reply(200, text, options.registry.contentType))
        .catch(() => reply(500, 'metrics unavailable\n'));
      return;
    }
    reply(404, 'not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : options.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
