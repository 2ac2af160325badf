// Password resets on `public.tenants` (DESIGN §3): the reset token rests there only as its SHA-256 with an
// expiry, and spending it sets the new password hash and bumps the token version in one statement.
import type { Queryable } from '../db/pool.js';
import { TENANT_TOKENS_CHANNEL, tenantTokensPayloadSql } from '../db/notifications.js';

/** Stores a reset token's hash and expiry for the tenant, replacing any earlier one. */
export async function storeResetToken(db: Queryable, tenantId: string, tokenHash: string, expiresAt: Date): Promise<void> {
  await db.query('UPDATE public.tenants SET reset_token_hash = $2, reset_token_expires_at = $3 WHERE id = $1', [tenantId, tokenHash, expiresAt]);
}

/**
 * Spends the reset token with this hash: when it is known and unexpired, sets the new password hash, bumps the
 * token version (every earlier platform JWT stops working, and `NOTIFY novagate_tenant_tokens` tells every
 * replica) and clears the token; returns the tenant id. An expired token is cleared and null returned; an
 * unknown one returns null.
 */
export async function resetPasswordWithToken(db: Queryable, tokenHash: string, passwordHash: string, now: Date): Promise<string | null> {
  const { rows } = await db.query<{ id: string }>(
    `WITH reset AS (
       UPDATE public.tenants
          SET password_hash = $2, token_version = token_version + 1,
              reset_token_hash = NULL, reset_token_expires_at = NULL, updated_at = now()
        WHERE reset_token_hash = $1 AND reset_token_expires_at > $3
        RETURNING id
     )
     SELECT id, pg_notify($4, ${tenantTokensPayloadSql('id::text')}) FROM reset`,
    [tokenHash, passwordHash, now, TENANT_TOKENS_CHANNEL],
  );
  if (rows[0] !== undefined) return rows[0].id;
  await db.query('UPDATE public.tenants SET reset_token_hash = NULL, reset_token_expires_at = NULL WHERE reset_token_hash = $1', [tokenHash]);
  return null;
}
