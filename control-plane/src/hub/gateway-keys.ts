// Gateway API key checks for the WebSocket hub: SHA-256 lookup of the presented key on every connection.
import type { Queryable } from '../db/pool.js';
import { tenantIdOfApiKey } from '@novagate/gateway/protocol';
import { sha256Hex } from '../tenancy/api-key-format.js';

export interface AuthenticatedGateway {
  tenantId: string;
  keyId: string;
}

/** The tenant and key of a valid, unrevoked key; null for anything else. */
export async function authenticateGatewayKey(db: Queryable, presented: string): Promise<AuthenticatedGateway | null> {
  const tenantId = tenantIdOfApiKey(presented);
  if (tenantId === null) return null;
  const { rows } = await db.query<{ id: string }>(
    `UPDATE public.api_keys SET last_used_at = now()
      WHERE key_hash = $1 AND tenant_id = $2 AND revoked_at IS NULL
      RETURNING id`,
    [sha256Hex(presented), tenantId],
  );
  return rows[0] === undefined ? null : { tenantId, keyId: rows[0].id };
}

export type GatewayKeyRefusal = 'malformed' | 'unknown' | 'revoked';

export type GatewayKeyCheck =
  | ({ ok: true } & AuthenticatedGateway)
  /** `tenantId` is the tenant a well-formed key names, which is not proof of anything but is safe to log. */
  | { ok: false; reason: GatewayKeyRefusal; tenantId: string | null };

/** Like authenticateGatewayKey, but says why a key was refused (for the log line and the failure metric). */
export async function checkGatewayKey(db: Queryable, presented: string): Promise<GatewayKeyCheck> {
  const tenantId = tenantIdOfApiKey(presented);
  if (tenantId === null) return { ok: false, reason: 'malformed', tenantId: null };
  const gateway = await authenticateGatewayKey(db, presented);
  if (gateway !== null) return { ok: true, ...gateway };
  // Only on the failure path, which the per-address throttle bounds.
  const { rows } = await db.query('SELECT 1 FROM public.api_keys WHERE key_hash = $1 AND tenant_id = $2', [sha256Hex(presented), tenantId]);
  return { ok: false, reason: rows.length > 0 ? 'revoked' : 'unknown', tenantId };
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
