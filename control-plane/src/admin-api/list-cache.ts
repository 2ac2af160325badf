// Serialized list responses (GET /services, /routes, /consumers) per tenant, so that reading a list does not
// cost a database query each time. Every change to those tables records a config version, and every config
// version is announced by `NOTIFY novagate_config_changed`; the replica that made the change drops the
// tenant's entry before it answers, the others when the notification arrives. While the LISTEN session is
// down nothing is cached. A load that overlaps an invalidation is not stored (the tenant's generation moved
// on), so a list read before a change can never be cached after it. Entries also expire after MAX_AGE_MS.

export const MAX_AGE_MS = 10_000;
const MAX_TENANTS = 10_000;

export type ListName = 'services' | 'routes' | 'consumers' | 'listeners';

export interface ListCache {
  /** The cached body for the tenant's list, or the one `load` produces (stored when still current). */
  get(tenantId: string, list: ListName, load: () => Promise<string>): Promise<string>;
  invalidate(tenantId: string): void;
  /** Whether invalidations are being received; when false nothing is cached. */
  setListening(listening: boolean): void;
}

interface TenantEntry {
  generation: number;
  bodies: Map<ListName, { body: string; at: number }>;
}

export function createListCache(now: () => number = Date.now): ListCache {
  const tenants = new Map<string, TenantEntry>();
  let listening = false;
  return {
    async get(tenantId, list, load) {
      if (!listening) return load();
      let entry = tenants.get(tenantId);
      const cached = entry?.bodies.get(list);
      if (cached !== undefined && now() - cached.at < MAX_AGE_MS) return cached.body;
      if (entry === undefined) {
        if (tenants.size >= MAX_TENANTS) tenants.clear();
        entry = { generation: 0, bodies: new Map() };
        tenants.set(tenantId, entry);
      }
      const generation = entry.generation;
      const loadedAt = now();
      const body = await load();
      // Store only when no invalidation (and no clear) happened while loading.
      if (listening && tenants.get(tenantId) === entry && entry.generation === generation) entry.bodies.set(list, { body, at: loadedAt });
      return body;
    },
    invalidate(tenantId) {
      const entry = tenants.get(tenantId);
      if (entry === undefined) return;
      entry.generation += 1;
      entry.bodies.clear();
    },
    setListening(value) {
      listening = value;
      tenants.clear();
    },
  };
}
