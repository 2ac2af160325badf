// Per-tenant telemetry quota by plan (plans.telemetry_rows_per_day, per UTC day): request-log entries past it
// are dropped. The day's count lives in the tenant's telemetry_usage table, written in the same statement as
// the rows (tenancy/telemetry-store.ts); this module caches each tenant's limit, and once a tenant has used its day it
// drops further entries without touching the database until the day ends (re-checking once a minute, in case
// the plan changed), so a flooding gateway costs no database work at all past its quota.
import type { Pool } from '../db/pool.js';
import { planTelemetryLimit } from '../tenancy/telemetry-quota.js';
import { storeRequestLogsWithinQuota } from '../tenancy/telemetry-store.js';
import type { LogEntry } from '@novagate/gateway/protocol';

/** How long a tenant's plan limit, and the knowledge that its day is used up, are trusted. */
export const QUOTA_RECHECK_MS = 60_000;

export interface QuotaResult {
  stored: number;
  /** Entries dropped because the tenant's day is used up. */
  overQuota: number;
}

export interface TelemetryQuota {
  storeRequestLogs(tenantId: string, nodeId: string, entries: LogEntry[]): Promise<QuotaResult>;
  /** Forgets a tenant's cached state (its last connection left). */
  forget(tenantId: string): void;
}

interface TenantQuotaState {
  limit: number | null;
  limitReadAt: number;
  /** The UTC day known to be used up, and when that was learned. */
  exhaustedDay: string | null;
  exhaustedAt: number;
}

/** The UTC calendar day of `ms`, as PostgreSQL's date literal. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function createTelemetryQuota(db: Pool, clock: () => number = Date.now): TelemetryQuota {
  const tenants = new Map<string, TenantQuotaState>();

  async function state(tenantId: string, now: number): Promise<TenantQuotaState> {
    let current = tenants.get(tenantId);
    if (current === undefined || now - current.limitReadAt >= QUOTA_RECHECK_MS) {
      const limit = await planTelemetryLimit(db, tenantId);
      current = { limit, limitReadAt: now, exhaustedDay: current?.exhaustedDay ?? null, exhaustedAt: current?.exhaustedAt ?? 0 };
      tenants.set(tenantId, current);
    }
    return current;
  }

  return {
    async storeRequestLogs(tenantId, nodeId, entries) {
      if (entries.length === 0) return { stored: 0, overQuota: 0 };
      const now = clock();
      const day = utcDay(now);
      const quota = await state(tenantId, now);
      if (quota.limit === 0) return { stored: 0, overQuota: entries.length };
      if (quota.exhaustedDay === day && now - quota.exhaustedAt < QUOTA_RECHECK_MS) return { stored: 0, overQuota: entries.length };
      const { stored, usedToday } = await storeRequestLogsWithinQuota(db, tenantId, nodeId, entries, day, quota.limit);
      if (quota.limit !== null && usedToday >= quota.limit) {
        quota.exhaustedDay = day;
        quota.exhaustedAt = now;
      } else {
        quota.exhaustedDay = null;
      }
      return { stored, overQuota: entries.length - stored };
    },
    forget(tenantId) {
      tenants.delete(tenantId);
    },
  };
}
