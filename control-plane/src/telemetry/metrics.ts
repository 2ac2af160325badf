// Prometheus metrics of the control plane (DESIGN §9), on a registry owned by the app instance.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ping, type Pool } from '../db/pool.js';

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
        await ping(pool);
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

/** What the hub counts of floods and key guessing (issue 12, items 5 and 13). No tenant label: bounded series. */
export interface HubProtectionMetrics {
  authFailures: Counter<'reason'>;
  messagesDropped: Counter<'reason'>;
  logEntriesDropped: Counter<'reason'>;
  reportsCoalesced: Counter<'type'>;
  reportsWritten: Counter<'type'>;
  messagesDelayed: Counter;
  socketsPaused: Counter;
  requestLogRowsWritten: Counter;
  /** Messages of a type this control plane does not know (a newer gateway's), ignored (DESIGN §10). */
  unknownMessages: Counter<'type'>;
  /** Unhealthy targets of `health` reports past the per-node cap, not stored. */
  unhealthyTargetsDropped: Counter;
}

export function createHubProtectionMetrics(registry: Registry, inboundQueued: () => number): HubProtectionMetrics {
  new Gauge({
    name: 'novagate_hub_inbound_queued_messages',
    help: 'Gateway messages waiting in the inbound queues of this replica (bounded per connection)',
    registers: [registry],
    collect() {
      this.set(inboundQueued());
    },
  });
  return {
    authFailures: new Counter({
      name: 'novagate_gateway_auth_failures_total',
      help: 'Gateway WebSocket upgrades refused, by reason (malformed, unknown, revoked, throttled)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    messagesDropped: new Counter({
      name: 'novagate_hub_messages_dropped_total',
      help: 'Gateway messages dropped unhandled: queue_full (past the hard cap of a connection queue) or shutdown',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    logEntriesDropped: new Counter({
      name: 'novagate_hub_log_entries_dropped_total',
      help: 'Request-log entries not stored: connection_rate, tenant_rate or quota (plan rows per day)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    reportsCoalesced: new Counter({
      name: 'novagate_hub_reports_coalesced_total',
      help: 'Acks, nacks and health reports replaced by a newer one from the same node before being written',
      labelNames: ['type'] as const,
      registers: [registry],
    }),
    reportsWritten: new Counter({
      name: 'novagate_hub_reports_written_total',
      help: 'Acks, nacks and health reports written to gateway_nodes (the newest of each node, at most one per reportIntervalMs)',
      labelNames: ['type'] as const,
      registers: [registry],
    }),
    messagesDelayed: new Counter({
      name: 'novagate_hub_messages_delayed_total',
      help: 'Gateway messages held back by the per-connection or per-tenant message rate',
      registers: [registry],
    }),
    socketsPaused: new Counter({
      name: 'novagate_hub_socket_pauses_total',
      help: 'Times a gateway socket stopped being read because its inbound queue was full (backpressure)',
      registers: [registry],
    }),
    requestLogRowsWritten: new Counter({
      name: 'novagate_telemetry_request_log_rows_written_total',
      help: 'request_logs rows written by this replica',
      registers: [registry],
    }),
    unknownMessages: new Counter({
      name: 'novagate_hub_unknown_messages_total',
      help: 'Gateway messages of a type this control plane does not know, ignored; type is the first 16 such names, then other',
      labelNames: ['type'] as const,
      registers: [registry],
    }),
    unhealthyTargetsDropped: new Counter({
      name: 'novagate_hub_unhealthy_targets_dropped_total',
      help: 'Unhealthy upstream targets of gateway health reports not kept because their node already has 1000',
      registers: [registry],
    }),
  };
}

/** Rows the telemetry retention job deleted, by table (request_logs, error_events). */
export function createRetentionMetrics(registry: Registry): Counter<'table'> {
  return new Counter({
    name: 'novagate_telemetry_retention_rows_deleted_total',
    help: 'Telemetry rows deleted by the retention job, by table',
    labelNames: ['table'] as const,
    registers: [registry],
  });
}
