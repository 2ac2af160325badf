// /tenants/:tenantId/consumers/:id/keys: create a consumer API key (plaintext shown once), list (never the
// key), revoke (tenancy/consumer-keys.ts).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseOrThrow, uuidParam } from '../http/errors.js';
import { createConsumerKey, listConsumerKeys, revokeConsumerKey, type ConsumerKeyRow } from '../tenancy/consumer-keys.js';
import type { TenantDb } from '../tenancy/tenant-db.js';
import { parseEntityRef } from './entity-ref.js';
import type { ListCache } from './list-cache.js';

const createKeyBody = z.strictObject({ name: z.string().trim().min(1).max(100) });

const present = (row: ConsumerKeyRow) => ({ id: row.id, prefix: row.prefix, name: row.name, createdAt: row.created_at, revokedAt: row.revoked_at });

export function registerConsumerKeyRoutes(app: FastifyInstance, db: TenantDb, listCache: ListCache): void {
  app.get<{ Params: { id: string } }>('', async (request) => {
    const rows = await listConsumerKeys(db, request.tenantId, parseEntityRef(request.params.id, 'id'));
    return { data: rows.map(present) };
  });

  app.post<{ Params: { id: string } }>('', async (request, reply) => {
    const tenantId = request.tenantId;
    const ref = parseEntityRef(request.params.id, 'id');
    const { name } = parseOrThrow(createKeyBody, request.body);
    const created = await createConsumerKey(db, tenantId, ref, name).finally(() => listCache.invalidate(tenantId));
    return reply.code(201).send({ ...present(created), key: created.plaintext });
  });

  app.delete<{ Params: { id: string; keyId: string } }>('/:keyId', async (request, reply) => {
    const tenantId = request.tenantId;
    const ref = parseEntityRef(request.params.id, 'id');
    const keyId = uuidParam(request.params.keyId, 'keyId');
    await revokeConsumerKey(db, tenantId, ref, keyId).finally(() => listCache.invalidate(tenantId));
    return reply.code(204).send();
  });
}
