import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createListCache, MAX_AGE_MS } from './list-cache.js';
import { recordConfigVersion } from '../tenancy/config-versions.js';
import { serviceSchema } from '@novagate/gateway/config';
import { services } from '../tenancy/entities.js';
import { withTestServer } from '../testing/with-test-server.js';
import { registerTenant, type TestServer } from '../testing/server.js';

const TENANT = '00000000-0000-4000-8000-000000000001';

function counter(): { load: () => Promise<string>; loads: () => number } {
  let n = 0;
  return { load: async () => `body-${++n}`, loads: () => n };
}

test('a list is loaded once and served from the cache until the tenant is invalidated', async () => {
  const cache = createListCache();
  cache.setListening(true);
  const source = counter();
  assert.equal(await cache.get(TENANT, 'routes', source.load), 'body-1');
  assert.equal(await cache.get(TENANT, 'routes', source.load), 'body-1');
  assert.equal(source.loads(), 1);
  cache.invalidate(TENANT);
  assert.equal(await cache.get(TENANT, 'routes', source.load), 'body-2');
});

test('nothing is cached while the LISTEN session is down', async () => {
  const cache = createListCache();
  const source = counter();
  await cache.get(TENANT, 'services', source.load);
  await cache.get(TENANT, 'services', source.load);
  assert.equal(source.loads(), 2);
  cache.setListening(true);
  await cache.get(TENANT, 'services', source.load);
  cache.setListening(false);
  await cache.get(TENANT, 'services', source.load);
  assert.equal(source.loads(), 4, 'going offline drops what was cached');
});

test('a load that overlaps an invalidation is returned but not stored', async () => {
  const cache = createListCache();
  cache.setListening(true);
  let release: (body: string) => void = () => undefined;
  const slow = cache.get(TENANT, 'consumers', () => new Promise<string>((resolve) => (release = resolve)));
  cache.invalidate(TENANT); // a write committed while the old list was being read
  release('read before the write');
  assert.equal(await slow, 'read before the write');
  assert.equal(await cache.get(TENANT, 'consumers', async () => 'read after the write'), 'read after the write');
});

test('cached lists expire after MAX_AGE_MS even without a notification', async () => {
  let now = 0;
  const cache = createListCache(() => now);
  cache.setListening(true);
  const source = counter();
  await cache.get(TENANT, 'routes', source.load);
  now += MAX_AGE_MS - 1;
  await cache.get(TENANT, 'routes', source.load);
  assert.equal(source.loads(), 1);
  now += 1;
  await cache.get(TENANT, 'routes', source.load);
  assert.equal(source.loads(), 2);
});

test('each list of a tenant is cached on its own and invalidated together', async () => {
  const cache = createListCache();
  cache.setListening(true);
  await cache.get(TENANT, 'routes', async () => 'routes');
  assert.equal(await cache.get(TENANT, 'services', async () => 'services'), 'services');
  assert.equal(await cache.get(TENANT, 'routes', async () => 'other'), 'routes');
  cache.invalidate(TENANT);
  assert.equal(await cache.get(TENANT, 'routes', async () => 'fresh routes'), 'fresh routes');
  assert.equal(await cache.get(TENANT, 'services', async () => 'fresh services'), 'fresh services');
});

const {
  db,
  servers: [replicaA, replicaB],
  ready,
} = withTestServer({ replicas: 2 });

before(async () => {
  await ready;
  for (const replica of [replicaA, replicaB]) {
    for (let i = 0; i < 200 && replica.controlPlane.listener.backendPid() === null; i++) await new Promise((r) => setTimeout(r, 10));
  }
});

const serviceNames = async (server: TestServer, tenant: { id: string; token: string }) =>
  ((await server.request('GET', `/api/v1/tenants/${tenant.id}/services`, { token: tenant.token })).body.data as { name: string }[]).map((s) => s.name);

test('a replica answers its own write at once and another replica within a second of the notification', async () => {
  const tenant = await registerTenant(replicaA);
  assert.deepEqual(await serviceNames(replicaA, tenant), []);
  assert.deepEqual(await serviceNames(replicaB, tenant), [], 'both replicas have the empty list cached now');
  const created = await replicaA.request('POST', `/api/v1/tenants/${tenant.id}/services`, { token: tenant.token, body: { name: 'users', url: 'http://users:8080' } });
  assert.equal(created.status, 201);
  assert.deepEqual(await serviceNames(replicaA, tenant), ['users'], 'read-your-writes on the replica that wrote');
  const started = Date.now();
  let seen: string[] = [];
  while (seen.length === 0 && Date.now() - started < 1_000) {
    seen = await serviceNames(replicaB, tenant);
    if (seen.length === 0) await new Promise((r) => setTimeout(r, 5));
  }
  assert.deepEqual(seen, ['users']);
});

test('a config version written straight to the database (as the operator does) refreshes cached lists', async () => {
  const tenant = await registerTenant(replicaA);
  assert.deepEqual(await serviceNames(replicaB, tenant), []);
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    await services.insert(client, tenant.id, serviceSchema.parse({ name: 'k8s.orders', url: 'http://orders:8080' }), 'kubernetes');
    await recordConfigVersion(client, tenant.id, { by: 'operator' });
    await client.query('COMMIT');
  } finally {
    client.release();
  }
  const started = Date.now();
  let seen: string[] = [];
  while (seen.length === 0 && Date.now() - started < 1_000) seen = await serviceNames(replicaB, tenant);
  assert.deepEqual(seen, ['k8s.orders']);
});
