import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { configHash } from '@novagate/gateway/config';
import { withTransaction } from '../db/pool.js';
import { withTestDatabase } from '../testing/with-test-server.js';
import { provisionTenant } from './provision.js';
import { quotedTenantSchema } from './schema-name.js';
import { lockTenantForConfigChange, newestConfigVersionUnless, recordConfigVersion } from './config-versions.js';

const { db, ready } = withTestDatabase();
let tenantId: string;
before(async () => {
  await ready;
  tenantId = await withTransaction(db.pool, async (client) => {
    const tenant = await provisionTenant(client, { name: 'Versions', plan: 'free', ownerEmail: 'versions@example.com', passwordHash: null });
    return tenant.id;
  });
});

const record = () =>
  withTransaction(db.pool, async (client) => {
    await lockTenantForConfigChange(client, tenantId);
    return recordConfigVersion(client, tenantId, { by: 'api' });
  });

test('a change records the next version whose hash is the hash of its stored snapshot; no change records nothing', async () => {
  await db.pool.query(
    `INSERT INTO ${quotedTenantSchema(tenantId)}.services (name, url, connect_timeout_ms, timeout_ms, retries) VALUES ('users', 'http://users:8080', 2000, 10000, 1)`,
  );
  const recorded = await record();
  assert.equal(recorded.version, 2);
  assert.equal(recorded.changed, true);
  const { rows } = await db.pool.query(`SELECT hash, snapshot FROM ${quotedTenantSchema(tenantId)}.config_versions WHERE version = 2`);
  assert.deepEqual(rows[0].snapshot, {
    services: [{ name: 'users', url: 'http://users:8080', connectTimeoutMs: 2000, timeoutMs: 10000, retries: 1 }],
    routes: [],
    consumers: [],
  });
  assert.equal(rows[0].hash, configHash(rows[0].snapshot));
  assert.equal(recorded.hash, rows[0].hash);
  assert.deepEqual(await record(), { version: 2, hash: recorded.hash, changed: false });
  const pending = await db.pool.query('SELECT version FROM public.pending_config_updates WHERE tenant_id = $1 ORDER BY version', [tenantId]);
  assert.deepEqual(pending.rows.map((r) => Number(r.version)), [1, 2]);
});

test('the snapshot holds routes in their order and every config field of routes and consumers, nothing else', async () => {
  const schema = quotedTenantSchema(tenantId);
  await db.pool.query(
    `INSERT INTO ${schema}.routes (name, service_id, paths, methods, hosts, strip_prefix, auth, rate_limit)
     SELECT n, (SELECT id FROM ${schema}.services WHERE name = 'users'), ARRAY['/' || n], ARRAY['GET'], ARRAY['api.example.com'], true, 'jwt',
            '{"limit": 5, "windowSeconds": 60, "by": "ip"}'::jsonb
       FROM unnest(ARRAY['zeta', 'alpha']) AS n`,
  );
  await db.pool.query(
    `INSERT INTO ${schema}.consumers (username, api_key_hashes, jwt_subject, rate_limit) VALUES
       ('mobile', ARRAY['${'a'.repeat(64)}'], 'mobile-sub', '{"limit": 100, "windowSeconds": 1}'), ('bare', '{}', NULL, NULL)`,
  );
  const { version } = await record();
  const { rows } = await db.pool.query(`SELECT snapshot FROM ${schema}.config_versions WHERE version = $1`, [version]);
  const route = (name: string) => ({
    name,
    service: 'users',
    paths: [`/${name}`],
    methods: ['GET'],
    hosts: ['api.example.com'],
    stripPrefix: true,
    auth: 'jwt',
    rateLimit: { limit: 5, windowSeconds: 60, by: 'ip' },
  });
  assert.deepEqual(rows[0].snapshot.routes, [route('zeta'), route('alpha')], 'routes keep their position order');
  assert.deepEqual(rows[0].snapshot.consumers, [
    { username: 'bare', apiKeyHashes: [] },
    { username: 'mobile', apiKeyHashes: ['a'.repeat(64)], jwtSubject: 'mobile-sub', rateLimit: { limit: 100, windowSeconds: 1 } },
  ]);
});

test('the newest version comes without its snapshot when the reader already holds it', async () => {
  const newest = await newestConfigVersionUnless(db.pool, tenantId, null);
  assert.ok(newest !== null && newest.config !== null);
  assert.deepEqual(await newestConfigVersionUnless(db.pool, tenantId, { version: newest.version, hash: newest.hash }), { ...newest, config: null });
  assert.deepEqual(await newestConfigVersionUnless(db.pool, tenantId, { version: newest.version, hash: 'f'.repeat(64) }), newest);
  assert.deepEqual(await newestConfigVersionUnless(db.pool, tenantId, { version: newest.version - 1, hash: newest.hash }), newest);
});
