// /tenants/:tenantId/api-keys: list (never the key), create (plaintext shown once), revoke.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { TenantDb } from '../tenancy/tenant-db.js';
import { notFound, parseOrThrow, uuidParam } from '../http/errors.js';
import { createApiKey } from '../tenancy/provision.js';

export const KEY_REVOKED_CHANNEL = 'novagate_key_revoked';

const createKeyBody = z.strictObject({ name: z.string().trim().min(1).max(100) });

interface ApiKeyRow {
  id: string;
  prefix: string;
  name: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const present = (row: ApiKeyRow) => ({
  id: row.id,
  prefix: row.prefix,
  name: row.name,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
  revokedAt: row.revoked_at,
});

export function registerApiKeyRoutes(app: FastifyInstance, db: TenantDb): void {
  app.get('', async (request) => {
    const { rows } = await db.query<ApiKeyRow>(
      request.tenantId,
      'SELECT id, prefix, name, created_at, last_used_at, revoked_at FROM public.api_keys WHERE tenant_id = $1 ORDER BY created_at, id',
      [request.tenantId],
    );
    return { data: rows.map(present) };
  });

  app.post('', async (request, reply) => {
    const { name } = parseOrThrow(createKeyBody, request.body);
    const key = await db.transaction(request.tenantId, 'write', (client) => createApiKey(client, request.tenantId, name));
    return reply.code(201).send({ id: key.id, prefix: key.prefix, name: key.name, createdAt: key.createdAt, key: key.plaintext });
  });

  app.delete<{ Params: { keyId: string } }>('/:keyId', async (request, reply) => {
    const keyId = uuidParam(request.params.keyId, 'keyId');
    const { rowCount } = await db.query(
      request.tenantId,
      `WITH revoked AS (
         UPDATE public.api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 AND tenant_id = $2 RETURNING id
       )
       SELECT pg_notify($3, json_build_object('tenantId', $2::text, 'keyId', id::text)::text) FROM revoked`,
      [keyId, request.tenantId, KEY_REVOKED_CHANNEL],
    );
    if (rowCount === 0) throw notFound('API key');
    return reply.code(204).send();
  });
}
