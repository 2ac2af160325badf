// Schema migrations: ordered SQL files for `public` and for every tenant schema, each applied in its own
// transaction under one advisory lock so that replicas starting together cannot race. schema_migrations
// records, per schema, which migrations it has.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { quotedTenantSchema, tenantSchemaName } from '../tenancy/schema-name.js';
import { inTransaction, type Queryable } from './pool.js';
import { createProgressReporter, type MigrationProgress } from './migration-progress.js';

/** Key of the advisory lock that serialises migrations; registrations take it shared. */
export const MIGRATION_LOCK_KEY = 7_431_002_117;

export interface Migration {
  id: string;
  sql: string;
}

function loadMigrations(folder: 'public' | 'tenant'): Migration[] {
  const dir = fileURLToPath(new URL(`./migrations/${folder}/`, import.meta.url));
  return readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .map((file) => ({ id: file.replace(/\.sql$/, ''), sql: readFileSync(`${dir}${file}`, 'utf8') }));
}

export const publicMigrations: readonly Migration[] = loadMigrations('public');
export const tenantMigrations: readonly Migration[] = loadMigrations('tenant');

const CREATE_LEDGER = `
  CREATE TABLE IF NOT EXISTS public.schema_migrations (
    schema_name   text NOT NULL,
    migration_id  text NOT NULL,
    applied_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (schema_name, migration_id)
  )`;

async function appliedIds(db: Queryable, schema: string): Promise<Set<string>> {
  const { rows } = await db.query<{ migration_id: string }>(
    'SELECT migration_id FROM public.schema_migrations WHERE schema_name = $1',
    [schema],
  );
  return new Set(rows.map((row) => row.migration_id));
}

/**
 * Applies the tenant migrations a tenant schema lacks, creating the schema if needed. Runs on the caller's
 * client inside the caller's transaction (registration provisions the schema in the tenant row's transaction).
 */
export async function migrateTenantSchema(client: pg.PoolClient, tenantId: string): Promise<string[]> {
  const schema = tenantSchemaName(tenantId);
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${quotedTenantSchema(tenantId)}`);
  const done = await appliedIds(client, schema);
  const applied: string[] = [];
  for (const migration of tenantMigrations) {
    if (done.has(migration.id)) continue;
    await client.query(`SET LOCAL search_path TO ${quotedTenantSchema(tenantId)}`);
    await client.query(migration.sql);
    await client.query('SET LOCAL search_path TO public');
    await client.query('INSERT INTO public.schema_migrations (schema_name, migration_id) VALUES ($1, $2)', [
      schema,
      migration.id,
    ]);
    applied.push(migration.id);
  }
  return applied;
}

export interface MigrationReport {
  public: string[];
  tenants: number;
  tenantMigrationsApplied: number;
}

export interface MigrateOptions {
  /** Called as tenant schemas are migrated (every `progressEverySchemas` schemas or `progressEveryMs`). */
  onProgress?: (progress: MigrationProgress) => void;
  /** Called once, before the first tenant schema, with how many lag behind. */
  onTenantsLagging?: (lagging: number, total: number) => void;
  progressEverySchemas?: number;
  progressEveryMs?: number;
  now?: () => number;
}

/** Brings `public` and every tenant schema up to date. Safe to run from several processes at once. */
export async function migrate(pool: pg.Pool, options: MigrateOptions = {}): Promise<MigrationReport> {
  const lockClient = await pool.connect();
  try {
    // A migration may wait for another replica's run and take long on a big database: no pool time limits here.
    await lockClient.query('SET statement_timeout = 0; SET lock_timeout = 0');
    await lockClient.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await lockClient.query(CREATE_LEDGER);
    const report: MigrationReport = { public: [], tenants: 0, tenantMigrationsApplied: 0 };
    const donePublic = await appliedIds(lockClient, 'public');
    for (const migration of publicMigrations) {
      if (donePublic.has(migration.id)) continue;
      await inTransaction(lockClient, async () => {
        await lockClient.query(migration.sql);
        await lockClient.query("INSERT INTO public.schema_migrations (schema_name, migration_id) VALUES ('public', $1)", [
          migration.id,
        ]);
      });
      report.public.push(migration.id);
    }
    // One query finds the tenant schemas that lack a migration, so a start-up with thousands of
    // up-to-date tenants costs one round trip, not one per tenant.
    const { rows: tenants } = await lockClient.query<{ id: string; applied: string[] }>(
      `SELECT t.id, coalesce(array_agg(m.migration_id) FILTER (WHERE m.migration_id IS NOT NULL), '{}') AS applied
         FROM public.tenants t
         LEFT JOIN public.schema_migrations m ON m.schema_name = 'tenant_' || replace(t.id::text, '-', '_')
        GROUP BY t.id ORDER BY t.id`,
    );
    report.tenants = tenants.length;
    const lagging = tenants.filter(({ applied }) => tenantMigrations.some((m) => !applied.includes(m.id)));
    if (lagging.length > 0) options.onTenantsLagging?.(lagging.length, tenants.length);
    const progress = createProgressReporter({
      total: lagging.length,
      everySchemas: options.progressEverySchemas ?? 500,
      everyMs: options.progressEveryMs ?? 5_000,
      now: options.now ?? Date.now,
      report: options.onProgress ?? (() => undefined),
    });
    for (const { id } of lagging) {
      const applied = await inTransaction(lockClient, () => migrateTenantSchema(lockClient, id));
      report.tenantMigrationsApplied += applied.length;
      progress.schemaDone();
    }
    return report;
  } finally {
    await lockClient.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lockClient.query('RESET statement_timeout; RESET lock_timeout').catch(() => undefined);
    lockClient.release();
  }
}
