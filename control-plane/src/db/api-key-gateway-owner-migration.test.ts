import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withTestDatabase } from '../testing/with-test-server.js';
import { migrate, publicMigrations } from './migrate.js';
import { withTransaction } from './pool.js';
import { provisionTenant } from '../tenancy/provision.js';
import { generateApiKey } from '../tenancy/api-key-format.js';
import { withTenantTransaction } from '../tenancy/tenant-transaction.js';

const { db } = withTestDatabase({ migrate: false });

const MIGRATION_ID = '007_api_key_gateway_owner';

test("public migration 007 binds the keys the operator made for Gateways to their Gateway, leaves every other key unbound, and tenant roles may read the binding but not set it", async () => {
  const migrations = publicMigrations as { id: string; sql: string }[];
  const index = migrations.findIndex((migration) => migration.id === MIGRATION_ID);
  assert.ok(index > 0, 'migration 007 is among the public migrations');
  // A database made by the release before 007.
  const later = migrations.splice(index);
  let tenantId: string;
  try {
    await migrate(db.pool);
    tenantId = (
      await withTransaction(db.pool, (client) => provisionTenant(client, { name: 'Before 007', plan: 'free', ownerEmail: 'before007@example.com', passwordHash: null }))
    ).id;
    for (const name of ['kubernetes-gateway:infra/edge', 'kubernetes-gateway:Not A/Gateway', 'kubernetes:default/acme', 'ci']) {
      const key = generateApiKey(tenantId);
      await db.pool.query('INSERT INTO public.api_keys (tenant_id, key_hash, prefix, name) VALUES ($1, $2, $3, $4)', [tenantId, key.hash, key.prefix, name]);
    }
  } finally {
    migrations.push(...later);
  }

  await migrate(db.pool);
  const { rows } = await db.pool.query<{ name: string; gateway_owner: string | null }>(
    'SELECT name, gateway_owner FROM public.api_keys WHERE tenant_id = $1 ORDER BY name',
    [tenantId],
  );
  assert.deepEqual(
    rows.map((row) => [row.name, row.gateway_owner]),
    [
      ['ci', null],
      ['kubernetes-gateway:Not A/Gateway', null],
      ['kubernetes-gateway:infra/edge', 'infra/edge'],
      ['kubernetes:default/acme', null],
    ],
  );
  await assert.rejects(
    db.pool.query("UPDATE public.api_keys SET gateway_owner = 'not an owner' WHERE tenant_id = $1", [tenantId]),
    /api_keys_gateway_owner_format/,
  );

  // The tenant's role (the admin API) lists the binding and cannot bind a key.
  await withTenantTransaction(db.pool, tenantId, async (client) => {
    const listed = await client.query('SELECT gateway_owner FROM public.api_keys WHERE tenant_id = $1', [tenantId]);
    assert.ok(listed.rows.some((row: { gateway_owner: string | null }) => row.gateway_owner === 'infra/edge'));
  });
  await assert.rejects(
    withTenantTransaction(db.pool, tenantId, (client) => client.query("UPDATE public.api_keys SET gateway_owner = 'team/b' WHERE tenant_id = $1", [tenantId])),
    /permission denied/,
  );
});
