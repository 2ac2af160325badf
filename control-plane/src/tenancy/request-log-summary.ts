// The overview's numbers from a tenant's request logs: per-minute buckets over the last minutes (empty minutes as
// zeros), totals, and the routes with the most server errors. Counted by the database (date_trunc, GROUP BY) over
// a time range the request_logs_time_idx index bounds, so the work grows with that range's rows, never the table.
import type pg from 'pg';
import { quotedTenantSchema } from './schema-name.js';
import type { TenantDb } from './tenant-db.js';

/** The summary covers at most this many minutes (three hours). */
export const MAX_SUMMARY_MINUTES = 180;
/** How many routes the "most errors" list holds. */
export const TOP_ERROR_ROUTES = 5;

export interface RequestCounts {
  requests: number;
  /** Answers with a 4xx status. */
  clientErrors: number;
  /** Answers with a 5xx status: the "errors" of the error rate. */
  serverErrors: number;
}

export interface MinuteBucket extends RequestCounts {
  /** The minute's start (UTC). */
  start: Date;
}

export interface RouteErrors extends RequestCounts {
  /** null for requests no route matched. */
  route: string | null;
}

export interface RequestLogSummary {
  /** The first bucket's start: the window is [from, to). */
  from: Date;
  to: Date;
  minutes: number;
  buckets: MinuteBucket[];
  totals: RequestCounts;
  /** Routes with at least one 5xx in the window, most 5xx first (then most requests, then name), at most five. */
  topErrorRoutes: RouteErrors[];
}

const COUNTS = `count(*)::int AS requests,
                count(*) FILTER (WHERE status BETWEEN 400 AND 499)::int AS "clientErrors",
                count(*) FILTER (WHERE status >= 500)::int AS "serverErrors"`;

/** The last `minutes` whole minutes up to and including the current one, by the database's clock. */
export async function summarizeRequestLogs(db: TenantDb, tenantId: string, minutes: number): Promise<RequestLogSummary> {
  const logs = `${quotedTenantSchema(tenantId)}.request_logs`;
  return db.transaction(tenantId, 'read', async (client: pg.PoolClient) => {
    const { rows: windows } = await client.query<{ from: Date; to: Date }>(
      `SELECT date_trunc('minute', now()) - make_interval(mins => $1 - 1) AS "from", date_trunc('minute', now()) + interval '1 minute' AS "to"`,
      [minutes],
    );
    const { from, to } = windows[0]!;
    const { rows: buckets } = await client.query<MinuteBucket>(
      `WITH counted AS (
         SELECT date_trunc('minute', time) AS start, ${COUNTS}
           FROM ${logs} WHERE time >= $1 AND time < $2 GROUP BY 1)
       SELECT minute AS start, coalesce(c.requests, 0) AS requests, coalesce(c."clientErrors", 0) AS "clientErrors",
              coalesce(c."serverErrors", 0) AS "serverErrors"
         FROM generate_series($1::timestamptz, $2::timestamptz - interval '1 minute', interval '1 minute') AS minute
         LEFT JOIN counted c ON c.start = minute
        ORDER BY minute`,
      [from, to],
    );
    const { rows: routes } = await client.query<RouteErrors>(
      `SELECT route, ${COUNTS} FROM ${logs} WHERE time >= $1 AND time < $2
        GROUP BY route HAVING count(*) FILTER (WHERE status >= 500) > 0
        ORDER BY "serverErrors" DESC, requests DESC, route NULLS LAST LIMIT $3`,
      [from, to, TOP_ERROR_ROUTES],
    );
    const totals = buckets.reduce<RequestCounts>(
      (sum, bucket) => ({ requests: sum.requests + bucket.requests, clientErrors: sum.clientErrors + bucket.clientErrors, serverErrors: sum.serverErrors + bucket.serverErrors }),
      { requests: 0, clientErrors: 0, serverErrors: 0 },
    );
    return { from, to, minutes, buckets, totals, topErrorRoutes: routes };
  });
}
