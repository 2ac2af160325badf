// Test support: a fresh, migrated PostgreSQL database per test file, dropped afterwards with the database
// roles it made (roles belong to the cluster, not the database: public migration 004).
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate } from '../db/migrate.js';
import { createPool, type Pool } from '../db/pool.js';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The prefix of every role a database's migrations and tenants create (public.novagate_role_prefix()). */
export function rolePrefixOf(databaseName: string): string {
  return `ngt_${createHash('md5').update(databaseName).digest('hex').slice(0, 8)}`;
}

export interface TestDatabase {
  url: string;
  /** The prefix of the database roles made for this database. */
  rolePrefix: string;
  pool: Pool;
  drop(): Promise<void>;
}

export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const name = `novagate_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  const pool = createPool(url.toString(), 30);
  if (options.migrate !== false) await migrate(pool);
  return {
    url: url.toString(),
    rolePrefix: rolePrefixOf(name),
    pool,
    async drop() {
      await pool.end();
      const cleanup = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await cleanup.connect();
      await dropDatabaseForcibly(cleanup, name);
      const { rows } = await cleanup.query<{ rolname: string }>("SELECT rolname FROM pg_roles WHERE rolname LIKE $1 || '%' ORDER BY length(rolname) DESC", [
        rolePrefixOf(name),
      ]);
      for (const { rolname } of rows) await cleanup.query(`DROP ROLE IF EXISTS "${rolname}"`);
      await cleanup.end();
    },
  };
}

/**
 * DROP DATABASE … WITH (FORCE), retried for a few seconds when PostgreSQL refuses to end a backend our role may not
 * signal (seen once on PostgreSQL 18 at the end of a file whose servers had all closed: a backend on its way out).
 * A refusal that outlasts the retries names the backends still there, so the next run can tell what held on.
 */
async function dropDatabaseForcibly(client: pg.Client, name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== '42501' || attempt >= 50) {
        const { rows } = await client.query<{ usename: string | null; backend_type: string; state: string | null }>(
          'SELECT usename, backend_type, state FROM pg_stat_activity WHERE datname = $1',
          [name],
        );
        throw new Error(`could not drop test database ${name}: ${(error as Error).message}; backends: ${JSON.stringify(rows)}`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
