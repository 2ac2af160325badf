// Telemetry retention by plan (plans.telemetry_retention_days): a periodic job deletes each tenant's old
// request_logs and error_events in batches of a bounded size, each its own short statement, so it never holds
// long locks or builds one huge transaction, and gives up a run after a bounded number of batches (the next run
// goes on). One replica at a time runs it (a session advisory lock; the others skip that round).
import type { Registry } from 'prom-client';
import type { Logger } from 'winston';
import type { Pool } from '../db/pool.js';
import { createRetentionMetrics } from '../telemetry/metrics.js';
import { quotedTenantSchema } from '../tenancy/schema-name.js';
import { tenantStatement } from '../tenancy/tenant-transaction.js';

export const RETENTION_LOCK_KEY = 7_431_002_512;

export interface RetentionOptions {
  batchSize: number;
  /** Per table and tenant per run: past it the rest waits for the next run. */
  maxBatchesPerRun: number;
}

export const DEFAULT_RETENTION: RetentionOptions = { batchSize: 5_000, maxBatchesPerRun: 200 };

export interface RetentionRun {
  /** False when another replica held the lock. */
  ran: boolean;
  requestLogsDeleted: number;
  errorEventsDeleted: number;
  batches: number;
  failedTenants: number;
}

type Table = 'request_logs' | 'error_events';

/** Deletes at most `batchSize` rows older than `days` from one tenant table; answers how many went. */
export async function deleteExpiredBatch(pool: Pool, tenantId: string, table: Table, days: number, batchSize: number): Promise<number> {
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

async function expireTenant(
  pool: Pool,
  tenant: { id: string; days: number },
  options: RetentionOptions,
  stopping: () => boolean,
  run: RetentionRun,
): Promise<void> {
  for (const table of ['request_logs', 'error_events'] as const) {
    for (let batch = 0; batch < options.maxBatchesPerRun && !stopping(); batch++) {
      const deleted = await deleteExpiredBatch(pool, tenant.id, table, tenant.days, options.batchSize);
      run.batches += 1;
      if (table === 'request_logs') run.requestLogsDeleted += deleted;
      else run.errorEventsDeleted += deleted;
      if (deleted < options.batchSize) break;
    }
  }
  await tenantStatement(
    pool,
    tenant.id,
    `DELETE FROM ${quotedTenantSchema(tenant.id)}.telemetry_usage WHERE day < (now() AT TIME ZONE 'UTC')::date - $1::int`,
    [tenant.days],
  );
}

/** One pass over every tenant. */
export async function runRetention(
  pool: Pool,
  options: RetentionOptions = DEFAULT_RETENTION,
  stopping: () => boolean = () => false,
): Promise<RetentionRun> {
  const run: RetentionRun = { ran: false, requestLogsDeleted: 0, errorEventsDeleted: 0, batches: 0, failedTenants: 0 };
  const lock = await pool.connect();
  try {
    const { rows: locked } = await lock.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [RETENTION_LOCK_KEY]);
    if (locked[0]?.ok !== true) return run;
    run.ran = true;
    try {
      const { rows: tenants } = await pool.query<{ id: string; days: number }>(
        `SELECT t.id, p.telemetry_retention_days AS days FROM public.tenants t JOIN public.plans p ON p.name = t.plan ORDER BY t.id`,
      );
      for (const tenant of tenants) {
        if (stopping()) break;
        try {
          await expireTenant(pool, tenant, options, stopping, run);
        } catch {
          // One tenant's failure (a schema mid-provisioning) must not stop the others; the next run retries it.
          run.failedTenants += 1;
        }
      }
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [RETENTION_LOCK_KEY]);
    }
    return run;
  } finally {
    lock.release();
  }
}

export interface RetentionJob {
  stop(): Promise<void>;
}

/** Runs `runRetention` every `intervalMs` (the first run after `firstRunMs`), one run at a time. */
export function startRetentionJob(
  pool: Pool,
  report: (run: RetentionRun) => void,
  failed: (error: unknown) => void,
  intervalMs = 10 * 60_000,
  firstRunMs = Math.min(60_000, intervalMs),
  options: RetentionOptions = DEFAULT_RETENTION,
): RetentionJob {
  let running: Promise<void> | null = null;
  let stopped = false;
  const tick = () => {
    if (running !== null || stopped) return;
    running = runRetention(pool, options, () => stopped)
      .then(report, failed)
      .finally(() => {
        running = null;
      });
  };
  const first = setTimeout(tick, firstRunMs);
  first.unref();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}

/** The job as the control plane runs it: deletions counted in a metric, failures logged. */
export function startTelemetryRetention(pool: Pool, logger: Logger, registry: Registry, intervalMs?: number): RetentionJob {
  const deleted = createRetentionMetrics(registry);
  return startRetentionJob(
    pool,
    (run) => {
      deleted.inc({ table: 'request_logs' }, run.requestLogsDeleted);
      deleted.inc({ table: 'error_events' }, run.errorEventsDeleted);
      if (run.requestLogsDeleted + run.errorEventsDeleted > 0 || run.failedTenants > 0) logger.info('telemetry retention', { ...run });
    },
    (error) => logger.warn('telemetry retention failed', { error: error instanceof Error ? error.message : 'unknown error' }),
    intervalMs,
  );
}
