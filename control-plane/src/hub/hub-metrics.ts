// The hub's config-delivery metrics: connections, gateways out of date, push latency and failures, nacks and
// snapshot sizes (the flood-protection metrics are in telemetry/metrics.ts).
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

const OUT_OF_DATE_AFTER_MS = 60_000;

export interface HubMetrics {
  pushSeconds: Histogram;
  pushFailures: Counter;
  nacks: Counter;
  snapshotBytes: Histogram;
}

/** `connections` lists this replica's connections with since when each lags its tenant's newest version (or null). */
export function createHubMetrics(registry: Registry, connections: () => { size: number } & Iterable<{ behindSince: number | null }>): HubMetrics {
  new Gauge({
    name: 'novagate_gateways_connected',
    help: 'Gateway WebSocket connections on this replica',
    registers: [registry],
    collect() {
      this.set(connections().size);
    },
  });
  new Gauge({
    name: 'novagate_gateways_out_of_date',
    help: "Online gateways not on their tenant's newest config version for over 60 s",
    registers: [registry],
    collect() {
      const now = Date.now();
      let count = 0;
      for (const connection of connections()) if (connection.behindSince !== null && now - connection.behindSince > OUT_OF_DATE_AFTER_MS) count++;
      this.set(count);
    },
  });
  return {
    pushSeconds: new Histogram({
      name: 'novagate_config_push_seconds',
      help: 'From this replica learning of a config version to a gateway acknowledging it',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    pushFailures: new Counter({
      name: 'novagate_config_push_failures_total',
      help: 'Config pushes that could not be sent (oversized snapshot, closed socket, database error)',
      registers: [registry],
    }),
    nacks: new Counter({ name: 'novagate_config_nacks_total', help: 'Config versions refused by gateways', registers: [registry] }),
    snapshotBytes: new Histogram({
      name: 'novagate_config_snapshot_bytes',
      help: 'Size of config snapshots before compression',
      buckets: [1024, 8192, 65536, 262144, 1048576, 4194304, 16777216],
      registers: [registry],
    }),
  };
}
