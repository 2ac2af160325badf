// Telemetry retention by plan (plans.telemetry_retention_days): a periodic job deletes each tenant's old
// request_logs and error_events in batches of a bounded size, each its own short statement, so it never holds
// long locks or builds one huge transaction, and gives up a run after a bounded number of batches (the next run
// goes on). One replica at a time runs it (a session advisory lock; the others skip that round). Its SQL is in
// tenancy/telemetry-retention.ts.
import type { Registry } from 'prom-client';
import type { Logger } from 'winston';
import type { Pool } from '../db/pool.js';
import { createRetentionMetrics } from '../telemetry/metrics.js';
import { deleteExpiredBatch, deleteExpiredUsage, tenantRetentionDays, withRetentionLock } from '../tenancy/telemetry-retention.js';

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
  await deleteExpiredUsage(pool, tenant.id, tenant.days);
}

/** One pass over every tenant. */
export async function runRetention(
  pool: Pool,
  options: RetentionOptions = DEFAULT_RETENTION,
  stopping: () => boolean = () => false,
): Promise<RetentionRun> {
  const run: RetentionRun = { ran: false, requestLogsDeleted: 0, errorEventsDeleted: 0, batches: 0, failedTenants: 0 };
  await withRetentionLock(pool, async () => {
    run.ran = true;
    const tenants = await tenantRetentionDays(pool);
    for (const tenant of tenants) {
      if (stopping()) break;
      try {
        await expireTenant(pool, tenant, options, stopping, run);
      } catch {
        // One tenant's failure (a schema mid-provisioning) must not stop the others; the next run retries it.
        run.failedTenants += 1;
      }
    }
  });
  return run;
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
