// The hub's read of a tenant's newest config version (what it pushes to gateways), as the tenant's database
// role, in one round trip (tenantStatement).
import { newestConfigVersionUnless, type ConfigVersion } from './config-versions.js';
import type { Pool, Queryable } from '../db/pool.js';
import { tenantStatement } from './tenant-transaction.js';

export function newestTenantConfig(pool: Pool, tenantId: string, known: ConfigVersion | null): ReturnType<typeof newestConfigVersionUnless> {
  const asTenant = { query: (text: string, values: unknown[] = []) => tenantStatement(pool, tenantId, text, values) } as Queryable;
  return newestConfigVersionUnless(asTenant, tenantId, known);
}
