import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tenantIdOfApiKey } from '@novagate/gateway/protocol';
import { withTestServer } from '../testing/with-test-server.js';
import { RELAXED_THROTTLE, registerTenant, startRegistration, startTestServer, waitForMail } from '../testing/server.js';
import { registrationTokenIn } from '../testing/mail-folder.js';
import { sha256Hex } from '../tenancy/api-key-format.js';
import { tenantSchemaName } from '../tenancy/schema-name.js';
import { tenantMigrations } from '../db/migrate.js';

const { db, server } = withTestServer();

const PUBLIC_TABLES = ['api_keys', 'console_sessions', 'pending_config_updates', 'pending_registrations', 'plans', 'schema_migrations', 'tenants'];
const TENANT_TABLES = ['certificates', 'config_versions', 'consumer_keys', 'consumers', 'error_events', 'gateway_nodes', 'listeners', 'request_logs', 'routes', 'services', 'telemetry_usage'];

async function tablesIn(schema: string): Promise<string[]> {
  const { rows } = await db.pool.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY table_name",
    [schema],
  );
  return rows.map((row) => row.table_name);
}

test('registration answers 202, mails a link, and the link token confirmed answers 201 with the tenant on the free plan, a token and a gateway key', async () => {
  const response = await server.request('POST', '/api/v1/auth/register', {
    body: { email: 'First@Example.com', password: 'a long enough password', tenantName: 'Acme Corp!' },
  });
  assert.equal(response.status, 202, response.text);
  assert.deepEqual(Object.keys(response.body), ['message']);
  const mail = await waitForMail(server, 'first@example.com');
  assert.equal(mail.to, 'First@Example.com');
  assert.match(mail.text, /http:\/\/localhost\/console\/confirm#token=[0-9a-f]{64}/);
  const token = registrationTokenIn(mail.text);
  assert.ok(token !== null);
  const confirmed = await server.request('POST', '/api/v1/auth/register/confirm', { body: { token } });
  assert.equal(confirmed.status, 201, confirmed.text);
  assert.deepEqual(Object.keys(confirmed.body).sort(), ['gatewayApiKey', 'tenant', 'token']);
  assert.equal(confirmed.body.tenant.plan, 'free');
  assert.equal(confirmed.body.tenant.name, 'Acme Corp!');
  assert.equal(confirmed.body.tenant.slug, 'acme-corp');
  assert.equal(tenantIdOfApiKey(confirmed.body.gatewayApiKey), confirmed.body.tenant.id);
  assert.equal(confirmed.body.token.split('.').length, 3);
  const login = await server.request('POST', '/api/v1/auth/login', { body: { email: 'first@example.com', password: 'a long enough password' } });
  assert.equal(login.status, 200);
});

test('nothing is provisioned before the token is confirmed; the pending row holds only the token\'s SHA-256 and a bcrypt hash', async () => {
  const tenantsBefore = await db.pool.query('SELECT count(*)::int AS n FROM public.tenants');
  const token = await startRegistration(server, 'pending@example.com', 'a long enough password', 'Pending');
  const tenantsAfter = await db.pool.query('SELECT count(*)::int AS n FROM public.tenants');
  assert.equal(tenantsAfter.rows[0].n, tenantsBefore.rows[0].n);
  const { rows } = await db.pool.query("SELECT * FROM public.pending_registrations WHERE email = 'pending@example.com'");
  assert.equal(rows.length, 1);
  assert.equal(rows[0].token_hash, sha256Hex(token));
  assert.match(rows[0].password_hash, /^\$2b\$10\$/);
  assert.equal(rows[0].tenant_name, 'Pending');
  const hours = (rows[0].expires_at.getTime() - Date.now()) / 3_600_000;
  assert.ok(hours > 23.9 && hours <= 24, `expires in ${hours} h`);
  assert.ok(!JSON.stringify(rows).includes(token));
});

test('an email that has an account (in any case) gets the same 202 and a mail saying so, and no link that could make a second account', async () => {
  const owner = await registerTenant(server, 'Owner');
  const fresh = await server.request('POST', '/api/v1/auth/register', {
    body: { email: 'nobody-yet@example.com', password: 'a long enough password', tenantName: 'X' },
  });
  const mailsBefore = server.mail.filter((m) => m.to.toLowerCase() === owner.email).length;
  const existing = await server.request('POST', '/api/v1/auth/register', {
    body: { email: owner.email.toUpperCase(), password: 'a long enough password', tenantName: 'X' },
  });
  assert.equal(existing.status, 202);
  assert.equal(existing.status, fresh.status);
  assert.deepEqual(existing.body, fresh.body);
  assert.equal(existing.headers.get('content-length'), fresh.headers.get('content-length'));
  const mail = await waitForMail(server, owner.email, mailsBefore);
  assert.match(mail.subject, /already have a NovaGate account/);
  assert.equal(registrationTokenIn(mail.text), null);
  const { rows } = await db.pool.query('SELECT 1 FROM public.pending_registrations WHERE lower(email) = lower($1)', [owner.email]);
  assert.equal(rows.length, 0);
});

test('a registration token works exactly once: concurrent and later uses get 400 naming token, and one tenant exists', async () => {
  const token = await startRegistration(server, 'once@example.com', 'a long enough password', 'Once');
  const answers = await Promise.all(Array.from({ length: 5 }, () => server.request('POST', '/api/v1/auth/register/confirm', { body: { token } })));
  assert.deepEqual(answers.map((a) => a.status).sort(), [201, 400, 400, 400, 400]);
  const later = await server.request('POST', '/api/v1/auth/register/confirm', { body: { token } });
  assert.equal(later.status, 400);
  assert.equal(later.body.error.code, 'validation_failed');
  assert.equal(later.body.error.details[0].path, 'token');
  const { rows } = await db.pool.query("SELECT count(*)::int AS n FROM public.tenants WHERE owner_email = 'once@example.com'");
  assert.equal(rows[0].n, 1);
});

test('a registration token expires after 24 hours', async () => {
  let clock = Date.now();
  const timed = await startTestServer({ db, now: () => new Date(clock) });
  try {
    const token = await startRegistration(timed, 'late@example.com', 'a long enough password', 'Late');
    clock += 24 * 3_600_000 + 1_000;
    const late = await timed.request('POST', '/api/v1/auth/register/confirm', { body: { token } });
    assert.equal(late.status, 400);
    assert.equal(late.body.error.details[0].path, 'token');
  } finally {
    await timed.close();
  }
});

test('two pending sign-ups for one mailbox: the second link answers 409 and makes no second account', async () => {
  const first = await startRegistration(server, 'twice@example.com', 'a long enough password', 'Twice');
  const second = await startRegistration(server, 'TWICE@example.com', 'a long enough password', 'Twice again');
  assert.equal((await server.request('POST', '/api/v1/auth/register/confirm', { body: { token: second } })).status, 201);
  const again = await server.request('POST', '/api/v1/auth/register/confirm', { body: { token: first } });
  assert.equal(again.status, 409);
  assert.equal(again.body.error.code, 'already_exists');
});

test('opening the mailed link spends nothing (mail scanners prefetch links), nor does the old /register/confirm link; only the POST does', async () => {
  const token = await startRegistration(server, 'scanner@example.com', 'a long enough password', 'Scanned');
  for (const path of ['/console/confirm', `/register/confirm?token=${token}`, '/register/confirm', `/api/v1/auth/register/confirm?token=${token}`]) {
    await server.request('GET', path);
    await server.request('HEAD', path);
  }
  const page = await server.request('GET', '/console/confirm');
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  const { rows } = await db.pool.query("SELECT 1 FROM public.tenants WHERE owner_email = 'scanner@example.com'");
  assert.equal(rows.length, 0, 'a GET created the tenant');
  assert.equal((await server.request('POST', '/api/v1/auth/register/confirm', { body: { token } })).status, 201);
});

test('registration is throttled per email (any case), even from many addresses', async () => {
  const throttled = await startTestServer({
    db,
    trustedProxies: ['127.0.0.1'],
    throttleRules: { ...RELAXED_THROTTLE, perEmail: { limit: 2, windowSeconds: 600 } },
  });
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const response = await throttled.request('POST', '/api/v1/auth/register', {
        body: { email: i % 2 === 0 ? 'flooded@example.com' : 'FLOODED@example.com', password: 'a long enough password', tenantName: 'F' },
        headers: { 'x-forwarded-for': `198.51.100.${i + 1}` },
      });
      statuses.push(response.status);
    }
    assert.deepEqual(statuses, [202, 202, 429, 429]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(throttled.mail.length, 2, 'a throttled registration sends no mail');
  } finally {
    await throttled.close();
  }
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

test('50 concurrent registrations give 50 tenants and 50 schemas: never an error, at most a retryable 503 that leaves the token usable', async () => {
  const before = await db.pool.query('SELECT count(*)::int AS n FROM public.tenants');
  const tokens = await Promise.all(
    Array.from({ length: 50 }, (_, i) => startRegistration(server, `concurrent${i}@example.com`, 'a long enough password', 'Same Name')),
  );
  // 50 schemas at once on a 20-connection pool: on a loaded machine some wait longer than the pool lets them and get
  // 503 with Retry-After (the designed answer to overload), as a client would see; they retry, and the token, never
  // consumed by a failed attempt, still works.
  let busy = 0;
  const confirm = async (token: string) => {
    for (let attempt = 1; ; attempt++) {
      const response = await server.request('POST', '/api/v1/auth/register/confirm', { body: { token } });
      if (response.status !== 503 || attempt === 10) return response;
      busy++;
      assert.equal(response.body.error.code, 'service_unavailable');
      assert.ok(Number(response.headers.get('retry-after')) >= 1, 'a 503 says when to retry');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  };
  const responses = await Promise.all(tokens.map(confirm));
  if (busy > 0) console.log(`[registration] ${busy} of the 50 confirmations were told 503 (busy) first and succeeded on retry`);
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
