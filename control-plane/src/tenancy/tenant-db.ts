// How the admin API reaches a tenant's data: every piece of work is a tenant transaction (its own role, its
// own rows: tenant-transaction.ts) that first waits for its turn in the tenant's gate (db/tenant-gate.ts), so
// no tenant can take the whole pool.
import type pg from 'pg';
import type { Pool } from '../db/pool.js';
import type { TenantGate } from '../db/tenant-gate.js';
import { tenantSimpleQuery, withTenantTransaction } from './tenant-transaction.js';

/**
 * `read` work runs beside the tenant's other work; `write` work (a config change, which waits for the tenant
 * row's lock) also waits for the tenant's earlier writers in this process before it takes a connection.
 */
export type TenantWorkKind = 'read' | 'write';

export interface TenantDb {
  transaction<T>(tenantId: string, kind: TenantWorkKind, work: (client: pg.PoolClient) => Promise<T>): Promise<T>;
  /** One statement in a read transaction of the tenant (one round trip when it has no parameters). */
  query<R extends pg.QueryResultRow>(tenantId: string, text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

export function createTenantDb(pool: Pool, gate: TenantGate | null): TenantDb {
  const transaction: TenantDb['transaction'] = (tenantId, kind, work) =>
    gate === null ? withTenantTransaction(pool, tenantId, work) : gate.run(tenantId, kind, () => withTenantTransaction(pool, tenantId, work));
  return {
    transaction,
    query: (tenantId, text, values) =>
      values === undefined || values.length === 0
        ? gate === null
          ? tenantSimpleQuery(pool, tenantId, text)
          : gate.run(tenantId, 'read', () => tenantSimpleQuery(pool, tenantId, text))
        : transaction(tenantId, 'read', (client) => client.query(text, values)),
  };
}
