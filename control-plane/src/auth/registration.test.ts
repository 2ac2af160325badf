import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../testing/database.js';
import { registerTenant, startTestServer, type TestServer } from '../testing/server.js';
import { tenantSchemaName } from '../tenancy/schema-name.js';
import { tenantMigrations } from '../db/migrate.js';

let db: TestDatabase;
let server: TestServer;

before(async () => {
  db = await createTestDatabase();
  server = await startTestServer({ db });
});
after(async () => {
  await server.close();
  await db.drop();
});

const PUBLIC_TABLES = ['api_keys', 'pending_config_updates', 'plans', 'schema_migrations', 'tenants'];
const TENANT_TABLES = ['config_versions', 'consumers', 'error_events', 'gateway_nodes', 'request_logs', 'routes', 'services'];

async function tablesIn(schema: string): Promise<string[]> {
  const { rows } = await db.pool.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY table_name",
    [schema],
  );
  return rows.map((row) => row.table_name);
}

test('registration answers 201 with the tenant on the free plan, a token and a gateway key', async () => {
  const response = await server.request('POST', '/api/v1/auth/register', {
    body: { email: 'First@Example.com', password: 'a long enough password', tenantName: 'Acme Corp!' },
  });
  assert.equal(response.status, 201, response.text);
  assert.deepEqual(Object.keys(response.body).sort(), ['gatewayApiKey', 'tenant', 'token']);
  assert.equal(response.body.tenant.plan, 'free');
  assert.equal(response.body.tenant.name, 'Acme Corp!');
  assert.equal(response.body.tenant.slug, 'acme-corp');
  assert.match(response.body.gatewayApiKey, new RegExp(`^gw_${response.body.tenant.id}_[0-9a-f]{32}$`));
  assert.equal(response.body.token.split('.').length, 3);
});

test('registration provisions tenant_<uuid> with its fixed tables, and public holds only the allowed tables', async () => {
  const tenant = await registerTenant(server, 'Schema Check');
  assert.deepEqual(await tablesIn(tenantSchemaName(tenant.id)), TENANT_TABLES);
  assert.deepEqual(await tablesIn('public'), PUBLIC_TABLES);
  const { rows } = await db.pool.query('SELECT migration_id FROM public.schema_migrations WHERE schema_name = $1', [
    tenantSchemaName(tenant.id),
  ]);
  assert.deepEqual(rows.map((r) => r.migration_id).sort(), tenantMigrations.map((m) => m.id));
  const config = await server.request('GET', `/api/v1/tenants/${tenant.id}/config`, { token: tenant.token });
  assert.equal(config.status, 200);
  assert.equal(config.body.version, 1);
  assert.deepEqual(config.body.config, { services: [], routes: [], consumers: [] });
});

test('passwords rest as bcrypt cost 10, keys as SHA-256 hex, and no plaintext secret is stored or logged', async () => {
  const tenant = await registerTenant(server, 'Secrets');
  const { rows } = await db.pool.query('SELECT password_hash FROM public.tenants WHERE id = $1', [tenant.id]);
  assert.match(rows[0].password_hash, /^\$2b\$10\$[./A-Za-z0-9]{53}$/);
  const keys = await db.pool.query('SELECT key_hash, prefix FROM public.api_keys WHERE tenant_id = $1', [tenant.id]);
  assert.equal(keys.rows.length, 1);
  assert.match(keys.rows[0].key_hash, /^[0-9a-f]{64}$/);
  const secret = tenant.gatewayApiKey.split('_')[2] as string;
  assert.ok(!keys.rows[0].prefix.includes(secret), 'the prefix must not reveal the key');

  const dump = await db.pool.query(
    `SELECT string_agg(t::text, ' ') AS all FROM (
       SELECT row_to_json(x)::text AS t FROM public.tenants x UNION ALL
       SELECT row_to_json(x)::text FROM public.api_keys x) rows`,
  );
  const everything = dump.rows[0].all as string;
  for (const plaintext of [tenant.password, tenant.gatewayApiKey, secret, tenant.token]) {
    assert.ok(!everything.includes(plaintext), 'a plaintext secret reached the database');
    assert.ok(!server.logLines.join('\n').includes(plaintext), 'a plaintext secret reached the logs');
  }
});

