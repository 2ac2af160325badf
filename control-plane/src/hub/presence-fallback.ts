// Gateway presence that survives a Redis outage (issue 12, item 8): writes go to Redis and a failed one is
// dropped (gateway_nodes already holds what matters: the admission lease, last_seen and the acked version);
// reads come from Redis, or when it fails, from the live leases in gateway_nodes. After Redis returns, each
// connected node is marked in it again by the hub's next heartbeat (within one ping interval, 15 s).
import type { Pool } from '../db/pool.js';
import type { RedisHealth } from '../redis/health.js';
import { quotedTenantSchema } from '../tenancy/schema-name.js';
import { tenantStatement } from '../tenancy/tenant-transaction.js';
import type { Presence, PresenceEntry } from './presence.js';

/** Nodes holding a live admission lease, in the shape of presence entries. */
export async function leasedNodes(pool: Pool, tenantId: string): Promise<Map<string, PresenceEntry>> {
  const { rows } = await tenantStatement<{ node_id: string; acked_version: string | null; acked_hash: string | null; last_seen: Date | null; lease_holder: string | null }>(
    pool,
    tenantId,
    `SELECT node_id, acked_version, acked_hash, last_seen, lease_holder
       FROM ${quotedTenantSchema(tenantId)}.gateway_nodes WHERE lease_expires_at > now()`,
    [],
  );
  const nodes = new Map<string, PresenceEntry>();
  for (const row of rows) {
    nodes.set(row.node_id, {
      lastSeen: (row.last_seen ?? new Date(0)).toISOString(),
      configVersion: row.acked_version === null ? null : Number(row.acked_version),
      configHash: row.acked_hash,
      ...(row.lease_holder === null ? {} : { connection: row.lease_holder }),
    });
  }
  return nodes;
}

export function createFallbackPresence(redis: Presence, db: Pool, health: RedisHealth): Presence {
  const write = async (operation: () => Promise<void>) => {
    try {
      await operation();
      health.succeeded();
    } catch (error) {
      health.failed('presence', error);
    }
  };
  return {
    mark: (tenantId, nodeId, entry) => write(() => redis.mark(tenantId, nodeId, entry)),
    markMany: (tenantId, entries) => write(() => redis.markMany(tenantId, entries)),
    remove: (tenantId, nodeId, connection) => write(() => redis.remove(tenantId, nodeId, connection)),
    async online(tenantId, now) {
      let online;
      try {
        online = await redis.online(tenantId, now);
      } catch (error) {
        health.failed('presence', error);
        return leasedNodes(db, tenantId);
      }
      health.succeeded();
      return online;
    },
  };
}
