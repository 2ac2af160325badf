// /tenants/:tenantId/errors: the tenant's stored error events (gateway telemetry → hub → error_events),
// newest first, filtered by code, service and time window.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseOrThrow } from '../http/errors.js';
import { listErrorEvents } from '../tenancy/error-events.js';
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
    return { data: await listErrorEvents(db, request.tenantId, query) };
  });
}
