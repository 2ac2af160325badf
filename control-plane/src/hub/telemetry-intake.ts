// Telemetry from gateways (request-log batches and error events): the entries the connection's and tenant's
// rates let through (the rest counted as dropped, before the costly validation), stored within the plan's
// daily quota (telemetry-quota.ts) into the tenant's own schema (tenancy/telemetry-store.ts).
import type { Pool } from '../db/pool.js';
import type { HubProtectionMetrics } from '../telemetry/metrics.js';
import { storeErrorEvents } from '../tenancy/telemetry-store.js';
import type { ConnectionRates } from './message-rates.js';
import { MAX_LOG_ENTRIES_PER_BATCH, type ErrorEvent, type LogEntry } from '@novagate/gateway/protocol';
import { createTelemetryQuota } from './telemetry-quota.js';

export interface TelemetryIntake {
  /**
   * For a parsed `logs` or `errors` message of a gateway that said hello: how many of its entries (events) the
   * connection's and tenant's rates let through, the rest counted as dropped. Error events share the log
   * entries' rates (a gateway aggregates them per second, so few ever arrive). Null for any other message.
   */
  granted(sender: { nodeId: string | null; rates: ConnectionRates }, parsed: unknown): number | null;
  /** Stores the first `granted` entries of a validated logs message, within the tenant's quota. */
  logs(tenantId: string, nodeId: string, entries: LogEntry[], granted: number): Promise<void>;
  /** Stores the first `granted` events of a validated errors message. */
  errors(tenantId: string, events: ErrorEvent[], granted: number): Promise<void>;
  /** Forgets a tenant's cached quota state (its last connection here left). */
  forget(tenantId: string): void;
}

export function createTelemetryIntake(pool: Pool, protectionMetrics: HubProtectionMetrics): TelemetryIntake {
  const quota = createTelemetryQuota(pool);
  return {
    granted(sender, parsed) {
      if (sender.nodeId === null || typeof parsed !== 'object' || parsed === null) return null;
      const { type, entries, events } = parsed as { type?: unknown; entries?: unknown; events?: unknown };
      const list = type === 'logs' ? entries : type === 'errors' ? events : undefined;
      if (!Array.isArray(list) || list.length > MAX_LOG_ENTRIES_PER_BATCH) return null; // validation refuses it
      const count = list.length;
      const grant = sender.rates.logEntries(count);
      if (grant.droppedByConnection > 0) protectionMetrics.logEntriesDropped.inc({ reason: 'connection_rate' }, grant.droppedByConnection);
      if (grant.droppedByTenant > 0) protectionMetrics.logEntriesDropped.inc({ reason: 'tenant_rate' }, grant.droppedByTenant);
      return grant.granted;
    },
    async logs(tenantId, nodeId, entries, granted) {
      const { stored, overQuota } = await quota.storeRequestLogs(tenantId, nodeId, entries.slice(0, granted));
      protectionMetrics.requestLogRowsWritten.inc(stored);
      if (overQuota > 0) protectionMetrics.logEntriesDropped.inc({ reason: 'quota' }, overQuota);
    },
    async errors(tenantId, events, granted) {
      await storeErrorEvents(pool, tenantId, events.slice(0, granted));
    },
    forget: (tenantId) => quota.forget(tenantId),
  };
}
