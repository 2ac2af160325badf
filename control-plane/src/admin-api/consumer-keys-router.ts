// /tenants/:tenantId/consumers/:id/keys: create a consumer API key (plaintext shown once), list (never the
// key), revoke. Creating and revoking change the consumer's apiKeyHashes, so each records a config version.
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { z } from 'zod';
import { lockTenantForConfigChange, recordConfigVersion } from '../config/versions.js';
import type { Queryable } from '../db/pool.js';
import { ApiError, managedByOperator, notFound, parseOrThrow, uuidParam } from '../http/errors.js';
import { quotedTenantSchema } from '../tenancy/schema-name.js';
import type { TenantDb } from '../tenancy/tenant-db.js';
import { generateConsumerKey } from './consumer-keys.js';
import { describeRef, parseEntityRef, type EntityRef } from './entity-ref.js';
import type { ListCache } from './list-cache.js';

const createKeyBody = z.strictObject({ name: z.string().trim().min(1).max(100) });

/** The gateway schema's bound on a consumer's apiKeyHashes: a key beyond it would make the config invalid. */
export const MAX_KEYS_PER_CONSUMER = 100;

interface ConsumerKeyRow {
  id: string;
  prefix: string;
  name: string;
  created_at: Date;
  revoked_at: Date | null;
}

const present = (row: ConsumerKeyRow) => ({ id: row.id, prefix: row.prefix, name: row.name, createdAt: row.created_at, revokedAt: row.revoked_at });

async function findConsumer(db: Queryable, tenantId: string, ref: EntityRef): Promise<{ id: string; managed_by: string }> {
  const column = ref.by === 'id' ? 'id' : 'username';
  const { rows } = await db.query<{ id: string; managed_by: string }>(
    `SELECT id, managed_by FROM ${quotedTenantSchema(tenantId)}.consumers WHERE ${column} = $1`,
    [ref.by === 'id' ? ref.id : ref.name],
  );
  if (rows[0] === undefined) throw notFound(describeRef('consumer', ref));
  return rows[0];
}

/** One key change: under the tenant lock, refused for operator-managed consumers, ending in a new config version. */
async function changeKeys<T>(
  db: TenantDb,
  listCache: ListCache,
  tenantId: string,
  ref: EntityRef,
  change: (client: pg.PoolClient, consumerId: string) => Promise<{ result: T; changed: boolean }>,
): Promise<T> {
  try {
    return await db.transaction(tenantId, 'write', async (client) => {
      if ((await lockTenantForConfigChange(client, tenantId)) === null) throw notFound('tenant');
      const consumer = await findConsumer(client, tenantId, ref);
      // The operator owns these consumers' keys (their Secret); a key added here would vanish at its next sync.
      if (consumer.managed_by === 'kubernetes') throw managedByOperator(describeRef('consumer', ref));
      const { result, changed } = await change(client, consumer.id);
      if (changed) await recordConfigVersion(client, tenantId);
      return result;
    });
  } finally {
    listCache.invalidate(tenantId);
  }
}

export function registerConsumerKeyRoutes(app: FastifyInstance, db: TenantDb, listCache: ListCache): void {
  app.get<{ Params: { id: string } }>('', async (request) => {
    const tenantId = request.tenantId;
    const rows = await db.transaction(tenantId, 'read', async (client) => {
      const consumer = await findConsumer(client, tenantId, parseEntityRef(request.params.id, 'id'));
      const keys = await client.query<ConsumerKeyRow>(
        `SELECT id, prefix, name, created_at, revoked_at FROM ${quotedTenantSchema(tenantId)}.consumer_keys
          WHERE consumer_id = $1 ORDER BY created_at, id`,
        [consumer.id],
      );
      return keys.rows;
    });
    return { data: rows.map(present) };
  });

  app.post<{ Params: { id: string } }>('', async (request, reply) => {
    const tenantId = request.tenantId;
    const ref = parseEntityRef(request.params.id, 'id');
    const { name } = parseOrThrow(createKeyBody, request.body);
    const schema = quotedTenantSchema(tenantId);
    const created = await changeKeys(db, listCache, tenantId, ref, async (client, consumerId) => {
      const { rows: held } = await client.query<{ count: number }>(
        `SELECT cardinality(api_key_hashes) AS count FROM ${schema}.consumers WHERE id = $1`,
        [consumerId],
      );
      if ((held[0]?.count ?? 0) >= MAX_KEYS_PER_CONSUMER) {
        throw new ApiError(409, 'conflict', `the consumer already holds ${MAX_KEYS_PER_CONSUMER} API keys, the most it can; revoke one first`);
      }
      const key = generateConsumerKey();
      await client.query(`UPDATE ${schema}.consumers SET api_key_hashes = array_append(api_key_hashes, $2), updated_at = now() WHERE id = $1`, [
        consumerId,
        key.hash,
      ]);
      const { rows } = await client.query<ConsumerKeyRow>(
        `INSERT INTO ${schema}.consumer_keys (consumer_id, name, prefix, key_hash) VALUES ($1, $2, $3, $4)
         RETURNING id, prefix, name, created_at, revoked_at`,
        [consumerId, name, key.prefix, key.hash],
      );
      return { result: { ...present(rows[0] as ConsumerKeyRow), key: key.plaintext }, changed: true };
    });
    return reply.code(201).send(created);
  });

  app.delete<{ Params: { id: string; keyId: string } }>('/:keyId', async (request, reply) => {
    const tenantId = request.tenantId;
    const ref = parseEntityRef(request.params.id, 'id');
    const keyId = uuidParam(request.params.keyId, 'keyId');
    const schema = quotedTenantSchema(tenantId);
    await changeKeys(db, listCache, tenantId, ref, async (client, consumerId) => {
      const { rows } = await client.query<{ key_hash: string; revoked_at: Date | null }>(
        `SELECT key_hash, revoked_at FROM ${schema}.consumer_keys WHERE id = $1 AND consumer_id = $2 FOR UPDATE`,
        [keyId, consumerId],
      );
      const key = rows[0];
      if (key === undefined) throw notFound('consumer key');
      if (key.revoked_at !== null) return { result: null, changed: false }; // revoking twice changes nothing
      await client.query(`UPDATE ${schema}.consumer_keys SET revoked_at = now() WHERE id = $1`, [keyId]);
      await client.query(`UPDATE ${schema}.consumers SET api_key_hashes = array_remove(api_key_hashes, $2), updated_at = now() WHERE id = $1`, [
        consumerId,
        key.key_hash,
      ]);
      return { result: null, changed: true };
    });
    return reply.code(204).send();
  });
}
