// Gateway presence that survives a Redis outage (issue 12, item 8): writes go to Redis and a failed one is
// dropped (gateway_nodes already holds what matters: the admission lease, last_seen and the acked version);
// reads come from Redis, or when it fails, from the live leases in gateway_nodes. After Redis returns, each
// connected node is marked in it again by the hub's next heartbeat (within one ping interval, 15 s).
import type { Pool } from '../db/pool.js';
import type { RedisHealth } from '../redis/health.js';
import { leasedNodes } from '../tenancy/gateway-leases.js';
import type { Presence } from './presence.js';

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
