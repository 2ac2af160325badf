// The current token version of each tenant, as `requireTenantAccess` checks it on every request. Cached per
// process and invalidated by `NOTIFY` on TENANT_TOKENS_CHANNEL (sent in the same transaction that bumps a
// version), so a password change or reset ends earlier tokens on every replica at once. While the LISTEN
// session is down the cache is bypassed: a missed notification can never leave an old token working.
import type { Queryable } from '../db/pool.js';
import { tokenVersionOf } from '../tenancy/tenants.js';

const MAX_AGE_MS = 60_000;
const MAX_ENTRIES = 100_000;

export interface TokenVersions {
  /** The tenant's current token version, or null when the tenant does not exist. */
  current(tenantId: string): Promise<number | null>;
  invalidate(tenantId: string): void;
  /** Whether invalidations are being received; when false every lookup goes to the database. */
  setListening(listening: boolean): void;
}

export function createTokenVersions(db: Queryable, now: () => number = Date.now): TokenVersions {
  const cache = new Map<string, { version: number; at: number }>();
  let listening = false;
  return {
    async current(tenantId) {
      const cached = listening ? cache.get(tenantId) : undefined;
      if (cached !== undefined && now() - cached.at < MAX_AGE_MS) return cached.version;
      const version = await tokenVersionOf(db, tenantId);
      if (listening && version !== null) {
        if (cache.size >= MAX_ENTRIES) cache.clear();
        cache.set(tenantId, { version, at: now() });
      }
      return version;
    },
    invalidate(tenantId) {
      cache.delete(tenantId);
    },
    setListening(value) {
      listening = value;
      cache.clear();
    },
  };
}
