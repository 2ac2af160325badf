// /tenants/:tenantId/gateways (online nodes with their config state) and /request-logs (newest first).
import { Router } from 'express';
import { z } from 'zod';
import type { Pool } from '../db/pool.js';
import { parseOrThrow } from '../http/errors.js';
import { gatewayNodes } from '../hub/gateway-nodes.js';
import type { Presence } from '../hub/presence.js';
import { quotedTenantSchema } from '../tenancy/schema-name.js';

export function createGatewaysRouter(pool: Pool, presence: Presence): Router {
  const router = Router({ mergeParams: true });
  router.get('/', async (_req, res) => {
    const tenantId = res.locals.tenantId as string;
    const online = await presence.online(tenantId);
    const rows = await gatewayNodes(pool, tenantId, [...online.keys()]);
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
      };
    });
    res.json({ data });
  });
  return router;
}

const requestLogsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  status: z.coerce.number().int().min(100).max(599).optional(),
  route: z.string().min(1).max(256).optional(),
});

export function createRequestLogsRouter(pool: Pool): Router {
  const router = Router({ mergeParams: true });
  router.get('/', async (req, res) => {
    const tenantId = res.locals.tenantId as string;
    const query = parseOrThrow(requestLogsQuery, req.query, 'query is invalid');
    const { rows } = await pool.query(
      `SELECT request_id AS "requestId", method, path_template AS "pathTemplate", status, latency_ms AS "latencyMs",
              route, consumer, gateway_node AS "gatewayNode", time
         FROM ${quotedTenantSchema(tenantId)}.request_logs
        WHERE ($2::int IS NULL OR status = $2) AND ($3::text IS NULL OR route = $3)
        ORDER BY time DESC
        LIMIT $1`,
      [query.limit, query.status ?? null, query.route ?? null],
    );
    res.json({ data: rows });
  });
  return router;
}
