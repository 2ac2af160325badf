// Password-reset tokens (DESIGN §3): 32 random bytes as hex, stored only as SHA-256, valid one hour, single use.
import { randomBytes } from 'node:crypto';
import type { Queryable } from '../db/pool.js';
import { TENANT_TOKENS_CHANNEL, tenantTokensPayloadSql } from '../db/notifications.js';
import { sha256Hex } from '../tenancy/api-key-format.js';

export const RESET_TOKEN_TTL_MS = 60 * 60 * 1000;
export const RESET_TOKEN_PATTERN = /^[0-9a-f]{64}$/;

/** Stores a fresh reset token for the tenant (replacing any earlier one) and returns its plaintext. */
export async function issueResetToken(db: Queryable, tenantId: string, now: Date): Promise<string> {
  const token = randomBytes(32).toString('hex');
  await db.query('UPDATE public.tenants SET reset_token_hash = $2, reset_token_expires_at = $3 WHERE id = $1', [
    tenantId,
    sha256Hex(token),
    new Date(now.getTime() + RESET_TOKEN_TTL_MS),
  ]);
  return token;
}

/**
 * Spends a reset token: when it is known and unexpired, sets the new password hash, bumps the token version
 * (every earlier platform JWT stops working) and clears the token; returns the tenant id. An expired token is
 * cleared and null returned; an unknown one returns null.
 */
export async function redeemResetToken(db: Queryable, token: string, passwordHash: string, now: Date): Promise<string | null> {
  const tokenHash = sha256Hex(token);
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
  await db.query(
    'UPDATE public.tenants SET reset_token_hash = NULL, reset_token_expires_at = NULL WHERE reset_token_hash = $1',
    [tokenHash],
  );
  return null;
}
