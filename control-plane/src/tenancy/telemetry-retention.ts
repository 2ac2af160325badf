// The SQL of telemetry retention (plans.telemetry_retention_days): which tenants keep how many days, the
// bounded deletes of one tenant's old rows (as the tenant's role), and the advisory lock that lets one replica
// at a time run the job.
import type { Pool } from '../db/pool.js';
import { quotedTenantSchema } from './schema-name.js';
import { tenantStatement } from './tenant-transaction.js';

export const RETENTION_LOCK_KEY = 7_431_002_512;

export type TelemetryTable = 'request_logs' | 'error_events';

/** Deletes at most `batchSize` rows older than `days` from one tenant table; answers how many went. */
export async function deleteExpiredBatch(pool: Pool, tenantId: string, table: TelemetryTable, days: number, batchSize: number): Promise<number> {
  const name = `${quotedTenantSchema(tenantId)}.${table}`;
  // As the tenant's role, each batch in its own short transaction: a bug that named the wrong schema here
  // would delete another tenant's rows.
  const result = await tenantStatement(
    pool,
    tenantId,
    `DELETE FROM ${name} WHERE ctid IN (SELECT ctid FROM ${name} WHERE time < now() - make_interval(days => $1) LIMIT $2)`,
    [days, batchSize],
  );
  return result.rowCount ?? 0;
}

/** Deletes the tenant's telemetry_usage days older than `days`. */
export async function deleteExpiredUsage(pool: Pool, tenantId: string, days: number): Promise<void> {
  await tenantStatement(
    pool,
    tenantId,
    `DELETE FROM ${quotedTenantSchema(tenantId)}.telemetry_usage WHERE day < (now() AT TIME ZONE 'UTC')::date - $1::int`,
    [days],
  );
}

/** Every tenant with the days of telemetry its plan keeps, in id order. */
export async function tenantRetentionDays(pool: Pool): Promise<{ id: string; days: number }[]> {
  const { rows } = await pool.query<{ id: string; days: number }>(
    `SELECT t.id, p.telemetry_retention_days AS days FROM public.tenants t JOIN public.plans p ON p.name = t.plan ORDER BY t.id`,
  );
  return rows;
}

/**
 * Runs `work` holding the retention advisory lock (a session lock on a connection of its own), and answers
 * `{ locked: false }` at once when another replica holds it.
 */
export async function withRetentionLock<T>(pool: Pool, work: () => Promise<T>): Promise<{ locked: false } | { locked: true; result: T }> {
  const lock = await pool.connect();
  try {
    const { rows: locked } = await lock.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [RETENTION_LOCK_KEY]);
    if (locked[0]?.ok !== true) return { locked: false };
    try {
      return { locked: true, result: await work() };
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [RETENTION_LOCK_KEY]);
    }
  } finally {
    lock.release();
  }
}
