import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withTestDatabase } from '../testing/with-test-server.js';
import { migrate, publicMigrations, tenantMigrations, MIGRATION_LOCK_KEY } from './migrate.js';
import { provisionTenant } from '../tenancy/provision.js';
import { withTransaction } from './pool.js';
import { tenantSchemaName } from '../tenancy/schema-name.js';

const { db } = withTestDatabase({ migrate: false });

test('two replicas migrating at once apply each migration exactly once', async () => {
  const reports = await Promise.all([migrate(db.pool), migrate(db.pool), migrate(db.pool)]);
  const applied = reports.flatMap((r) => r.public);
  const publicIds = publicMigrations.map((m) => m.id);
  assert.deepEqual(applied, publicIds, 'exactly one runner applied each public migration');
  const { rows } = await db.pool.query("SELECT migration_id FROM public.schema_migrations WHERE schema_name = 'public' ORDER BY migration_id");
  assert.deepEqual(rows.map((r) => r.migration_id), publicIds);
});

test('a tenant migration missing from a schema is applied to it and recorded, existing ones are not re-run', async () => {
  const tenant = await withTransaction(db.pool, (client) =>
    provisionTenant(client, { name: 'Old', plan: 'free', ownerEmail: 'old@example.com', passwordHash: null }),
  );
  const schema = tenantSchemaName(tenant.id);
  // A release adds a tenant migration: the existing schema must get it, and only it.
  const probe = { id: '999_probe', sql: 'CREATE TABLE probe_for_test (id int)' };
  (tenantMigrations as { id: string; sql: string }[]).push(probe);
  try {
    const report = await migrate(db.pool);
    assert.equal(report.tenantMigrationsApplied, 1);
    const { rows } = await db.pool.query(
      "SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'probe_for_test'",
      [schema],
    );
    assert.equal(rows.length, 1, 'the new table reached the existing tenant schema');
    const ledger = await db.pool.query('SELECT migration_id FROM public.schema_migrations WHERE schema_name = $1 ORDER BY migration_id', [schema]);
    assert.deepEqual(ledger.rows.map((r) => r.migration_id), tenantMigrations.map((m) => m.id));
    assert.equal(ledger.rows.at(-1)?.migration_id, '999_probe');
    const again = await migrate(db.pool);
    assert.equal(again.tenantMigrationsApplied, 0);
  } finally {
    (tenantMigrations as { id: string; sql: string }[]).pop();
  }
});

test('a failing provisioning leaves neither tenant row nor schema behind', async () => {
  const id = '11111111-2222-4333-8444-555555555555';
  await assert.rejects(
    withTransaction(db.pool, async (client) => {
      await provisionTenant(client, { id, name: 'Doomed', plan: 'free', ownerEmail: 'doomed@example.com', passwordHash: null });
      throw new Error('failure after provisioning');
    }),
    /failure after provisioning/,
  );
  const tenants = await db.pool.query('SELECT 1 FROM public.tenants WHERE id = $1', [id]);
  const schemas = await db.pool.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [tenantSchemaName(id)]);
  assert.equal(tenants.rows.length, 0);
  assert.equal(schemas.rows.length, 0);
});

test('a migration run waits for registrations in flight (shared lock) instead of racing them', async () => {
  const holder = await db.pool.connect();
  try {
    await holder.query('BEGIN');
    await holder.query('SELECT pg_advisory_xact_lock_shared($1)', [MIGRATION_LOCK_KEY]);
    let finished = false;
    const running = migrate(db.pool).then(() => {
      finished = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(finished, false, 'migrate must wait while a registration holds the shared lock');
    await holder.query('COMMIT');
    await running;
    assert.equal(finished, true);
  } finally {
    holder.release();
  }
});

test('migrating many tenant schemas reports progress (done of total, rate, time left) as it goes, not only at the end', async () => {
  await migrate(db.pool);
  const tenants = 36;
  for (let i = 0; i < tenants; i++) {
    await withTransaction(db.pool, (client) =>
      provisionTenant(client, { name: `Many ${i}`, plan: 'free', ownerEmail: `many-${i}@example.com`, passwordHash: null }),
    );
  }
  const { rows } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM public.tenants');
  const total = rows[0]!.n;
  const probe = { id: '998_progress_probe', sql: 'CREATE TABLE progress_probe (id int)' };
  (tenantMigrations as { id: string; sql: string }[]).push(probe);
  try {
    const lagging: number[] = [];
    const progress: { done: number; total: number; ratePerSecond: number; secondsLeft: number | null }[] = [];
    const report = await migrate(db.pool, {
      progressEverySchemas: 10,
      progressEveryMs: 60_000,
      onTenantsLagging: (count) => lagging.push(count),
      onProgress: (p) => progress.push(p),
    });
    assert.equal(report.tenantMigrationsApplied, total);
    assert.deepEqual(lagging, [total]);
    const expected = [];
    for (let done = 10; done < total; done += 10) expected.push(done);
    expected.push(total);
    assert.deepEqual(progress.map((p) => p.done), expected);
    assert.ok(progress.every((p) => p.total === total && p.ratePerSecond > 0 && p.secondsLeft !== null));
    assert.equal(progress.at(-1)?.secondsLeft, 0);
    // Nothing lags any more: no progress at all on the next start.
    const quiet: unknown[] = [];
    await migrate(db.pool, { onProgress: (p) => quiet.push(p), onTenantsLagging: (n) => quiet.push(n) });
    assert.deepEqual(quiet, []);
  } finally {
    (tenantMigrations as { id: string; sql: string }[]).splice(tenantMigrations.indexOf(probe), 1);
  }
});
