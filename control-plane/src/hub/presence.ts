// Gateway presence (DESIGN §6): Redis hash gw:online:<tenantId>, field = node id, value = JSON
// {lastSeen, configVersion, configHash}. Readers ignore and sweep entries older than 45 s (Redis 7.0 cannot
// expire one field). Without Redis, one process's own view in memory.
import type { Redis } from 'ioredis';
import { OFFLINE_AFTER_MS } from './protocol.js';

export interface PresenceEntry {
  lastSeen: string;
  configVersion: number | null;
  configHash: string | null;
}

export interface Presence {
  mark(tenantId: string, nodeId: string, entry: PresenceEntry): Promise<void>;
  /** Marks several nodes of one tenant at once (one Redis command). */
  markMany(tenantId: string, entries: Map<string, PresenceEntry>): Promise<void>;
  remove(tenantId: string, nodeId: string): Promise<void>;
  /** Online nodes of the tenant (seen within 45 s); stale entries are swept. */
  online(tenantId: string, now?: Date): Promise<Map<string, PresenceEntry>>;
}

export const presenceKey = (tenantId: string) => `gw:online:${tenantId}`;

function fresh(entry: PresenceEntry, now: Date): boolean {
  return now.getTime() - Date.parse(entry.lastSeen) <= OFFLINE_AFTER_MS;
}

export function createRedisPresence(redis: Redis): Presence {
  return {
    async mark(tenantId, nodeId, entry) {
      await redis.hset(presenceKey(tenantId), nodeId, JSON.stringify(entry));
    },
    async markMany(tenantId, entries) {
      if (entries.size === 0) return;
      const fields: Record<string, string> = {};
      for (const [nodeId, entry] of entries) fields[nodeId] = JSON.stringify(entry);
      await redis.hset(presenceKey(tenantId), fields);
    },
    async remove(tenantId, nodeId) {
      await redis.hdel(presenceKey(tenantId), nodeId);
    },
    async online(tenantId, now = new Date()) {
      const all = await redis.hgetall(presenceKey(tenantId));
      const result = new Map<string, PresenceEntry>();
      const stale: string[] = [];
      for (const [nodeId, raw] of Object.entries(all)) {
        let entry: PresenceEntry | null = null;
        try {
          entry = JSON.parse(raw) as PresenceEntry;
        } catch {
          entry = null;
        }
        if (entry !== null && fresh(entry, now)) result.set(nodeId, entry);
        else stale.push(nodeId);
      }
      if (stale.length > 0) await redis.hdel(presenceKey(tenantId), ...stale);
      return result;
    },
  };
}

export function createMemoryPresence(): Presence {
  const tenants = new Map<string, Map<string, PresenceEntry>>();
  return {
    async mark(tenantId, nodeId, entry) {
      let nodes = tenants.get(tenantId);
      if (nodes === undefined) tenants.set(tenantId, (nodes = new Map()));
      nodes.set(nodeId, entry);
    },
    async markMany(tenantId, entries) {
      let nodes = tenants.get(tenantId);
      if (nodes === undefined) tenants.set(tenantId, (nodes = new Map()));
      for (const [nodeId, entry] of entries) nodes.set(nodeId, entry);
    },
    async remove(tenantId, nodeId) {
      tenants.get(tenantId)?.delete(nodeId);
    },
    async online(tenantId, now = new Date()) {
      const nodes = tenants.get(tenantId) ?? new Map<string, PresenceEntry>();
      for (const [nodeId, entry] of nodes) if (!fresh(entry, now)) nodes.delete(nodeId);
      return new Map(nodes);
    },
  };
}
