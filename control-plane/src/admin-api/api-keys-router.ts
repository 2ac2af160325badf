// /tenants/:tenantId/api-keys: list (never the key), create (plaintext shown once), revoke.
import { Router } from 'express';
import { z } from 'zod';
import type { Pool } from '../db/pool.js';
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

export function createApiKeysRouter(pool: Pool): Router {
  const router = Router({ mergeParams: true });

  router.get('/', async (_req, res) => {
    const { rows } = await pool.query<ApiKeyRow>(
      'SELECT id, prefix, name, created_at, last_used_at, revoked_at FROM public.api_keys WHERE tenant_id = $1 ORDER BY created_at, id',
      [res.locals.tenantId],
    );
    res.json({ data: rows.map(present) });
  });

  router.post('/', async (req, res) => {
    const { name } = parseOrThrow(createKeyBody, req.body);
    const key = await createApiKey(pool, res.locals.tenantId as string, name);
    res.status(201).json({ id: key.id, prefix: key.prefix, name: key.name, createdAt: key.createdAt, key: key.plaintext });
  });

  router.delete('/:keyId', async (req, res) => {
    const keyId = uuidParam(req.params.keyId, 'keyId');
    const tenantId = res.locals.tenantId as string;
    const { rowCount } = await pool.query(
      `WITH revoked AS (
         UPDATE public.api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 AND tenant_id = $2 RETURNING id
       )
       SELECT pg_notify($3, json_build_object('tenantId', $2::text, 'keyId', id::text)::text) FROM revoked`,
      [keyId, tenantId, KEY_REVOKED_CHANNEL],
    );
    if (rowCount === 0) throw notFound('API key');
    res.status(204).end();
  });

  return router;
}
