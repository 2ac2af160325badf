// The gateway API key lookups of the WebSocket hub (public.api_keys): a presented key is looked up by its
// SHA-256 on every connection, and a rescan re-checks the keys of the connections still open.
import type { Queryable } from '../db/pool.js';

export interface UsableGatewayKey {
  id: string;
  /** The Gateway (`<namespace>/<name>`) the key is bound to: it receives only that Gateway's slice; null: the whole config. */
  gatewayOwner: string | null;
}

/** Marks the tenant's key with this hash as used and answers its id and binding; null when it is unknown or revoked. */
export async function useGatewayKey(db: Queryable, tenantId: string, keyHash: string): Promise<UsableGatewayKey | null> {
  const { rows } = await db.query<{ id: string; gateway_owner: string | null }>(
    `UPDATE public.api_keys SET last_used_at = now()
      WHERE key_hash = $1 AND tenant_id = $2 AND revoked_at IS NULL
      RETURNING id, gateway_owner`,
    [keyHash, tenantId],
  );
  const row = rows[0];
  return row === undefined ? null : { id: row.id, gatewayOwner: row.gateway_owner };
}

/** Whether the tenant has (or had: revoked keys count) a key with this hash. */
export async function gatewayKeyExists(db: Queryable, tenantId: string, keyHash: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM public.api_keys WHERE key_hash = $1 AND tenant_id = $2', [keyHash, tenantId]);
  return rows.length > 0;
}

/** Of the given key ids, those that are revoked or gone. */
export async function revokedKeyIds(db: Queryable, keyIds: string[]): Promise<Set<string>> {
  if (keyIds.length === 0) return new Set();
  const { rows } = await db.query<{ id: string }>(
    `SELECT k.id FROM unnest($1::uuid[]) AS k(id)
      WHERE NOT EXISTS (SELECT 1 FROM public.api_keys a WHERE a.id = k.id AND a.revoked_at IS NULL)`,
    [keyIds],
  );
  return new Set(rows.map((row) => row.id));
}
