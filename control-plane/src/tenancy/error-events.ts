// Reading a tenant's stored error events (gateway telemetry → hub → `error_events`), newest first.
import { quotedTenantSchema } from './schema-name.js';
import type { TenantDb } from './tenant-db.js';

export interface ErrorEventFilter {
  limit: number;
  code?: string;
  service?: string;
  /** RFC 3339; events at or after it. */
  since?: string;
  /** RFC 3339; events before it. */
  until?: string;
}

export interface ErrorEventRow {
  code: string;
  service: string | null;
  count: number;
  time: Date;
}

/** The tenant's error events matching every given filter, newest first, at most `limit`. */
export async function listErrorEvents(db: TenantDb, tenantId: string, filter: ErrorEventFilter): Promise<ErrorEventRow[]> {
  const { rows } = await db.query<ErrorEventRow>(
    tenantId,
    `SELECT code, service, count, time
       FROM ${quotedTenantSchema(tenantId)}.error_events
      WHERE ($2::text IS NULL OR code = $2) AND ($3::text IS NULL OR service = $3)
        AND ($4::timestamptz IS NULL OR time >= $4) AND ($5::timestamptz IS NULL OR time < $5)
      ORDER BY time DESC
      LIMIT $1`,
    [filter.limit, filter.code ?? null, filter.service ?? null, filter.since ?? null, filter.until ?? null],
  );
  return rows;
}
