// The control plane's own metrics listener on METRICS_PORT (DESIGN §3): /metrics only, off the public API port,
// so the admin API's callers never see it. Served over TLS with the API's certificate when there is one.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Registry } from 'prom-client';

export function createMetricsServer(registry: Registry, tls?: { cert: string; key: string }): Server {
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    const json = (status: number, code: string) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code } }));
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(405, 'method_not_allowed');
    if (path !== '/metrics') return json(404, 'not_found');
    registry
      .metrics()
      .then((body) => {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(body);
      })
      .catch(() => json(500, 'metrics_unavailable'));
  };
  return tls === undefined ? createHttpServer(handler) : createHttpsServer(tls, handler);
}
