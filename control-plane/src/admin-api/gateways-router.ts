// /tenants/:tenantId/gateways (online nodes with their config state) and /request-logs (newest first).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { TenantDb } from '../tenancy/tenant-db.js';
import { parseOrThrow } from '../http/errors.js';
import { gatewayNodes } from '../tenancy/gateway-nodes.js';
import type { Presence } from '../hub/presence.js';
import { listRequestLogs } from '../tenancy/request-logs.js';

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

const requestLogsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  status: z.coerce.number().int().min(100).max(599).optional(),
  route: z.string().min(1).max(256).optional(),
});

export function registerRequestLogRoutes(app: FastifyInstance, db: TenantDb): void {
  app.get('', async (request) => {
    const tenantId = request.tenantId;
    const query = parseOrThrow(requestLogsQuery, request.query, 'query is invalid');
    return { data: await listRequestLogs(db, tenantId, query) };
  });
}
