// Registration tokens (DESIGN §3): 32 random bytes as hex, mailed in step one, stored only as SHA-256 with the
// pending sign-up, spent once within 24 h.
import { randomBytes } from 'node:crypto';
import type { Pool, Queryable } from '../db/pool.js';
import { confirmPendingRegistration, storePendingRegistration, type PendingRegistration, type RegistrationConfirmation } from '../tenancy/registrations.js';
import { sha256Hex } from '../tenancy/api-key-format.js';

export const REGISTRATION_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;
export const REGISTRATION_TOKEN_PATTERN = /^[0-9a-f]{64}$/;

/** Stores a pending sign-up and returns the plaintext token for the mail. */
export async function issueRegistrationToken(db: Queryable, registration: PendingRegistration, now: Date): Promise<string> {
  const token = randomBytes(32).toString('hex');
  await storePendingRegistration(db, registration, sha256Hex(token), new Date(now.getTime() + REGISTRATION_TOKEN_TTL_MS), now);
  return token;
}

/** Spends a registration token: the tenant and its first key, or why not. */
export async function redeemRegistrationToken(pool: Pool, token: string, now: Date): Promise<RegistrationConfirmation> {
  return confirmPendingRegistration(pool, sha256Hex(token), now);
}
