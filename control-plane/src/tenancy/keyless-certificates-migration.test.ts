// Tenant migration 013 on a tenant schema an older release made: key columns become nullable (CA bundles), rows
// with keys stay as they were, and the tenant's own (non-superuser) role can write a keyless row afterwards.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { withTransaction } from '../db/pool.js';
import { migrate, tenantMigrations } from '../db/migrate.js';
import { withTestDatabase } from '../testing/with-test-server.js';
import { quotedTenantSchema, tenantSchemaName } from './schema-name.js';
import { withTenantTransaction } from './tenant-transaction.js';

const { db, ready } = withTestDatabase();

before(async () => {
  await ready;
});

const insert = (table: string, name: string, key: { sealed: string | null; sha256: string | null }) => ({
  text: `INSERT INTO ${table} (name, cert_pem, key_sealed, key_sha256, names, chain, fingerprint_sha256, not_before, not_after)
         VALUES ($1, 'pem', $2, $3, '{}', '[]', 'f', now(), now() + interval '1 day')`,
  values: [name, key.sealed, key.sha256],
});

test('migration 013 makes the key columns nullable on an existing tenant, keeps its keyed rows, and the tenant role writes a keyless row', async () => {
  const id = randomUUID();
  const schema = tenantSchemaName(id);
  const table = `${quotedTenantSchema(id)}.certificates`;
  // A tenant as the release before 013 left it, holding one certificate with a key.
  await withTransaction(db.pool, async (client) => {
    await client.query("INSERT INTO public.tenants (id, name, slug, plan, owner_email) VALUES ($1, 'Old', $2, 'free', $3)", [id, `old-${id}`, `${id}@example.com`]);
    await client.query(`CREATE SCHEMA ${quotedTenantSchema(id)}`);
    for (const migration of tenantMigrations.filter((m) => m.id < '013')) {
      await client.query(`SET LOCAL search_path TO ${quotedTenantSchema(id)}`);
      await client.query(migration.sql);
      await client.query('SET LOCAL search_path TO public');
      await client.query('INSERT INTO public.schema_migrations (schema_name, migration_id) VALUES ($1, $2)', [schema, migration.id]);
    }
  });
  await withTenantTransaction(db.pool, id, (client) => client.query(insert(table, 'keyed', { sealed: 'v1:k:sealed', sha256: 'a'.repeat(64) })));
  await assert.rejects(
    withTenantTransaction(db.pool, id, (client) => client.query(insert(table, 'early', { sealed: null, sha256: null }))),
    (error: { code?: string }) => error.code === '23502',
    'before 013 a keyless row is a not-null violation',
  );

  const report = await migrate(db.pool);
  assert.ok(report.tenantMigrationsApplied >= 1);
  const ledger = await db.pool.query('SELECT 1 FROM public.schema_migrations WHERE schema_name = $1 AND migration_id = $2', [schema, '013_keyless_certificates']);
  assert.equal(ledger.rowCount, 1);

  // As the tenant's role (no superuser, no owner): a keyless row goes in; a half key does not.
  const { rows: role } = await withTenantTransaction(db.pool, id, (client) => client.query<{ superuser: boolean }>('SELECT rolsuper AS superuser FROM pg_roles WHERE rolname = current_user'));
  assert.equal(role[0]?.superuser, false);
  const inserted = await withTenantTransaction(db.pool, id, (client) => client.query(insert(table, 'ca', { sealed: null, sha256: null })));
  assert.equal(inserted.rowCount, 1);
  for (const half of [{ sealed: 'v1:k:x', sha256: null }, { sealed: null, sha256: 'b'.repeat(64) }]) {
    await assert.rejects(
      withTenantTransaction(db.pool, id, (client) => client.query(insert(table, 'half', half))),
      (error: { code?: string }) => error.code === '23514',
      JSON.stringify(half),
    );
  }
  const { rows } = await db.pool.query(`SELECT name, key_sealed, key_sha256 FROM ${table} ORDER BY name`);
  assert.deepEqual(rows, [
    { name: 'ca', key_sealed: null, key_sha256: null },
    { name: 'keyed', key_sealed: 'v1:k:sealed', key_sha256: 'a'.repeat(64) },
  ]);
});
