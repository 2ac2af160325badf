// Pending sign-ups (DESIGN §3): a registration is stored with the SHA-256 of a mailed token and becomes a
// tenant only when that token is spent, once, within 24 h.
import { randomBytes } from 'node:crypto';
import type { Queryable } from '../db/pool.js';
import { sha256Hex } from '../tenancy/api-key-format.js';

export const REGISTRATION_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;
export const REGISTRATION_TOKEN_PATTERN = /^[0-9a-f]{64}$/;
/** Expired rows removed per new sign-up: bounded work, enough to keep up with any sign-up rate. */
const EXPIRED_ROWS_PER_SWEEP = 100;

export interface PendingRegistration {
  email: string;
  passwordHash: string;
  tenantName: string;
}

/** Stores a pending sign-up and returns the plaintext token for the mail; sweeps a few expired rows on the way. */
export async function storePendingRegistration(db: Queryable, registration: PendingRegistration, now: Date): Promise<string> {
  const token = randomBytes(32).toString('hex');
  await db.query(
    `DELETE FROM public.pending_registrations WHERE token_hash IN (
       SELECT token_hash FROM public.pending_registrations WHERE expires_at <= $1 LIMIT ${EXPIRED_ROWS_PER_SWEEP})`,
    [now],
  );
  await db.query(
    'INSERT INTO public.pending_registrations (token_hash, email, password_hash, tenant_name, expires_at) VALUES ($1, $2, $3, $4, $5)',
    [sha256Hex(token), registration.email, registration.passwordHash, registration.tenantName, new Date(now.getTime() + REGISTRATION_TOKEN_TTL_MS)],
  );
  return token;
}

/**
 * Spends a token: deletes its row and returns the sign-up when the token is known and unexpired, else null.
 * Run inside the transaction that provisions the tenant: a concurrent second use waits on the row and then
 * finds nothing, and a failed provisioning leaves the token usable.
 */
export async function takePendingRegistration(db: Queryable, token: string, now: Date): Promise<PendingRegistration | null> {
  const { rows } = await db.query<{ email: string; password_hash: string; tenant_name: string; live: boolean }>(
    'DELETE FROM public.pending_registrations WHERE token_hash = $1 RETURNING email, password_hash, tenant_name, expires_at > $2 AS live',
    [sha256Hex(token), now],
  );
  const row = rows[0];
  if (row === undefined || !row.live) return null;
  return { email: row.email, passwordHash: row.password_hash, tenantName: row.tenant_name };
}
