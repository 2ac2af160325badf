// The tenant account rows the operator owns (DESIGN §2, §7): found by the Tenant resource's uid, so a reconcile
// after a crash finds the tenant instead of making a second one. Provisioning itself is the control plane's.
import type { Pool } from 'pg';
import { createApiKey, deprovisionTenant, provisionTenant, revokeApiKeys as revokeStoredApiKeys, sha256Hex, withTransaction } from '@novagate/control-plane/tenancy';

export interface TenantAccount {
  id: string;
  name: string;
  plan: string;
  ownerEmail: string;
}

/** Marks a tenant kept after its Tenant was deleted (Retain): a new Tenant with the same owner adopts it. */
const RETAINED_PREFIX = 'retained:';

export async function findTenantByUid(pool: Pool, uid: string): Promise<TenantAccount | null> {
  const { rows } = await pool.query<{ id: string; name: string; plan: string; owner_email: string }>(
    'SELECT id, name, plan, owner_email FROM public.tenants WHERE kubernetes_uid = $1',
    [uid],
  );
  const row = rows[0];
  return row === undefined ? null : { id: row.id, name: row.name, plan: row.plan, ownerEmail: row.owner_email };
}

export async function tenantIdByUid(pool: Pool, uid: string | undefined): Promise<string | null> {
  if (uid === undefined) return null;
  return (await findTenantByUid(pool, uid))?.id ?? null;
}

/** Gives a tenant retained from an earlier Tenant of the same owner to this one; true when it did. */
export async function adoptRetainedTenant(pool: Pool, uid: string, ownerEmail: string): Promise<boolean> {
  const { rowCount } = await pool.query(
    `UPDATE public.tenants SET kubernetes_uid = $1, updated_at = now()
      WHERE lower(owner_email) = lower($2) AND password_hash IS NULL AND kubernetes_uid LIKE $3`,
    [uid, ownerEmail, `${RETAINED_PREFIX}%`],
  );
  return (rowCount ?? 0) > 0;
}

/** Provisions through the control plane's provisionTenant (schema, fixed tables, plan, config version 1). */
export async function provisionKubernetesTenant(
  pool: Pool,
  input: { uid: string; name: string; plan: string; ownerEmail: string },
): Promise<TenantAccount> {
  const tenant = await withTransaction(pool, (client) =>
    provisionTenant(client, { name: input.name, plan: input.plan, ownerEmail: input.ownerEmail, passwordHash: null, kubernetesUid: input.uid }),
  );
  return { id: tenant.id, name: tenant.name, plan: tenant.plan, ownerEmail: tenant.ownerEmail };
}

export async function updateTenantAccount(pool: Pool, id: string, changes: { name: string; plan: string }): Promise<void> {
  await pool.query('UPDATE public.tenants SET name = $2, plan = $3, updated_at = now() WHERE id = $1', [id, changes.name, changes.plan]);
}

export type StoredKeyState = 'active' | 'revoked' | 'missing';

export async function apiKeyState(pool: Pool, tenantId: string, plaintext: string): Promise<StoredKeyState> {
  const { rows } = await pool.query<{ revoked: boolean }>(
    'SELECT revoked_at IS NOT NULL AS revoked FROM public.api_keys WHERE key_hash = $1 AND tenant_id = $2',
    [sha256Hex(plaintext), tenantId],
  );
  if (rows[0] === undefined) return 'missing';
  return rows[0].revoked ? 'revoked' : 'active';
}

/** Stores the hash of a key the Secret already holds (createApiKey with the given key, never a new one). */
export async function storeApiKey(pool: Pool, tenantId: string, plaintext: string, name: string): Promise<void> {
  const secret = plaintext.slice(plaintext.lastIndexOf('_') + 1);
  await createApiKey(pool, tenantId, name, { plaintext, hash: sha256Hex(plaintext), prefix: `gw_${tenantId}_${secret.slice(0, 4)}` });
}

/** Revokes the tenant's keys named `name` other than `keep` (all of them when keep is null), with the NOTIFY. */
export async function revokeApiKeys(pool: Pool, tenantId: string, name: string | null, keep: string | null): Promise<number> {
  return revokeStoredApiKeys(pool, tenantId, { name, keep });
}

/** Deletion of a Tenant: keys revoked always; the schema and account dropped (Delete) or kept for adoption (Retain). */
export async function releaseTenant(pool: Pool, tenantId: string, policy: 'Retain' | 'Delete'): Promise<void> {
  await withTransaction(pool, async (client) => {
    await revokeStoredApiKeys(client, tenantId, { name: null, keep: null });
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
