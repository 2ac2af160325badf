// Gateway presence (DESIGN §6): Redis hash gw:online:<tenantId>, field = node id, value = JSON
// {lastSeen, configVersion, configHash, connection}. Readers ignore and sweep entries older than 45 s (Redis
// 7.0 cannot expire one field). `connection` (an addition to DESIGN) names the WebSocket connection that wrote
// the entry: a closing connection removes the entry only if it is still its own, so a node that has already
// reconnected to another replica stays online. Without Redis, one process's own view in memory.
import type { Redis } from 'ioredis';
import { OFFLINE_AFTER_MS } from '@novagate/gateway/protocol';

export interface PresenceEntry {
  lastSeen: string;
  configVersion: number | null;
  configHash: string | null;
  /** The id of the control-plane connection that wrote the entry. */
  connection?: string;
}

export interface Presence {
  mark(tenantId: string, nodeId: string, entry: PresenceEntry): Promise<void>;
  /** Marks several nodes of one tenant at once (one Redis command). */
  markMany(tenantId: string, entries: Map<string, PresenceEntry>): Promise<void>;
  /** Removes the node's entry if `connection` wrote it (a newer connection's entry stays). */
  remove(tenantId: string, nodeId: string, connection: string): Promise<void>;
  /** Online nodes of the tenant (seen within 45 s); stale entries are swept. */
  online(tenantId: string, now?: Date): Promise<Map<string, PresenceEntry>>;
}

export const presenceKey = (tenantId: string) => `gw:online:${tenantId}`;

function fresh(entry: PresenceEntry, now: Date): boolean {
  return now.getTime() - Date.parse(entry.lastSeen) <= OFFLINE_AFTER_MS;
}

// HDEL only when the stored entry is the closing connection's own (atomic: no write can come in between).
const REMOVE_OWN_ENTRY = `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
local ok, entry = pcall(cjson.decode, raw)
if ok and type(entry) == 'table' and entry.connection ~= nil and entry.connection ~= ARGV[2] then return 0 end
return redis.call('HDEL', KEYS[1], ARGV[1])
`;

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
    async remove(tenantId, nodeId, connection) {
      await redis.eval(REMOVE_OWN_ENTRY, 1, presenceKey(tenantId), nodeId, connection);
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
    async remove(tenantId, nodeId, connection) {
      const nodes = tenants.get(tenantId);
      const entry = nodes?.get(nodeId);
      if (entry !== undefined && (entry.connection === undefined || entry.connection === connection)) nodes?.delete(nodeId);
    },
    async online(tenantId, now = new Date()) {
      const nodes = tenants.get(tenantId) ?? new Map<string, PresenceEntry>();
      for (const [nodeId, entry] of nodes) if (!fresh(entry, now)) nodes.delete(nodeId);
      return new Map(nodes);
    },
  };
}
