import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { withTransaction } from '../db/pool.js';
import { migrate, tenantMigrations } from '../db/migrate.js';
import { lockTenantForConfigChange } from './config-versions.js';
import { withTestDatabase } from '../testing/with-test-server.js';
import { registerTenant, startTestServer } from '../testing/server.js';
import { deprovisionTenant, provisionTenant, type ProvisionedTenant } from './provision.js';
import { createApiKey } from './api-keys.js';
import { quotedTenantSchema, tenantSchemaName } from './schema-name.js';
import { tenantSimpleQuery, withTenantTransaction } from './tenant-transaction.js';

const { db, ready } = withTestDatabase();
let a: ProvisionedTenant;
let b: ProvisionedTenant;

const provision = (name: string) =>
  withTransaction(db.pool, (client) => provisionTenant(client, { name, plan: 'free', ownerEmail: `${randomUUID()}@example.com`, passwordHash: null }));

before(async () => {
  await ready;
  a = await provision('Tenant A');
  b = await provision('Tenant B');
  await createApiKey(db.pool, a.id, 'a key');
  await createApiKey(db.pool, b.id, 'b key');
});

const roleOf = async (tenantId: string) =>
  (await db.pool.query<{ role: string }>('SELECT public.novagate_tenant_role($1) AS role', [tenantId])).rows[0]?.role as string;

test("a statement naming another tenant's schema inside a tenant transaction fails with permission denied", async () => {
  const other = quotedTenantSchema(b.id);
  const statements = [
    `SELECT * FROM ${other}.routes`,
    `SELECT * FROM ${other}.config_versions`,
    `INSERT INTO ${other}.services (name, url, connect_timeout_ms, timeout_ms, retries) VALUES ('x', 'http://x', 1, 1, 0)`,
    `UPDATE ${other}.consumers SET username = 'x'`,
    `DELETE FROM ${other}.request_logs`,
    `CREATE TABLE ${other}.planted (id int)`,
  ];
  for (const statement of statements) {
    await assert.rejects(
      withTenantTransaction(db.pool, a.id, (client) => client.query(statement)),
      (error: { code?: string }) => error.code === '42501',
      statement,
    );
  }
  // Its own schema works in the same kind of transaction.
  const own = await withTenantTransaction(db.pool, a.id, (client) => client.query(`SELECT version FROM ${quotedTenantSchema(a.id)}.config_versions`));
  assert.equal(own.rows.length, 1);
  // And it cannot create anything in its own schema or in public either: its tables come from migrations.
  for (const schema of [quotedTenantSchema(a.id), 'public']) {
    await assert.rejects(
      withTenantTransaction(db.pool, a.id, (client) => client.query(`CREATE TABLE ${schema}.planted (id int)`)),
      (error: { code?: string }) => error.code === '42501',
    );
  }
});

test('a one-round-trip tenant read (a list) is held to the tenant role too, and leaves its connection clean', async () => {
  const own = await tenantSimpleQuery<{ version: string }>(db.pool, a.id, `SELECT version FROM ${quotedTenantSchema(a.id)}.config_versions`);
  assert.equal(own.rows.length, 1);
  await assert.rejects(
    tenantSimpleQuery(db.pool, a.id, `SELECT * FROM ${quotedTenantSchema(b.id)}.routes`),
    (error: { code?: string }) => error.code === '42501',
  );
  // Every pooled connection is back to the application role, outside any transaction.
  const clients = await Promise.all(Array.from({ length: 5 }, () => db.pool.connect()));
  try {
    for (const client of clients) {
      const { rows } = await client.query<{ role: string; status: string }>("SELECT current_user AS role, current_setting('novagate.tenant_id', true) AS status");
      assert.notEqual(rows[0]?.role, await roleOf(a.id));
      assert.ok(rows[0]?.status === null || rows[0]?.status === '', 'no tenant setting outlives its transaction');
    }
  } finally {
    for (const client of clients) client.release();
  }
});

