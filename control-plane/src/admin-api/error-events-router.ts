// /tenants/:tenantId/errors: the tenant's stored error events (gateway telemetry → hub → error_events),
// newest first, filtered by code, service and time window.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseOrThrow } from '../http/errors.js';
import { quotedTenantSchema } from '../tenancy/schema-name.js';
import type { TenantDb } from '../tenancy/tenant-db.js';

const errorEventsQuery = z
  .strictObject({
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    code: z.string().min(1).max(256).optional(),
    service: z.string().min(1).max(256).optional(),
    since: z.iso.datetime({ offset: true, message: 'must be an RFC 3339 time such as 2026-11-29T17:00:00Z' }).optional(),
    until: z.iso.datetime({ offset: true, message: 'must be an RFC 3339 time such as 2026-11-29T18:00:00Z' }).optional(),
  })
  .refine((query) => query.since === undefined || query.until === undefined || Date.parse(query.since) <= Date.parse(query.until), {
    path: ['until'],
    message: 'must not be before since',
  });

export function registerErrorEventRoutes(app: FastifyInstance, db: TenantDb): void {
  app.get('', async (request) => {
    const query = parseOrThrow(errorEventsQuery, request.query, 'query is invalid');
    const { rows } = await db.query<{ code: string; service: string | null; count: number; time: Date }>(
      request.tenantId,
      `SELECT code, service, count, time
         FROM ${quotedTenantSchema(request.tenantId)}.error_events
        WHERE ($2::text IS NULL OR code = $2) AND ($3::text IS NULL OR service = $3)
          AND ($4::timestamptz IS NULL OR time >= $4) AND ($5::timestamptz IS NULL OR time < $5)
        ORDER BY time DESC
        LIMIT $1`,
      [query.limit, query.code ?? null, query.service ?? null, query.since ?? null, query.until ?? null],
    );
    return { data: rows };
  });
}
