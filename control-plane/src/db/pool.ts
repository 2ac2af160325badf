// PostgreSQL connection pool, the one helper that runs a function inside a transaction, its savepoint
// counterpart, and the database probe a readiness check runs.
import pg from 'pg';

export type Pool = pg.Pool;
export type DbClient = pg.PoolClient;
/** Anything that can run a query: the pool itself or a client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

/** Default size of a process's pool (`DATABASE_POOL_MAX`). */
export const DEFAULT_POOL_MAX = 20;

/**
 * Server-side bounds on every pooled connection, so that no request can hold a connection for long: a statement
 * runs at most 15 s, waits at most 5 s for a lock (a writer queued behind a slow one answers 503 instead of
 * pinning its connection), and a transaction left idle is ended after 30 s. Migrations lift the first two for
 * their own session (db/migrate.ts).
 */
export const CONNECTION_LIMITS = {
  statement_timeout: 15_000,
  lock_timeout: 5_000,
  idle_in_transaction_session_timeout: 30_000,
} as const;

export function createPool(connectionString: string, max = DEFAULT_POOL_MAX): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 5_000, ...CONNECTION_LIMITS });
  // An idle client losing its connection must not crash the process; the next checkout reconnects.
  pool.on('error', () => undefined);
  return pool;
}

/** Runs `work` in a transaction on one client: COMMIT when it resolves, ROLLBACK when it throws. */
export async function withTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    return await inTransaction(client, () => work(client));
  } finally {
    client.release();
  }
}

/** Runs `work` in a transaction on a client the caller holds; `begin` may set transaction-local settings too. */
export async function inTransaction<T>(client: pg.PoolClient, work: () => Promise<T>, begin = 'BEGIN'): Promise<T> {
  try {
    // Inside the try: a `begin` whose settings fail leaves an aborted transaction that must be rolled back
    // before the client goes back to the pool.
    await client.query(begin);
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * Runs `work` under the savepoint `name` inside the caller's transaction: RELEASE when it resolves; ROLLBACK TO
 * when it throws (the transaction goes on without work's writes) and the error is rethrown.
 */
export async function inSavepoint<T>(client: pg.PoolClient, name: string, work: () => Promise<T>): Promise<T> {
  await client.query(`SAVEPOINT ${name}`);
  try {
    const result = await work();
    await client.query(`RELEASE SAVEPOINT ${name}`);
    return result;
  } catch (error) {
    await client.query(`ROLLBACK TO SAVEPOINT ${name}`);
    throw error;
  }
}

/** Throws unless the database answers a trivial query (a readiness probe). */
export async function ping(db: Queryable): Promise<void> {
  await db.query('SELECT 1');
}

/** PostgreSQL error codes the control plane turns into API errors. */
export const PG_UNIQUE_VIOLATION = '23505';
export const PG_FOREIGN_KEY_VIOLATION = '23503';
/** PostgreSQL 18 reports an ON DELETE RESTRICT refusal with this code instead of 23503. */
export const PG_RESTRICT_VIOLATION = '23001';
export const PG_INSUFFICIENT_PRIVILEGE = '42501';
/** Errors that say "the database is busy, try again": timeouts, lock waits, deadlocks, no free connection. */
export const PG_RETRYABLE = new Set(['57014', '55P03', '40P01', '40001', '53300']);

export function isPgError(error: unknown, code: string): error is { code: string; constraint?: string } {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
