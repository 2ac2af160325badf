// The operations endpoint on METRICS_PORT: /metrics (Prometheus text), /healthz (process up) and /readyz
// (a config is loaded and the gateway is not draining). Kept off the proxy port and off the hot path.
import { createServer, type Server } from 'node:http';

export interface MetricsServerOptions {
  metrics: () => Promise<{ contentType: string; body: string }>;
  ready: () => { ready: boolean; detail: Record<string, string | number | boolean> };
}

export function createMetricsServer(options: MetricsServerOptions): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const json = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(405, { error: { code: 'method_not_allowed' } });
    if (path === '/healthz') return json(200, { status: 'ok' });
    if (path === '/readyz') {
      const state = options.ready();
      return json(state.ready ? 200 : 503, { status: state.ready ? 'ready' : 'not_ready', ...state.detail });
    }
    if (path === '/metrics') {
      options
        .metrics()
        .then(({ contentType, body }) => {
          res.writeHead(200, { 'content-type': contentType });
          res.end(body);
        })
        .catch(() => json(500, { error: { code: 'metrics_unavailable' } }));
      return;
    }
    json(404, { error: { code: 'not_found' } });
  });
}
