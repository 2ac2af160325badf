// /tenants/:tenantId/gateways (online nodes with their config state) and /request-logs (newest first, or a live tail in arrival order after a cursor)
// and /request-logs/summary (per-minute counts for the console's overview).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { TenantDb } from '../tenancy/tenant-db.js';
import { ApiError, parseOrThrow } from '../http/errors.js';
import { gatewayNodes } from '../tenancy/gateway-nodes.js';
import type { Presence } from '../hub/presence.js';
import { listRequestLogs, type RequestLogPosition } from '../tenancy/request-logs.js';
import { MAX_SUMMARY_MINUTES, summarizeRequestLogs } from '../tenancy/request-log-summary.js';

export function registerGatewayRoutes(app: FastifyInstance, db: TenantDb, presence: Presence): void {
  app.get('', async (request) => {
    const tenantId = request.tenantId;
    const online = await presence.online(tenantId);
    const rows = await db.transaction(tenantId, 'read', (client) => gatewayNodes(client, tenantId, [...online.keys()]));
    const byNode = new Map(rows.map((row) => [row.node_id, row]));
    const data = [...online].sort(([a], [b]) => a.localeCompare(b)).map(([nodeId, entry]) => {
      const row = byNode.get(nodeId);
      return {
        nodeId,
        version: row?.software_version ?? null,
        configVersion: entry.configVersion,
        configHash: entry.configHash,
        lastSeen: entry.lastSeen,
        connectedAt: row?.connected_at ?? null,
        lastNack:
          row?.last_nack_version === null || row?.last_nack_version === undefined
            ? null
            : { version: Number(row.last_nack_version), message: row.last_nack_message },
        unhealthyTargets: row?.unhealthy_targets ?? [],
      };
    });
    return { data };
  });
}

const rfc3339 = (example: string) => z.iso.datetime({ offset: true, message: `must be an RFC 3339 time such as ${example}` });

const requestLogsQuery = z
  .strictObject({
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    status: z.coerce.number().int().min(100).max(599).optional(),
    route: z.string().min(1).max(256).optional(),
    since: rfc3339('2026-11-29T17:00:00Z').optional(),
    until: rfc3339('2026-11-29T18:00:00Z').optional(),
    after: z.string().max(400).optional(),
  })
  .refine((query) => query.since === undefined || query.until === undefined || Date.parse(query.since) <= Date.parse(query.until), {
    path: ['until'],
    message: 'must not be before since',
  });

const summaryQuery = z.strictObject({
  minutes: z.coerce.number().int().min(1).max(MAX_SUMMARY_MINUTES).default(60),
});

const POSITION_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
/** Names what a cursor's position is, so a cursor of the older (gateway time, request id) tail is refused. */
const CURSOR_KIND = 'arrival';

/** A POSITION_TIME naming a real instant (not February 31st, not year 0), which PostgreSQL accepts. */
function isCalendarTime(text: string): boolean {
  if (!POSITION_TIME.test(text) || text.startsWith('0000')) return false;
  const parsed = Date.parse(text);
  return !Number.isNaN(parsed) && new Date(parsed).toISOString().slice(0, 23) === text.slice(0, 23);
}

/** The opaque cursor of a position in the logs' arrival order (base64url, so clients do not build it). */
export function requestLogCursor(position: RequestLogPosition): string {
  return Buffer.from(JSON.stringify([CURSOR_KIND, position.arrivedAt, position.requestId])).toString('base64url');
}

/** The position a cursor names, or null when it is not one this API made. */
export function positionOfCursor(cursor: string): RequestLogPosition | null {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length !== 3) return null;
    const [kind, arrivedAt, requestId] = parsed as unknown[];
    if (kind !== CURSOR_KIND || typeof arrivedAt !== 'string' || !isCalendarTime(arrivedAt) || typeof requestId !== 'string') return null;
    return { arrivedAt, requestId };
  } catch {
    return null;
  }
}

export function registerRequestLogRoutes(app: FastifyInstance, db: TenantDb): void {
  app.get('', async (request) => {
    const { after: cursor, ...query } = parseOrThrow(requestLogsQuery, request.query, 'query is invalid');
    const after = cursor === undefined ? undefined : positionOfCursor(cursor);
    if (after === null) throw new ApiError(400, 'validation_failed', 'query is invalid: after is not a cursor this API returned', [{ path: 'after', message: 'is not a cursor this API returned' }]);
    const page = await listRequestLogs(db, request.tenantId, { ...query, after });
    return { data: page.rows, cursor: requestLogCursor(page.next) };
  });

  app.get('/summary', async (request) => {
    const { minutes } = parseOrThrow(summaryQuery, request.query, 'query is invalid');
    return summarizeRequestLogs(db, request.tenantId, minutes);
  });
}
