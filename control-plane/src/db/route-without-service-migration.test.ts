import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withTestDatabase } from '../testing/with-test-server.js';
import { migrate, tenantMigrations } from './migrate.js';
import { withTransaction } from './pool.js';
import { provisionTenant } from '../tenancy/provision.js';
import { quotedTenantSchema, tenantSchemaName } from '../tenancy/schema-name.js';
import { withTenantTransaction } from '../tenancy/tenant-transaction.js';
import { routes } from '../tenancy/entities.js';
import { buildSnapshot } from '../tenancy/config-snapshot.js';

const { db } = withTestDatabase({ migrate: false });

const MIGRATION_ID = '012_route_without_service';

test('migration 012 makes routes.service_id nullable in an existing tenant schema, keeps its routes, and the tenant role writes service-less routes', async () => {
  const migrations = tenantMigrations as { id: string; sql: string }[];
  const index = migrations.findIndex((migration) => migration.id === MIGRATION_ID);
  assert.ok(index > 0, 'migration 012 is among the tenant migrations');
  // A tenant schema made without 012: every other tenant migration (the later ones too, since provisioning today
  // writes the columns they add, such as 014's config_versions.changed_by).
  const later = migrations.splice(index, 1);
  let tenantId: string;
  try {
    await migrate(db.pool);
    const tenant = await withTransaction(db.pool, (client) =>
      provisionTenant(client, { name: 'Before 012', plan: 'free', ownerEmail: 'before012@example.com', passwordHash: null }),
    );
    tenantId = tenant.id;
    const schema = quotedTenantSchema(tenantId);
    await db.pool.query(`INSERT INTO ${schema}.services (name, url, connect_timeout_ms, timeout_ms, retries) VALUES ('users', 'http://users:8080', 2000, 10000, 1)`);
    await db.pool.query(`INSERT INTO ${schema}.routes (name, service_id, paths) SELECT 'old', id, '{/old}' FROM ${schema}.services`);
    await assert.rejects(
      db.pool.query(`INSERT INTO ${schema}.routes (name, service_id, paths) VALUES ('early', NULL, '{/early}')`),
      /null value in column "service_id"/,
      'before 012 a route needs a service',
    );
  } finally {
    migrations.splice(index, 0, ...later);
  }

  // The release with 012 starts (as the application's role, no superuser).
  const { rows: superuser } = await db.pool.query<{ rolsuper: boolean }>('SELECT rolsuper FROM pg_roles WHERE rolname = current_user');
  assert.equal(superuser[0]?.rolsuper, false, 'the migration runs as a role without superuser');
  const report = await migrate(db.pool);
  assert.equal(report.tenantMigrationsApplied, later.length);
  const { rows: column } = await db.pool.query(
    "SELECT is_nullable FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'routes' AND column_name = 'service_id'",
    [tenantSchemaName(tenantId)],
  );
  assert.equal(column[0]?.is_nullable, 'YES');

  // The tenant's own role (what every admin API write runs as) stores and reads a route without a service.
  await withTenantTransaction(db.pool, tenantId, async (client) => {
    await routes.insert(client, tenantId, { name: 'split', paths: ['/split'], methods: [], hosts: [], stripPrefix: false, auth: 'none', backends: [{ service: 'users', weight: 1 }] }, 'api');
    const snapshot = await buildSnapshot(client, tenantId);
    assert.deepEqual(
      snapshot.routes.map((route) => [route.name, route.service ?? null, route.backends ?? null]),
      [
        ['old', 'users', null],
        ['split', null, [{ service: 'users', weight: 1 }]],
      ],
    );
  });
  // The foreign key still guards `service`: the old route's service cannot vanish under it.
  await assert.rejects(db.pool.query(`DELETE FROM ${quotedTenantSchema(tenantId)}.services WHERE name = 'users'`), /foreign key/);
});
