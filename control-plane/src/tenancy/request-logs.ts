// Reading a tenant's stored request logs (gateway telemetry → hub → `request_logs`), newest first.
import { quotedTenantSchema } from './schema-name.js';
import type { TenantDb } from './tenant-db.js';

export interface RequestLogFilter {
  limit: number;
  status?: number;
  route?: string;
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

/** The tenant's request logs matching every given filter, newest first, at most `limit`. */
export async function listRequestLogs(db: TenantDb, tenantId: string, filter: RequestLogFilter): Promise<RequestLogRow[]> {
  const { rows } = await db.query<RequestLogRow>(
    tenantId,
    `SELECT request_id AS "requestId", method, path_template AS "pathTemplate", status, latency_ms AS "latencyMs",
            route, consumer, gateway_node AS "gatewayNode", time
       FROM ${quotedTenantSchema(tenantId)}.request_logs
      WHERE ($2::int IS NULL OR status = $2) AND ($3::text IS NULL OR route = $3)
      ORDER BY time DESC
      LIMIT $1`,
    [filter.limit, filter.status ?? null, filter.route ?? null],
  );
  return rows;
}
