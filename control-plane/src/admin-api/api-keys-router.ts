// /tenants/:tenantId/api-keys: list (never the key), create (plaintext shown once), revoke (tenancy/api-keys.ts).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { TenantDb } from '../tenancy/tenant-db.js';
import { parseOrThrow, uuidParam } from '../http/errors.js';
import { createApiKey, listApiKeys, revokeApiKey, type ApiKeyRow } from '../tenancy/api-keys.js';

const createKeyBody = z.strictObject({ name: z.string().trim().min(1).max(100) });

const present = (row: ApiKeyRow) => ({
  id: row.id,
  prefix: row.prefix,
  name: row.name,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
  revokedAt: row.revoked_at,
  /** The Gateway (`<namespace>/<name>`) whose slice of the config the key receives; null: the whole config. */
  gatewayOwner: row.gateway_owner,
});

export function registerApiKeyRoutes(app: FastifyInstance, db: TenantDb): void {
  app.get('', async (request) => {
    const rows = await listApiKeys(db, request.tenantId);
    return { data: rows.map(present) };
  });

  app.post('', async (request, reply) => {
    const { name } = parseOrThrow(createKeyBody, request.body);
    const key = await db.transaction(request.tenantId, 'write', (client) => createApiKey(client, request.tenantId, name));
    return reply.code(201).send({ id: key.id, prefix: key.prefix, name: key.name, createdAt: key.createdAt, gatewayOwner: key.gatewayOwner, key: key.plaintext });
  });

  app.delete<{ Params: { keyId: string } }>('/:keyId', async (request, reply) => {
    const keyId = uuidParam(request.params.keyId, 'keyId');
    await revokeApiKey(db, request.tenantId, keyId);
    return reply.code(204).send();
  });
}
