// Prometheus metrics of the control plane (DESIGN §9), on a registry owned by the app instance.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Pool } from '../db/pool.js';

export interface ControlPlaneMetrics {
  registry: Registry;
  databaseUp: Gauge;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route'>;
}

export function createMetrics(pool: Pool): ControlPlaneMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const databaseUp = new Gauge({
    name: 'novagate_database_up',
    help: '1 when the last database probe succeeded',
    registers: [registry],
    async collect() {
      try {
        await pool.query('SELECT 1');
        this.set(1);
      } catch {
        this.set(0);
      }
    },
  });
  const httpRequests = new Counter({
    name: 'novagate_control_plane_http_requests_total',
    help: 'Admin and auth API requests by route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'novagate_control_plane_http_request_duration_seconds',
    help: 'Admin and auth API latency by route template',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  return { registry, databaseUp, httpRequests, httpDuration };
}
