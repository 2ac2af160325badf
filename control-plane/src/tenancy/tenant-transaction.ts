// The one place a tenant-scoped transaction begins (a lone statement goes through tenant-pipeline.ts): it
// switches to the tenant's own database role (public migration 004), which can use only the tenant's schema,
// and names the tenant in `novagate.tenant_id`, which the row-level security of the public tables it touches
// is keyed by. A statement that names another tenant's schema fails with permission denied (42501). This stops
// a query bug, not SQL injection: injected SQL can RESET ROLE (docs/security.md).
import type pg from 'pg';
import { inTransaction } from '../db/pool.js';
import { isUuid } from './schema-name.js';
import { pipelinedTenantStatement } from './tenant-pipeline.js';

/**
 * BEGIN and both settings in one round trip. `set_config('role', …, true)` is `SET LOCAL ROLE` (the same
 * setting and membership check) with the role's name computed by the database, which also knows the database
 * name part of it. The tenant id is a validated UUID, so splicing it as a literal is safe.
 */
function beginStatement(tenantId: string): string {
  if (!isUuid(tenantId)) throw new TypeError('tenant id must be a lower-case UUID');
  return `BEGIN; SELECT set_config('role', public.novagate_tenant_role('${tenantId}'), true), set_config('novagate.tenant_id', '${tenantId}', true)`;
}

/** The tenant has no role: it does not exist (or was deprovisioned), or its schema was never migrated. */
export class UnknownTenantError extends Error {
  constructor(readonly tenantId: string) {
    super(`tenant ${tenantId} has no database role`);
    this.name = 'UnknownTenantError';
  }
}

const MISSING_ROLE = /^role "ngt_[0-9a-f]{8}_[0-9a-f]{32}" does not exist$/;

/** Runs `work` in a transaction as the tenant's role on a client the caller holds: COMMIT or ROLLBACK. */
export async function inTenantTransaction<T>(client: pg.PoolClient, tenantId: string, work: () => Promise<T>): Promise<T> {
  try {
    return await inTransaction(client, work, beginStatement(tenantId));
  } catch (error) {
    if (error instanceof Error && MISSING_ROLE.test(error.message)) throw new UnknownTenantError(tenantId);
    throw error;
  }
}

/**
 * One statement without parameters (a list read) as the tenant's role in one round trip: BEGIN, the settings,
 * the statement and COMMIT go as one simple-protocol query, so the role costs the read nothing in latency.
 */
export async function tenantSimpleQuery<R extends pg.QueryResultRow>(pool: pg.Pool, tenantId: string, text: string): Promise<pg.QueryResult<R>> {
  const client = await pool.connect();
  try {
    const results = (await client.query(`${beginStatement(tenantId)}; ${text}; COMMIT`)) as unknown as pg.QueryResult<R>[];
    return results[2] as pg.QueryResult<R>;
  } catch (error) {
    // A failed statement leaves the transaction open and aborted: end it before the client goes back.
    await client.query('ROLLBACK').catch(() => undefined);
    if (error instanceof Error && MISSING_ROLE.test(error.message)) throw new UnknownTenantError(tenantId);
    throw error;
  } finally {
    client.release();
  }
}

/** Checks out a client and runs `work` in a transaction as the tenant's role. */
export async function withTenantTransaction<T>(pool: pg.Pool, tenantId: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    return await inTenantTransaction(client, tenantId, () => work(client));
  } finally {
    client.release();
  }
}

/**
 * One statement with parameters as the tenant's role, in one round trip like the application role's own
 * statement: the settings and the statement go as one pipeline, one implicit transaction (tenant-pipeline.ts).
 */
export async function tenantStatement<R extends pg.QueryResultRow>(pool: pg.Pool, tenantId: string, text: string, values: unknown[]): Promise<pg.QueryResult<R>> {
  if (!isUuid(tenantId)) throw new TypeError('tenant id must be a lower-case UUID');
  const client = await pool.connect();
  try {
    return await pipelinedTenantStatement<R>(client, tenantId, text, values);
  } catch (error) {
    if (error instanceof Error && MISSING_ROLE.test(error.message)) throw new UnknownTenantError(tenantId);
    throw error;
  } finally {
    client.release();
  }
}
