// Password-reset tokens (DESIGN §3): 32 random bytes as hex, stored only as SHA-256, valid one hour, single use.
import { randomBytes } from 'node:crypto';
import type { Queryable } from '../db/pool.js';
import { resetPasswordWithToken, storeResetToken } from '../tenancy/password-resets.js';
import { sha256Hex } from '../tenancy/api-key-format.js';

export const RESET_TOKEN_TTL_MS = 60 * 60 * 1000;
export const RESET_TOKEN_PATTERN = /^[0-9a-f]{64}$/;

/** Stores a fresh reset token for the tenant (replacing any earlier one) and returns its plaintext. */
export async function issueResetToken(db: Queryable, tenantId: string, now: Date): Promise<string> {
  const token = randomBytes(32).toString('hex');
  await storeResetToken(db, tenantId, sha256Hex(token), new Date(now.getTime() + RESET_TOKEN_TTL_MS));
  return token;
}

/** Spends a reset token, setting the new password; returns the tenant id, or null for an unknown or expired token. */
export async function redeemResetToken(db: Queryable, token: string, passwordHash: string, now: Date): Promise<string | null> {
  return resetPasswordWithToken(db, sha256Hex(token), passwordHash, now);
}