test("the catalog shows that no tenant role can use another tenant's schema", async () => {
  const c = await provision('Tenant C');
  const { rows } = await db.pool.query<{ role: string; schema: string; usage: boolean; create: boolean }>(
    `SELECT r.rolname AS role, n.nspname AS schema,
            has_schema_privilege(r.oid, n.oid, 'USAGE') AS usage, has_schema_privilege(r.oid, n.oid, 'CREATE') AS create
       FROM pg_roles r CROSS JOIN pg_namespace n
      WHERE r.rolname LIKE public.novagate_role_prefix() || '\\_%' AND n.nspname LIKE 'tenant\\_%'`,
  );
  const tenants = [a, b, c];
  assert.equal(rows.length, tenants.length * tenants.length, 'one role per tenant, each checked against every tenant schema');
  for (const tenant of tenants) {
    const role = await roleOf(tenant.id);
    const usable = rows.filter((row) => row.role === role && row.usage).map((row) => row.schema);
    assert.deepEqual(usable, [tenantSchemaName(tenant.id)], `${role} can use only its own schema`);
  }
  assert.ok(rows.every((row) => !row.create), 'no tenant role can create objects in any tenant schema');
  const roles = await db.pool.query<{ rolcanlogin: boolean; rolsuper: boolean; rolcreaterole: boolean }>(
    "SELECT rolcanlogin, rolsuper, rolcreaterole FROM pg_roles WHERE rolname LIKE public.novagate_role_prefix() || '%'",
  );
  assert.ok(roles.rows.every((role) => !role.rolcanlogin && !role.rolsuper && !role.rolcreaterole), 'tenant roles are NOLOGIN and unprivileged');
  const version = Number((await db.pool.query<{ v: string }>("SELECT current_setting('server_version_num') AS v")).rows[0]?.v);
  if (version >= 160000) {
    // PostgreSQL 16+: the application may SET ROLE to each tenant role but inherits none of them.
    const grants = await db.pool.query<{ role: string; set: boolean; inherit: boolean }>(
      `SELECT r.rolname AS role, bool_or(m.set_option) AS set, bool_or(m.inherit_option) AS inherit
         FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid
        WHERE m.member = (SELECT oid FROM pg_roles WHERE rolname = current_user) AND r.rolname LIKE public.novagate_role_prefix() || '\\_%'
        GROUP BY r.rolname`,
    );
    assert.equal(grants.rows.length, tenants.length);
    assert.ok(grants.rows.every((grant) => grant.set && !grant.inherit), JSON.stringify(grants.rows));
  }
});

test("row-level security keeps a tenant transaction to its own rows of the public tables it touches", async () => {
  await withTenantTransaction(db.pool, a.id, async (client) => {
    const tenants = await client.query<{ id: string }>('SELECT id FROM public.tenants');
    assert.deepEqual(tenants.rows.map((row) => row.id), [a.id]);
    assert.equal(await lockTenantForConfigChange(client, b.id), null, "another tenant's row cannot be locked");
    const keys = await client.query<{ tenant_id: string }>('SELECT tenant_id FROM public.api_keys');
    assert.deepEqual([...new Set(keys.rows.map((row) => row.tenant_id))], [a.id]);
    const revoked = await client.query('UPDATE public.api_keys SET revoked_at = now() WHERE tenant_id = $1', [b.id]);
    assert.equal(revoked.rowCount, 0, "another tenant's keys cannot be revoked");
  });
  const refused = [
    ['SELECT password_hash FROM public.tenants', []],
    ['SELECT key_hash FROM public.api_keys', []],
    ['SELECT * FROM public.schema_migrations', []],
    ['INSERT INTO public.pending_config_updates (tenant_id, version) VALUES ($1, 99)', [b.id]],
    ["INSERT INTO public.api_keys (tenant_id, key_hash, prefix, name) VALUES ($1, repeat('0', 64), 'gw_x', 'planted')", [b.id]],
    ["UPDATE public.tenants SET plan = 'enterprise'", []],
  ] as const;
  for (const [statement, values] of refused) {
    await assert.rejects(
      withTenantTransaction(db.pool, a.id, (client) => client.query(statement, [...values])),
      (error: { code?: string }) => error.code === '42501',
      statement,
    );
  }
  const bKeys = await db.pool.query('SELECT 1 FROM public.api_keys WHERE tenant_id = $1 AND revoked_at IS NULL', [b.id]);
  assert.equal(bKeys.rowCount, 1, "B's key is untouched");
});

