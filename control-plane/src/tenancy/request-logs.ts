// Reading a tenant's stored request logs (gateway telemetry → hub → `request_logs`): newest first, or, for a live
// tail, the rows after a cursor oldest first. Rows are ordered by (time, request_id) so that rows sharing a time
// still have one order, and a cursor is that pair: a poll with the last cursor neither repeats nor skips a row
// among those already stored with a time at or after it. Every query bounds `time` first, which the
// request_logs_time_idx index (tenant migration 001) serves.
import { quotedTenantSchema } from './schema-name.js';
import type { TenantDb } from './tenant-db.js';

/** A position in the (time, request_id) order: `time` to the microsecond as the database keeps it. */
export interface RequestLogPosition {
  /** RFC 3339 UTC with microseconds, e.g. 2026-11-30T10:00:00.123456Z. */
  time: string;
  requestId: string;
}

export interface RequestLogFilter {
  limit: number;
  status?: number;
  route?: string;
  /** RFC 3339; rows at or after it. */
  since?: string;
  /** RFC 3339; rows before it. */
  until?: string;
  /** Only rows after this position, oldest first (the live tail); without it, newest first. */
  after?: RequestLogPosition;
}

export interface RequestLogRow {
  requestId: string;
  method: string;
  pathTemplate: string;
  status: number;
  latencyMs: number;
  route: string;
  consumer: string | null;
  gatewayNode: string;
  time: Date;
}

export interface RequestLogPage {
  rows: RequestLogRow[];
  /**
   * Where a tail continues: the newest row returned; with no rows, `after` when given, else the database's now
   * (with the smallest request id, so a row stored at that very time still comes).
   */
  newest: RequestLogPosition;
}

const TIME_TEXT = `to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** The tenant's request logs matching every given filter, at most `limit`, with the position a tail continues from. */
export async function listRequestLogs(db: TenantDb, tenantId: string, filter: RequestLogFilter): Promise<RequestLogPage> {
  const tail = filter.after !== undefined;
  // request_id compares byte-wise (COLLATE "C") in both the cursor condition and the order, so they agree.
  const { rows } = await db.query<RequestLogRow & { timeText: string }>(
    tenantId,
    `SELECT request_id AS "requestId", method, path_template AS "pathTemplate", status, latency_ms AS "latencyMs",
            route, consumer, gateway_node AS "gatewayNode", time, ${TIME_TEXT} AS "timeText"
       FROM ${quotedTenantSchema(tenantId)}.request_logs
      WHERE ($2::int IS NULL OR status = $2) AND ($3::text IS NULL OR route = $3)
        AND ($4::timestamptz IS NULL OR time >= $4) AND ($5::timestamptz IS NULL OR time < $5)
        AND ($6::timestamptz IS NULL OR (time >= $6 AND (time, request_id COLLATE "C") > ($6, $7::text COLLATE "C")))
      ORDER BY time ${tail ? 'ASC' : 'DESC'}, request_id COLLATE "C" ${tail ? 'ASC' : 'DESC'}
      LIMIT $1`,
    [filter.limit, filter.status ?? null, filter.route ?? null, filter.since ?? null, filter.until ?? null, filter.after?.time ?? null, filter.after?.requestId ?? ''],
  );
  const newestRow = tail ? rows.at(-1) : rows[0];
  const newest = newestRow !== undefined ? { time: newestRow.timeText, requestId: newestRow.requestId } : (filter.after ?? { time: await databaseNow(db, tenantId), requestId: '' });
  return { rows: rows.map(({ timeText: _timeText, ...row }) => row), newest };
}

async function databaseNow(db: TenantDb, tenantId: string): Promise<string> {
  const { rows } = await db.query<{ now: string }>(tenantId, `SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS now`);
  return rows[0]!.now;
}
