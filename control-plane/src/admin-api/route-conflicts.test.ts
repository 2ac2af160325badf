import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withTestServer } from '../testing/with-test-server.js';
import { registerTenantApi } from '../testing/server.js';
import { quotedTenantSchema } from '../tenancy/schema-name.js';

const { db, server } = withTestServer();

async function fresh() {
  const { tenant, call } = await registerTenantApi(server);
  assert.equal((await call('POST', '/services', { body: { name: 'users', url: 'http://users:8080' } })).status, 201);
  return { tenant, call };
}

test('POST of a route claiming the same host, path shape and methods as another gets 409 conflict naming it', async () => {
  const { call } = await fresh();
  const first = await call('POST', '/routes', { body: { name: 'get-user', service: 'users', paths: ['/users/:id'], methods: ['GET'], hosts: ['api.example.com'] } });
  assert.equal(first.status, 201, first.text);
  const clash = await call('POST', '/routes', {
    body: { name: 'get-user-2', service: 'users', paths: ['/users/:name'], methods: ['GET', 'POST'], hosts: ['api.example.com'] },
  });
  assert.equal(clash.status, 409, clash.text);
  assert.equal(clash.body.error.code, 'conflict');
  assert.match(clash.body.error.message, /route 'get-user-2' claims the same requests as route 'get-user' \(host api\.example\.com, path \/users\/:name, GET\)/);
  assert.equal(clash.body.error.details[0].path, 'paths');
  // Disjoint methods, another host, or "any method" beside "GET" each get traffic of their own.
  for (const body of [
    { name: 'post-user', methods: ['POST'], hosts: ['api.example.com'] },
    { name: 'other-host', methods: ['GET'], hosts: ['www.example.com'] },
    { name: 'any-method', methods: [], hosts: ['api.example.com'] },
  ]) {
    const ok = await call('POST', '/routes', { body: { service: 'users', paths: ['/users/:id'], ...body } });
    assert.equal(ok.status, 201, `${body.name}: ${ok.text}`);
  }
});

test('PUT of a route into another route\'s claim gets 409; a PUT that keeps its own claim is fine', async () => {
  const { call } = await fresh();
  await call('POST', '/routes', { body: { name: 'a', service: 'users', paths: ['/a'] } });
  const b = await call('POST', '/routes', { body: { name: 'b', service: 'users', paths: ['/b'] } });
  const same = await call('PUT', `/routes/${b.body.id}`, { body: { name: 'b', service: 'users', paths: ['/b'], auth: 'jwt' } });
  assert.equal(same.status, 200, same.text);
  const clash = await call('PUT', `/routes/${b.body.id}`, { body: { name: 'b', service: 'users', paths: ['/b', '/a'] } });
  assert.equal(clash.status, 409);
  assert.match(clash.body.error.message, /route 'a'/);
});

test('PUT /config with two routes claiming the same requests gets 409 naming both, and nothing changes', async () => {
  const { call } = await fresh();
  const before = (await call('GET', '/config')).body.version;
  const config = {
    services: [{ name: 'users', url: 'http://users:8080' }],
    routes: [
      { name: 'one', service: 'users', paths: ['/x/:id'], methods: ['GET'] },
      { name: 'two', service: 'users', paths: ['/y', '/x/:other'], methods: ['GET', 'HEAD'] },
    ],
  };
  const response = await call('PUT', '/config', { body: { config } });
  assert.equal(response.status, 409, response.text);
  assert.equal(response.body.error.code, 'conflict');
  assert.equal(response.body.error.details[0].path, 'config.routes[1].paths');
  assert.match(response.body.error.message, /route 'two' claims the same requests as route 'one'/);
  assert.equal((await call('GET', '/config')).body.version, before);
});

test('PUT /config and POST refuse a route that would shadow an operator-managed route', async () => {
  const { tenant, call } = await fresh();
  const schema = quotedTenantSchema(tenant.id);
  await db.pool.query(
    `INSERT INTO ${schema}.routes (name, service_id, paths, methods, hosts, strip_prefix, auth, managed_by)
     SELECT 'k8s.shop.users', id, '{/users}', '{}', '{}', false, 'none', 'kubernetes' FROM ${schema}.services WHERE name = 'users'`,
  );
  const post = await call('POST', '/routes', { body: { name: 'mine', service: 'users', paths: ['/users'] } });
  assert.equal(post.status, 409);
  assert.match(post.body.error.message, /route 'k8s\.shop\.users'/);
  const put = await call('PUT', '/config', {
    body: { config: { services: [{ name: 'users', url: 'http://users:8080' }], routes: [{ name: 'mine', service: 'users', paths: ['/users'] }] } },
  });
  assert.equal(put.status, 409, put.text);
  assert.equal(put.body.error.details[0].path, 'config.routes[0].paths');
  assert.match(put.body.error.message, /route 'mine' claims the same requests as route 'k8s\.shop\.users'/);
});

test('a route without listeners never conflicts with one on a Gateway-owned listener: they never see the same request', async () => {
  const { call } = await fresh();
  const listener = await call('POST', '/listeners', { body: { name: 'edge', port: 8081, protocol: 'HTTP', gateway: 'infra/edge' } });
  assert.equal(listener.status, 201, listener.text);
  const owned = await call('POST', '/routes', { body: { name: 'on-edge', service: 'users', paths: ['/'], listeners: ['edge'] } });
  assert.equal(owned.status, 201, owned.text);
  const unowned = await call('POST', '/routes', { body: { name: 'default', service: 'users', paths: ['/'] } });
  assert.equal(unowned.status, 201, unowned.text);
  // An unowned listener is shared with routes without listeners: that one still conflicts.
  assert.equal((await call('POST', '/listeners', { body: { name: 'web', port: 8082, protocol: 'HTTP' } })).status, 201);
  const clash = await call('POST', '/routes', { body: { name: 'on-web', service: 'users', paths: ['/'], listeners: ['web'] } });
  assert.equal(clash.status, 409, clash.text);
  const config = (await call('GET', '/config')).body.config;
  const put = await call('PUT', '/config', { body: { config } });
  assert.equal(put.status, 200, put.text);
});
