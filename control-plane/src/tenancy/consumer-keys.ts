// A consumer's API keys (issue 13) as stored: listed (never the key), created (plaintext returned once) and
// revoked. Creating and revoking change the consumer's apiKeyHashes, so each records a config version.
import type pg from 'pg';
import type { Queryable } from '../db/pool.js';
import { lockTenantForConfigChange, recordConfigVersion } from './config-versions.js';
import { generateConsumerKey } from './consumer-key-format.js';
import { describeRef, type EntityRef } from './entity-ref.js';
import { quotedTenantSchema } from './schema-name.js';
import { conflict, managedByOperator, notFound } from './store-error.js';
import type { TenantDb } from './tenant-db.js';

/** The gateway schema's bound on a consumer's apiKeyHashes: a key beyond it would make the config invalid. */
export const MAX_KEYS_PER_CONSUMER = 100;

export interface ConsumerKeyRow {
  id: string;
  prefix: string;
  name: string;
  created_at: Date;
  revoked_at: Date | null;
}

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
  tenantId: string,
  ref: EntityRef,
  change: (client: pg.PoolClient, consumerId: string) => Promise<{ result: T; changed: boolean }>,
): Promise<T> {
  return db.transaction(tenantId, 'write', async (client) => {
    if ((await lockTenantForConfigChange(client, tenantId)) === null) throw notFound('tenant');
    const consumer = await findConsumer(client, tenantId, ref);
    // The operator owns these consumers' keys (their Secret); a key added here would vanish at its next sync.
    if (consumer.managed_by === 'kubernetes') throw managedByOperator(describeRef('consumer', ref));
    const { result, changed } = await change(client, consumer.id);
    if (changed) await recordConfigVersion(client, tenantId, { by: 'api' });
    return result;
  });
}

/** The consumer's keys, revoked ones included, oldest first. */
export async function listConsumerKeys(db: TenantDb, tenantId: string, ref: EntityRef): Promise<ConsumerKeyRow[]> {
  return db.transaction(tenantId, 'read', async (client) => {
    const consumer = await findConsumer(client, tenantId, ref);
    const keys = await client.query<ConsumerKeyRow>(
      `SELECT id, prefix, name, created_at, revoked_at FROM ${quotedTenantSchema(tenantId)}.consumer_keys
        WHERE consumer_id = $1 ORDER BY created_at, id`,
      [consumer.id],
    );
    return keys.rows;
  });
}

/** Adds a new key to an API-managed consumer (conflict once it holds the most it can); the plaintext once. */
export async function createConsumerKey(db: TenantDb, tenantId: string, ref: EntityRef, name: string): Promise<ConsumerKeyRow & { plaintext: string }> {
  const schema = quotedTenantSchema(tenantId);
  return changeKeys(db, tenantId, ref, async (client, consumerId) => {
    const { rows: held } = await client.query<{ count: number }>(`SELECT cardinality(api_key_hashes) AS count FROM ${schema}.consumers WHERE id = $1`, [
      consumerId,
    ]);
    if ((held[0]?.count ?? 0) >= MAX_KEYS_PER_CONSUMER) {
      throw conflict(`the consumer already holds ${MAX_KEYS_PER_CONSUMER} API keys, the most it can; revoke one first`);
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
    return { result: { ...(rows[0] as ConsumerKeyRow), plaintext: key.plaintext }, changed: true };
  });
}

/** Revokes one key of an API-managed consumer; revoking twice changes nothing. */
export async function revokeConsumerKey(db: TenantDb, tenantId: string, ref: EntityRef, keyId: string): Promise<void> {
  const schema = quotedTenantSchema(tenantId);
  await changeKeys(db, tenantId, ref, async (client, consumerId) => {
    const { rows } = await client.query<{ key_hash: string; revoked_at: Date | null }>(
      `SELECT key_hash, revoked_at FROM ${schema}.consumer_keys WHERE id = $1 AND consumer_id = $2 FOR UPDATE`,
      [keyId, consumerId],
    );
    const key = rows[0];
    if (key === undefined) throw notFound('consumer key');
    if (key.revoked_at !== null) return { result: null, changed: false };
    await client.query(`UPDATE ${schema}.consumer_keys SET revoked_at = now() WHERE id = $1`, [keyId]);
    await client.query(`UPDATE ${schema}.consumers SET api_key_hashes = array_remove(api_key_hashes, $2), updated_at = now() WHERE id = $1`, [
      consumerId,
      key.key_hash,
    ]);
    return { result: null, changed: true };
  });
}
