// Gateway API keys as stored in `public.api_keys` (DESIGN §2, §3): created (only the SHA-256 kept; the plaintext
// returned once), looked up, listed, and revoked with the NOTIFY that makes every replica drop the connections using them.
import type pg from 'pg';
import type { Queryable } from '../db/pool.js';
import { KEY_REVOKED_CHANNEL, keyRevokedPayloadSql } from '../db/notifications.js';
import { generateApiKey, sha256Hex, type GeneratedApiKey } from './api-key-format.js';
import { notFound } from './store-error.js';
import type { TenantDb } from './tenant-db.js';

export interface StoredApiKey {
  id: string;
  prefix: string;
  name: string;
  createdAt: Date;
  /** The Gateway (`<namespace>/<name>`) whose slice of the config the key receives; null: the whole config. */
  gatewayOwner: string | null;
}

export interface ApiKeyRow {
  id: string;
  prefix: string;
  name: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
  gateway_owner: string | null;
}

/**
 * Generates a gateway API key for the tenant and stores its SHA-256; the plaintext is returned once. With
 * `gatewayOwner` (only the operator, for a Gateway: tenant roles may not set it) the key is bound to that Gateway.
 */
export async function createApiKey(
  db: Pick<pg.PoolClient, 'query'>,
  tenantId: string,
  name: string,
  key: GeneratedApiKey = generateApiKey(tenantId),
  gatewayOwner: string | null = null,
): Promise<StoredApiKey & { plaintext: string }> {
  const { rows } =
    gatewayOwner === null
      ? await db.query<{ id: string; created_at: Date }>(
          'INSERT INTO public.api_keys (tenant_id, key_hash, prefix, name) VALUES ($1, $2, $3, $4) RETURNING id, created_at',
          [tenantId, key.hash, key.prefix, name],
        )
      : await db.query<{ id: string; created_at: Date }>(
          'INSERT INTO public.api_keys (tenant_id, key_hash, prefix, name, gateway_owner) VALUES ($1, $2, $3, $4, $5) RETURNING id, created_at',
          [tenantId, key.hash, key.prefix, name, gatewayOwner],
        );
  const row = rows[0] as { id: string; created_at: Date };
  return { id: row.id, prefix: key.prefix, name, createdAt: row.created_at, gatewayOwner, plaintext: key.plaintext };
}

/**
 * Binds the tenant's key `plaintext` to the Gateway `gatewayOwner` when it is not already (a key the operator made
 * before keys could be bound); answers whether it changed. Binding only narrows what the key receives.
 */
export async function bindApiKey(db: Queryable, tenantId: string, plaintext: string, gatewayOwner: string): Promise<boolean> {
  const { rowCount } = await db.query(
    'UPDATE public.api_keys SET gateway_owner = $3 WHERE key_hash = $1 AND tenant_id = $2 AND gateway_owner IS DISTINCT FROM $3',
    [sha256Hex(plaintext), tenantId, gatewayOwner],
  );
  return (rowCount ?? 0) > 0;
}

export type StoredKeyState = 'active' | 'revoked' | 'missing';

/** Whether the tenant has the key `plaintext` stored, and whether it was revoked. */
export async function apiKeyState(db: Queryable, tenantId: string, plaintext: string): Promise<StoredKeyState> {
  const { rows } = await db.query<{ revoked: boolean }>(
    'SELECT revoked_at IS NOT NULL AS revoked FROM public.api_keys WHERE key_hash = $1 AND tenant_id = $2',
    [sha256Hex(plaintext), tenantId],
  );
  if (rows[0] === undefined) return 'missing';
  return rows[0].revoked ? 'revoked' : 'active';
}

/** The tenant's keys, revoked ones included, oldest first. */
export async function listApiKeys(db: TenantDb, tenantId: string): Promise<ApiKeyRow[]> {
  const { rows } = await db.query<ApiKeyRow>(
    tenantId,
    'SELECT id, prefix, name, created_at, last_used_at, revoked_at, gateway_owner FROM public.api_keys WHERE tenant_id = $1 ORDER BY created_at, id',
    [tenantId],
  );
  return rows;
}

/**
 * Which keys a revocation takes: one key by id (idempotent: a key already revoked keeps its time and is
 * announced again), or the tenant's live keys, only those named `name` when it is not null, all but the one
 * whose plaintext is `keep` when that is not null.
 */
export type ApiKeySelection = { keyId: string } | { name: string | null; keep: string | null };

/** The one revocation statement: revoked_at set and one NOTIFY per revoked key, in the caller's transaction. */
function revocation(tenantId: string, selection: ApiKeySelection): { text: string; values: unknown[] } {
  const [filter, values] =
    'keyId' in selection
      ? ['id = $3', [selection.keyId]]
      : [
          'revoked_at IS NULL AND ($3::text IS NULL OR name = $3) AND ($4::text IS NULL OR key_hash <> $4)',
          [selection.name, selection.keep === null ? null : sha256Hex(selection.keep)],
        ];
  return {
    text: `WITH revoked AS (
             UPDATE public.api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE tenant_id = $1 AND ${filter} RETURNING id
           )
           SELECT pg_notify($2, ${keyRevokedPayloadSql('$1::text', 'id::text')}) FROM revoked`,
    values: [tenantId, KEY_REVOKED_CHANNEL, ...values],
  };
}

/** Revokes the keys `selection` names; answers how many it revoked. */
export async function revokeApiKeys(db: Queryable, tenantId: string, selection: ApiKeySelection): Promise<number> {
  const { text, values } = revocation(tenantId, selection);
  const { rowCount } = await db.query(text, values);
  return rowCount ?? 0;
}

/** Revokes one key of the tenant (again, harmlessly, when it is revoked already); not_found when it has none such. */
export async function revokeApiKey(db: TenantDb, tenantId: string, keyId: string): Promise<void> {
  const { text, values } = revocation(tenantId, { keyId });
  const { rowCount } = await db.query(tenantId, text, values);
  if (rowCount === 0) throw notFound('API key');
}
