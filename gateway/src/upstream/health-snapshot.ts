// The health of every configured target of a config's services, as the metric and the `health` message
// report it: one entry per service and host:port from the config (so bounded by the config).
import type { ServicePool } from './service-pool.js';

export interface TargetHealthEntry {
  readonly service: string;
  readonly target: string;
  readonly healthy: boolean;
}

export function healthSnapshot(services: Iterable<{ readonly name: string; readonly pool: ServicePool }>): TargetHealthEntry[] {
  const entries: TargetHealthEntry[] = [];
  for (const service of services) {
    for (const state of service.pool.targetStates()) entries.push({ service: service.name, target: state.target, healthy: state.healthy });
  }
  return entries;
}
