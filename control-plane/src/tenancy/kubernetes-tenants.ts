// The tenant accounts the Kubernetes operator owns (DESIGN §2, §7): found by the Tenant resource's uid, so a
// reconcile after a crash finds the tenant instead of making a second one; provisioned through provisionTenant;
// renamed; and on deletion released: keys revoked always, the account dropped or kept for adoption. Every
// statement runs as the application role (the pool's own), none as a tenant's.
import type { Pool, Queryable } from '../db/pool.js';
import { isPgError, PG_UNIQUE_VIOLATION, withTransaction } from '../db/pool.js';
import { revokeApiKeys } from './api-keys.js';
import { deprovisionTenant, provisionTenant } from './provision.js';
import { alreadyExists } from './store-error.js';

export interface KubernetesTenant {
  id: string;
  name: string;
  plan: string;
  ownerEmail: string;
}

/** Marks a tenant kept after its Tenant was deleted (Retain): a new Tenant with the same owner adopts it. */
const RETAINED_PREFIX = 'retained:';

export async function findTenantByKubernetesUid(db: Queryable, uid: string): Promise<KubernetesTenant | null> {
  const { rows } = await db.query<{ id: string; name: string; plan: string; owner_email: string }>(
    'SELECT id, name, plan, owner_email FROM public.tenants WHERE kubernetes_uid = $1',
    [uid],
  );
  const row = rows[0];
  return row === undefined ? null : { id: row.id, name: row.name, plan: row.plan, ownerEmail: row.owner_email };
}

/** The id of the tenant a Tenant resource (by uid) made; null when it has no uid yet or no tenant. */
export async function tenantIdByKubernetesUid(db: Queryable, uid: string | undefined): Promise<string | null> {
  if (uid === undefined) return null;
  return (await findTenantByKubernetesUid(db, uid))?.id ?? null;
}

/** Gives a tenant retained from an earlier Tenant of the same owner to this one; true when it did. */
export async function adoptRetainedTenant(db: Queryable, uid: string, ownerEmail: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE public.tenants SET kubernetes_uid = $1, updated_at = now()
      WHERE lower(owner_email) = lower($2) AND password_hash IS NULL AND kubernetes_uid LIKE $3`,
    [uid, ownerEmail, `${RETAINED_PREFIX}%`],
  );
  return (rowCount ?? 0) > 0;
}

/**
 * Provisions through provisionTenant (schema, fixed tables, plan, config version 1) without a platform login.
 * already_exists when another tenant has the owner email; the database's unique violation when the uid is taken
 * (a concurrent provisioning of the same Tenant).
 */
export async function provisionKubernetesTenant(
  pool: Pool,
  input: { uid: string; name: string; plan: string; ownerEmail: string },
): Promise<KubernetesTenant> {
  try {
    const tenant = await withTransaction(pool, (client) =>
      provisionTenant(client, { name: input.name, plan: input.plan, ownerEmail: input.ownerEmail, passwordHash: null, kubernetesUid: input.uid }),
    );
    return { id: tenant.id, name: tenant.name, plan: tenant.plan, ownerEmail: tenant.ownerEmail };
  } catch (error) {
    if (isPgError(error, PG_UNIQUE_VIOLATION) && error.constraint === 'tenants_owner_email_key') {
      throw alreadyExists('another tenant already has this owner email', 'ownerEmail');
    }
    throw error;
  }
}

export async function updateKubernetesTenant(db: Queryable, id: string, changes: { name: string; plan: string }): Promise<void> {
  await db.query('UPDATE public.tenants SET name = $2, plan = $3, updated_at = now() WHERE id = $1', [id, changes.name, changes.plan]);
}

/** Deletion of a Tenant: keys revoked always; the schema and account dropped (Delete) or kept for adoption (Retain). */
export async function releaseKubernetesTenant(pool: Pool, tenantId: string, policy: 'Retain' | 'Delete'): Promise<void> {
  await withTransaction(pool, async (client) => {
    await revokeApiKeys(client, tenantId, { name: null, keep: null });
    if (policy === 'Delete') {
      await deprovisionTenant(client, tenantId);
    } else {
      await client.query(
        `UPDATE public.tenants SET kubernetes_uid = $2 || kubernetes_uid, updated_at = now() WHERE id = $1 AND kubernetes_uid NOT LIKE $3`,
        [tenantId, RETAINED_PREFIX, `${RETAINED_PREFIX}%`],
      );
    }
  });
}