test('50 concurrent registrations give 50 tenants and 50 schemas without an error', async () => {
  const before = await db.pool.query('SELECT count(*)::int AS n FROM public.tenants');
  const responses = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      server.request('POST', '/api/v1/auth/register', {
        body: { email: `concurrent${i}@example.com`, password: 'a long enough password', tenantName: 'Same Name' },
      }),
    ),
  );
  assert.deepEqual(responses.map((r) => r.status), Array(50).fill(201));
  const ids = new Set(responses.map((r) => r.body.tenant.id));
  const slugs = new Set(responses.map((r) => r.body.tenant.slug));
  assert.equal(ids.size, 50);
  assert.equal(slugs.size, 50, 'slugs must be unique even for the same name');
  const after = await db.pool.query('SELECT count(*)::int AS n FROM public.tenants');
  assert.equal(after.rows[0].n - before.rows[0].n, 50);
  const schemas = await db.pool.query("SELECT count(*)::int AS n FROM information_schema.schemata WHERE schema_name LIKE 'tenant\\_%'");
  assert.equal(schemas.rows[0].n, after.rows[0].n);
});

test('a plan field at registration is refused like any unknown field', async () => {
  const response = await server.request('POST', '/api/v1/auth/register', {
    body: { email: 'planner@example.com', password: 'a long enough password', tenantName: 'X', plan: 'enterprise' },
  });
  assert.equal(response.status, 400);
  assert.equal(response.body.error.code, 'validation_failed');
  assert.deepEqual(response.body.error.details, [{ path: 'plan', message: 'unknown field' }]);
  const { rows } = await db.pool.query("SELECT 1 FROM public.tenants WHERE owner_email = 'planner@example.com'");
  assert.equal(rows.length, 0);
});

test('an email registered twice (in any case) gets 409 already_exists and leaves no second schema', async () => {
  const schemasBefore = await db.pool.query("SELECT count(*)::int AS n FROM information_schema.schemata WHERE schema_name LIKE 'tenant\\_%'");
  await server.request('POST', '/api/v1/auth/register', {
    body: { email: 'dup@example.com', password: 'a long enough password', tenantName: 'Dup' },
  });
  const again = await server.request('POST', '/api/v1/auth/register', {
    body: { email: 'DUP@example.com', password: 'a long enough password', tenantName: 'Dup' },
  });
  assert.equal(again.status, 409);
  assert.equal(again.body.error.code, 'already_exists');
  assert.equal(again.body.error.details[0].path, 'email');
  const schemasAfter = await db.pool.query("SELECT count(*)::int AS n FROM information_schema.schemata WHERE schema_name LIKE 'tenant\\_%'");
  assert.equal(schemasAfter.rows[0].n, schemasBefore.rows[0].n + 1);
});

test('weak or oversized passwords and bad emails are refused naming the field', async () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ email: 'a@example.com', password: 'short', tenantName: 'X' }, 'password'],
    [{ email: 'a@example.com', password: 'é'.repeat(40), tenantName: 'X' }, 'password'],
    [{ email: 'not-an-email', password: 'a long enough password', tenantName: 'X' }, 'email'],
    [{ email: 'a@example.com', password: 'a long enough password', tenantName: '' }, 'tenantName'],
    [{ email: 'a@example.com', password: 12345678901, tenantName: 'X' }, 'password'],
  ];
  for (const [body, field] of cases) {
    const response = await server.request('POST', '/api/v1/auth/register', { body });
    assert.equal(response.status, 400, JSON.stringify(body));
    assert.equal(response.body.error.details[0].path, field, JSON.stringify(body));
  }
});
