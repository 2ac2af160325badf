// Reading a tenant's stored request logs (gateway telemetry → hub → `request_logs`): newest first by the time the
// gateway reported, or, for a live tail, in the order rows reached the control plane.
//
// The tail follows arrival, not the gateway's time: gateways ship batches about once a second and independently,
// so a row often arrives after rows with a newer `time`. Its position is (ingested_at, request_id), ingested_at
// being the inserting transaction's now() (tenant migration 015), i.e. its START: a transaction that started
// earlier can commit after a poll has already returned rows of a later one. So a tail poll returns the rows after
// its cursor AND re-reads the rows that arrived within TAIL_OVERLAP_SECONDS before it; the client drops the rows it
// has already shown (by request id). The guarantee: a client that polls with each answer's cursor and drops
// repeats is shown every stored row matching its filters, unless the row's insert transaction took longer than the
// overlap (a poll's cursor is never past its own start, so a row committed after it started at most the overlap
// before the cursor), or `limit` or more matching rows arrived after it and before the cursor of the first poll
// that could see it (the re-read part is the newest `limit` rows of the window).
import { quotedTenantSchema } from './schema-name.js';
import type { TenantDb } from './tenant-db.js';

/** How far before its cursor a tail poll re-reads, in seconds of arrival time. */
export const TAIL_OVERLAP_SECONDS = 10;

/** A position in the arrival order (ingested_at, request_id): `arrivedAt` to the microsecond as the database keeps it. */
export interface RequestLogPosition {
  /** RFC 3339 UTC with microseconds, e.g. 2026-11-30T10:00:00.123456Z. */
  arrivedAt: string;
  requestId: string;
}

export interface RequestLogFilter {
  limit: number;
  status?: number;
  route?: string;
  /** RFC 3339, on the gateway-reported time; rows at or after it. */
  since?: string;
  /** RFC 3339, on the gateway-reported time; rows before it. */
  until?: string;
  /**
   * The live tail: at most `limit` rows that arrived after this position, plus at most `limit` rows re-read from
   * the overlap before it, all in arrival order; without it, the newest first by `time`.
   */
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
   * Where a tail continues: for a tail poll the last row it returned after `after` (or `after` again); for a
   * listing the database's now taken before the rows were read (with the smallest request id).
   */
  next: RequestLogPosition;
}

const COLUMNS = `request_id AS "requestId", method, path_template AS "pathTemplate", status, latency_ms AS "latencyMs",
                 route, consumer, gateway_node AS "gatewayNode", time`;
// $2..$5: the filters every query shares.
const FILTERS = `($2::int IS NULL OR status = $2) AND ($3::text IS NULL OR route = $3)
                 AND ($4::timestamptz IS NULL OR time >= $4) AND ($5::timestamptz IS NULL OR time < $5)`;
const utcText = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** The tenant's request logs matching every given filter, with the position a tail continues from. */
export async function listRequestLogs(db: TenantDb, tenantId: string, filter: RequestLogFilter): Promise<RequestLogPage> {
  const filters = [filter.limit, filter.status ?? null, filter.route ?? null, filter.since ?? null, filter.until ?? null];
  const table = `${quotedTenantSchema(tenantId)}.request_logs`;
  if (filter.after === undefined) {
    // Now first: a row committed after the listing read its rows has arrived after now - overlap (unless its
    // transaction outlasted the overlap), so the first tail poll re-reads or passes it.
    const next = { arrivedAt: await databaseNow(db, tenantId), requestId: '' };
    const { rows } = await db.query<RequestLogRow>(
      tenantId,
      `SELECT ${COLUMNS} FROM ${table} WHERE ${FILTERS} ORDER BY time DESC, request_id COLLATE "C" DESC LIMIT $1`,
      filters,
    );
    return { rows, next };
  }
  // request_id compares byte-wise (COLLATE "C") in the conditions, the orders and request_logs_ingested_idx alike.
  const position = `(ingested_at, request_id COLLATE "C")`;
  const cursor = `($6::timestamptz, $7::text COLLATE "C")`;
  const { rows } = await db.query<RequestLogRow & { ingested_at: Date; arrivedAt: string; fresh: boolean }>(
    tenantId,
    `SELECT * FROM (
       (SELECT ${COLUMNS}, ingested_at, ${utcText('ingested_at')} AS "arrivedAt", true AS fresh FROM ${table}
         WHERE ${FILTERS} AND ingested_at >= $6 AND ${position} > ${cursor}
         ORDER BY ingested_at ASC, request_id COLLATE "C" ASC LIMIT $1)
       UNION ALL
       (SELECT ${COLUMNS}, ingested_at, ${utcText('ingested_at')} AS "arrivedAt", false AS fresh FROM ${table}
         WHERE ${FILTERS} AND ingested_at >= $6::timestamptz - make_interval(secs => $8) AND ${position} <= ${cursor}
         ORDER BY ingested_at DESC, request_id COLLATE "C" DESC LIMIT $1)
     ) AS tail
     ORDER BY ingested_at ASC, "requestId" COLLATE "C" ASC`,
    [...filters, filter.after.arrivedAt, filter.after.requestId, TAIL_OVERLAP_SECONDS],
  );
  const last = rows.findLast((row) => row.fresh);
  const next = last === undefined ? filter.after : { arrivedAt: last.arrivedAt, requestId: last.requestId };
  return { rows: rows.map(({ arrivedAt: _arrivedAt, fresh: _fresh, ingested_at: _ingestedAt, ...row }) => row), next };
}

async function databaseNow(db: TenantDb, tenantId: string): Promise<string> {
  const { rows } = await db.query<{ now: string }>(tenantId, `SELECT ${utcText('now()')} AS now`);
  return rows[0]!.now;
}
