// Pending sign-ups in `public.pending_registrations` (DESIGN §3), kept by the SHA-256 of their mailed token, and
// their confirmation: the row spent once, within its expiry, becomes a tenant on the free plan with its first key.
import type { Pool, Queryable } from '../db/pool.js';
import { isPgError, PG_UNIQUE_VIOLATION, withTransaction } from '../db/pool.js';
import { provisionTenant, type ProvisionedTenant } from './provision.js';
import { createApiKey, type StoredApiKey } from './api-keys.js';

/** Expired rows removed per new sign-up: bounded work, enough to keep up with any sign-up rate. */
const EXPIRED_ROWS_PER_SWEEP = 100;

export interface PendingRegistration {
  email: string;
  passwordHash: string;
  tenantName: string;
}

/** What spending a registration token came to; the caller turns the failures into its answers. */
export type RegistrationConfirmation =
  | { outcome: 'created'; tenant: ProvisionedTenant; key: StoredApiKey & { plaintext: string } }
  /** The token is unknown, expired or already spent. */
  | { outcome: 'invalid_token' }
  /** Another sign-up for the same mailbox became an account first. */
  | { outcome: 'email_taken' };

/** Stores a pending sign-up under its token's hash; sweeps a few rows expired by `now` on the way. */
export async function storePendingRegistration(db: Queryable, registration: PendingRegistration, tokenHash: string, expiresAt: Date, now: Date): Promise<void> {
  await db.query(
    `DELETE FROM public.pending_registrations WHERE token_hash IN (
       SELECT token_hash FROM public.pending_registrations WHERE expires_at <= $1 LIMIT ${EXPIRED_ROWS_PER_SWEEP})`,
    [now],
  );
  await db.query(
    'INSERT INTO public.pending_registrations (token_hash, email, password_hash, tenant_name, expires_at) VALUES ($1, $2, $3, $4, $5)',
    [tokenHash, registration.email, registration.passwordHash, registration.tenantName, expiresAt],
  );
}

/**
 * Spends a token: deletes its row and returns the sign-up when the token is known and unexpired, else null.
 * Run inside the transaction that provisions the tenant: a concurrent second use waits on the row and then
 * finds nothing, and a failed provisioning leaves the token usable.
 */
async function takePendingRegistration(db: Queryable, tokenHash: string, now: Date): Promise<PendingRegistration | null> {
  const { rows } = await db.query<{ email: string; password_hash: string; tenant_name: string; live: boolean }>(
    'DELETE FROM public.pending_registrations WHERE token_hash = $1 RETURNING email, password_hash, tenant_name, expires_at > $2 AS live',
    [tokenHash, now],
  );
  const row = rows[0];
  if (row === undefined || !row.live) return null;
  return { email: row.email, passwordHash: row.password_hash, tenantName: row.tenant_name };
}

/** Spends the token with this hash and, in the same transaction, provisions its tenant on the free plan with a key named `default`. */
export async function confirmPendingRegistration(pool: Pool, tokenHash: string, now: Date): Promise<RegistrationConfirmation> {
  try {
    return await withTransaction(pool, async (client) => {
      const pending = await takePendingRegistration(client, tokenHash, now);
      if (pending === null) return { outcome: 'invalid_token' } as const;
      const tenant = await provisionTenant(client, {
        name: pending.tenantName,
        plan: 'free',
        ownerEmail: pending.email,
        passwordHash: pending.passwordHash,
      });
      const key = await createApiKey(client, tenant.id, 'default');
      return { outcome: 'created', tenant, key } as const;
    });
  } catch (error) {
    if (isPgError(error, PG_UNIQUE_VIOLATION) && error.constraint === 'tenants_owner_email_key') return { outcome: 'email_taken' };
    throw error;
  }
}
