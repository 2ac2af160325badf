// A tenant's telemetry quota as its plan sets it (plans.telemetry_rows_per_day), read as the tenant's role.
import type { Pool } from '../db/pool.js';
import { tenantStatement } from './tenant-transaction.js';

/** Request-log rows per UTC day the tenant's plan allows: null = unlimited, 0 for a tenant that is gone. */
export async function planTelemetryLimit(pool: Pool, tenantId: string): Promise<number | null> {
  // As the tenant's role like every hub read of a tenant: row-level security shows it only its own tenant row.
  const { rows } = await tenantStatement<{ limit: string | null }>(
    pool,
    tenantId,
    `SELECT p.telemetry_rows_per_day AS limit FROM public.tenants t JOIN public.plans p ON p.name = t.plan WHERE t.id = $1`,
    [tenantId],
  );
  const limit = rows[0]?.limit;
  // A tenant that is gone gets no rows; it cannot have a schema to write them into either.
  if (limit === undefined) return 0;
  return limit === null ? null : Number(limit);
}