test('the admin API reads and writes as the tenant role: taking a privilege from that role breaks its requests', async () => {
  const server = await startTestServer({ db });
  try {
    const tenant = await registerTenant(server, 'Api Tenant');
    const base = `/api/v1/tenants/${tenant.id}`;
    assert.equal((await server.request('POST', `${base}/services`, { token: tenant.token, body: { name: 's', url: 'http://s:1' } })).status, 201);
    const role = await roleOf(tenant.id);
    await db.pool.query(`REVOKE SELECT ON ${quotedTenantSchema(tenant.id)}.services FROM "${role}"`);
    const refused = await server.request('GET', `${base}/services`, { token: tenant.token });
    assert.equal(refused.status, 500, 'the application role (the owner) would still have read it');
    await db.pool.query(`GRANT SELECT ON ${quotedTenantSchema(tenant.id)}.services TO "${role}"`);
    assert.equal((await server.request('GET', `${base}/services`, { token: tenant.token })).status, 200);
  } finally {
    await server.close();
  }
});

test('the role stops queries that name the wrong schema, not injected SQL: RESET ROLE lifts it (documented limit)', async () => {
  const { rows } = await withTenantTransaction(db.pool, a.id, async (client) => {
    await client.query('RESET ROLE');
    return client.query(`SELECT count(*)::int AS n FROM ${quotedTenantSchema(b.id)}.config_versions`);
  });
  assert.equal(rows[0]?.n, 1);
});

test('deprovisioning a tenant drops its role with its schema', async () => {
  const doomed = await provision('Doomed');
  const role = await roleOf(doomed.id);
  assert.equal((await db.pool.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role])).rowCount, 1);
  await withTransaction(db.pool, (client) => deprovisionTenant(client, doomed.id));
  assert.equal((await db.pool.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role])).rowCount, 0);
  assert.equal((await db.pool.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [tenantSchemaName(doomed.id)])).rowCount, 0);
});

test('migrating a tenant schema made before tenant roles existed creates its role and grants', async () => {
  const id = randomUUID();
  const schema = tenantSchemaName(id);
  const role = await roleOf(id);
  // A tenant as an older version left it: its row, schema and tables, and no role.
  await withTransaction(db.pool, async (client) => {
    await client.query("INSERT INTO public.tenants (id, name, slug, plan, owner_email) VALUES ($1, 'Old', $2, 'free', $3)", [id, `old-${id}`, `${id}@example.com`]);
    await client.query(`CREATE SCHEMA ${quotedTenantSchema(id)}`);
    for (const migration of tenantMigrations.filter((m) => m.id < '004')) {
      await client.query(`SET LOCAL search_path TO ${quotedTenantSchema(id)}`);
      await client.query(migration.sql);
      await client.query('SET LOCAL search_path TO public');
      await client.query('INSERT INTO public.schema_migrations (schema_name, migration_id) VALUES ($1, $2)', [schema, migration.id]);
    }
  });
  assert.equal((await db.pool.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role])).rowCount, 0);
  await migrate(db.pool);
  const { rows } = await db.pool.query<{ usage: boolean }>('SELECT has_schema_privilege($1, $2, $3) AS usage', [role, schema, 'USAGE']);
  assert.equal(rows[0]?.usage, true);
  const inserted = await withTenantTransaction(db.pool, id, (client) =>
    client.query(`INSERT INTO ${quotedTenantSchema(id)}.services (name, url, connect_timeout_ms, timeout_ms, retries) VALUES ('s', 'http://s', 1, 1, 0)`),
  );
  assert.equal(inserted.rowCount, 1);
});
