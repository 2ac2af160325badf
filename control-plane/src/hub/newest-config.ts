// The hub's read of a tenant's newest config version (what it pushes), as the tenant's database role.
import { newestConfigVersionUnless, type ConfigVersion } from '../config/versions.js';
import type { Pool } from '../db/pool.js';
import { withTenantTransaction } from '../tenancy/tenant-transaction.js';

export function newestTenantConfig(pool: Pool, tenantId: string, known: ConfigVersion | null): ReturnType<typeof newestConfigVersionUnless> {
  return withTenantTransaction(pool, tenantId, (client) => newestConfigVersionUnless(client, tenantId, known));
}
