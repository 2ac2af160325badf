// Writes gateway telemetry (request-log batches and error events) into the sending tenant's own schema.
// The tenant and node come from the authenticated connection, never from the message; the writes run as the
// tenant's database role (tenant-transaction.ts).
import type { ErrorEvent, LogEntry } from '@novagate/gateway/protocol';
import type { Pool } from '../db/pool.js';
import { quotedTenantSchema } from './schema-name.js';
import { tenantStatement, withTenantTransaction } from './tenant-transaction.js';

/** One request_logs row as a gateway reports it (the protocol's log entry; `time` is an ISO timestamp). */
export type RequestLogEntry = LogEntry;
/** One error_events row as a gateway reports it. */
export type ErrorEventEntry = ErrorEvent;

/**
 * Stores the first entries that fit in the tenant's quota for `day` (null = unlimited) and counts them in
 * telemetry_usage, in one statement under that day's row lock; answers how many were stored and the day's total.
 * `ingested_at` is left to its default, now(): the transaction's start, which the live tail's overlap allows for
 * (tenancy/request-logs.ts).
 */
export async function storeRequestLogsWithinQuota(
  pool: Pool,
  tenantId: string,
  nodeId: string,
  entries: RequestLogEntry[],
  day: string,
  rowsPerDay: number | null,
): Promise<{ stored: number; usedToday: number }> {
  const schema = quotedTenantSchema(tenantId);
  return withTenantTransaction(pool, tenantId, async (db) => {
    await db.query(`INSERT INTO ${schema}.telemetry_usage (day) VALUES ($1) ON CONFLICT (day) DO NOTHING`, [day]);
    const { rows } = await db.query<{ stored: string; used: string }>(
      `WITH before AS (SELECT request_log_rows AS used FROM ${schema}.telemetry_usage WHERE day = $10 FOR UPDATE),
            allowed AS (SELECT CASE WHEN $11::bigint IS NULL THEN $12::bigint
                                    ELSE LEAST($12::bigint, GREATEST(0, $11::bigint - used)) END AS n, used FROM before),
            counted AS (UPDATE ${schema}.telemetry_usage SET request_log_rows = request_log_rows + (SELECT n FROM allowed) WHERE day = $10),
            written AS (
              INSERT INTO ${schema}.request_logs
                (request_id, method, path_template, status, latency_ms, route, consumer, gateway_node, time)
              SELECT request_id, method, path_template, status, latency_ms, route, consumer, $9, time
                FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::float8[], $6::text[], $7::text[], $8::timestamptz[])
                  WITH ORDINALITY AS e(request_id, method, path_template, status, latency_ms, route, consumer, time, ord)
               WHERE ord <= (SELECT n FROM allowed))
       SELECT n AS stored, used + n AS used FROM allowed`,
      [
        entries.map((e) => e.requestId),
        entries.map((e) => e.method),
        entries.map((e) => e.pathTemplate),
        entries.map((e) => e.status),
        entries.map((e) => e.latencyMs),
        entries.map((e) => e.route),
        entries.map((e) => e.consumer ?? null),
        entries.map((e) => e.time),
        nodeId,
        day,
        rowsPerDay,
        entries.length,
      ],
    );
    const row = rows[0];
    return row === undefined ? { stored: 0, usedToday: 0 } : { stored: Number(row.stored), usedToday: Number(row.used) };
  });
}

export async function storeErrorEvents(pool: Pool, tenantId: string, events: ErrorEventEntry[]): Promise<void> {
  if (events.length === 0) return;
  await tenantStatement(
    pool,
    tenantId,
    `INSERT INTO ${quotedTenantSchema(tenantId)}.error_events (code, service, count, time)
     SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::timestamptz[])`,
    [events.map((e) => e.code), events.map((e) => e.service), events.map((e) => e.count), events.map((e) => e.time)],
  );
}
