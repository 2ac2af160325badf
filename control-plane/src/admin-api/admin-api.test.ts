import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { tenantIdOfApiKey } from '@novagate/gateway/protocol';
import { withTestServer } from '../testing/with-test-server.js';
import { registerTenantApi } from '../testing/server.js';
import { quotedTenantSchema } from '../tenancy/schema-name.js';
import { createApiKey } from '../tenancy/api-keys.js';

const { db, server } = withTestServer();

const sha = (value: string) => createHash('sha256').update(value).digest('hex');

const fresh = () => registerTenantApi(server);

test('services, routes and consumers can be created, read, listed, replaced and deleted', async () => {
  const { call } = await fresh();
  const service = await call('POST', '/services', { body: { name: 'users', url: 'http://users:8080' } });
  assert.equal(service.status, 201);
  assert.deepEqual(
    { ...service.body, id: undefined, createdAt: undefined, updatedAt: undefined },
    { id: undefined, name: 'users', url: 'http://users:8080', connectTimeoutMs: 2000, timeoutMs: 10000, retries: 1, managedBy: 'api', createdAt: undefined, updatedAt: undefined },
  );
  const route = await call('POST', '/routes', {
    body: { name: 'get-user', service: 'users', paths: ['/users/:id'], methods: ['GET'], auth: 'jwt', rateLimit: { limit: 10, windowSeconds: 60 } },
  });
  assert.equal(route.status, 201, route.text);
  assert.equal(route.body.service, 'users');
  assert.deepEqual(route.body.rateLimit, { limit: 10, windowSeconds: 60, by: 'consumer' });
  const consumer = await call('POST', '/consumers', { body: { username: 'mobile', apiKeyHashes: [sha('k1')], jwtSubject: 'mobile' } });
  assert.equal(consumer.status, 201);

  assert.equal((await call('GET', `/routes/${route.body.id}`)).body.name, 'get-user');
  assert.deepEqual((await call('GET', '/services')).body.data.map((s: { name: string }) => s.name), ['users']);

  const replaced = await call('PUT', `/services/${service.body.id}`, { body: { name: 'people', url: 'https://people:8443', retries: 0 } });
  assert.equal(replaced.status, 200);
  assert.equal(replaced.body.retries, 0);
  assert.equal((await call('GET', `/routes/${route.body.id}`)).body.service, 'people', 'routes follow a renamed service');

  // Sent the way many clients do: a JSON Content-Type and no body.
  assert.equal((await call('DELETE', `/consumers/${consumer.body.id}`, { headers: { 'content-type': 'application/json' } })).status, 204);
  assert.equal((await call('GET', `/consumers/${consumer.body.id}`)).status, 404);
});

test('every change writes a new config version, a pending update and the snapshot the gateway will get', async () => {
  const { tenant, call } = await fresh();
  await call('POST', '/services', { body: { name: 'users', url: 'http://users:8080' } });
  await call('POST', '/routes', { body: { name: 'r1', service: 'users', paths: ['/a'] } });
  const config = await call('GET', '/config');
  assert.equal(config.body.version, 3);
  assert.match(config.body.hash, /^[0-9a-f]{64}$/);
  assert.deepEqual(config.body.config.routes, [
    { name: 'r1', service: 'users', paths: ['/a'], methods: [], hosts: [], stripPrefix: false, auth: 'none' },
  ]);
  const pending = await db.pool.query('SELECT version FROM public.pending_config_updates WHERE tenant_id = $1 ORDER BY version', [tenant.id]);
  assert.deepEqual(pending.rows.map((r) => Number(r.version)), [1, 2, 3]);
});

test('a route naming a missing service gets 422 invalid_reference; deleting a used service gets 409 in_use', async () => {
  const { call } = await fresh();
  const missing = await call('POST', '/routes', { body: { name: 'r', service: 'nope', paths: ['/x'] } });
  assert.equal(missing.status, 422);
  assert.equal(missing.body.error.code, 'invalid_reference');
  assert.equal(missing.body.error.details[0].path, 'service');
  const service = await call('POST', '/services', { body: { name: 'users', url: 'http://users:8080' } });
  await call('POST', '/routes', { body: { name: 'r', service: 'users', paths: ['/x'] } });
  const del = await call('DELETE', `/services/${service.body.id}`);
  assert.equal(del.status, 409);
  assert.equal(del.body.error.code, 'in_use');
});

test('duplicate names, JWT subjects and key hashes get 409 already_exists naming the field', async () => {
  const { call } = await fresh();
  await call('POST', '/services', { body: { name: 'users', url: 'http://users:8080' } });
  const dupService = await call('POST', '/services', { body: { name: 'users', url: 'http://other:8080' } });
  assert.equal(dupService.status, 409);
  assert.equal(dupService.body.error.details[0].path, 'name');
  await call('POST', '/consumers', { body: { username: 'a', apiKeyHashes: [sha('k')], jwtSubject: 's' } });
  const dupSubject = await call('POST', '/consumers', { body: { username: 'b', jwtSubject: 's' } });
  assert.equal(dupSubject.status, 409);
  assert.equal(dupSubject.body.error.details[0].path, 'jwtSubject');
  const dupHash = await call('POST', '/consumers', { body: { username: 'c', apiKeyHashes: [sha('k')] } });
  assert.equal(dupHash.status, 409);
  assert.equal(dupHash.body.error.details[0].path, 'apiKeyHashes');
});

test('the free plan limit answers 422 plan_limit_exceeded and creates nothing', async () => {
  const { tenant, call } = await fresh();
  for (let i = 0; i < 10; i++) {
    assert.equal((await call('POST', '/consumers', { body: { username: `c${i}` } })).status, 201);
  }
  const over = await call('POST', '/consumers', { body: { username: 'c10' } });
  assert.equal(over.status, 422);
  assert.equal(over.body.error.code, 'plan_limit_exceeded');
  const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM ${quotedTenantSchema(tenant.id)}.consumers`);
  assert.equal(rows[0].n, 10);
  const viaConfig = await call('PUT', '/config', {
    body: { config: { consumers: Array.from({ length: 11 }, (_, i) => ({ username: `u${i}` })) } },
  });
  assert.equal(viaConfig.status, 422);
});

test('PUT /config replaces the whole config in one transaction and honours the version precondition', async () => {
  const { call } = await fresh();
  await call('POST', '/services', { body: { name: 'old', url: 'http://old:1' } });
  const current = await call('GET', '/config');
  const config = {
    services: [{ name: 'users', url: 'http://users:8080' }],
    routes: [
      { name: 'second', service: 'users', paths: ['/b'] },
      { name: 'first', service: 'users', paths: ['/a'] },
    ],
    consumers: [{ username: 'app', apiKeyHashes: [sha('x')] }],
  };
  const put = await call('PUT', '/config', { body: { version: current.body.version, config } });
  assert.equal(put.status, 200, put.text);
  assert.equal(put.body.version, current.body.version + 1);
  const read = await call('GET', '/config');
  assert.equal(read.body.hash, put.body.hash);
  assert.deepEqual(read.body.config.services.map((s: { name: string }) => s.name), ['users']);
  assert.deepEqual(read.body.config.routes.map((r: { name: string }) => r.name), ['second', 'first'], 'route order is the file order');

  const same = await call('PUT', '/config', { body: { config } });
  assert.equal(same.body.version, put.body.version, 'an identical config makes no new version');

  const stale = await call('PUT', '/config', { body: { version: current.body.version, config: { services: [] } } });
  assert.equal(stale.status, 409);
  assert.equal(stale.body.error.code, 'version_conflict');

  const invalid = await call('PUT', '/config', { body: { config: { routes: [{ name: 'x', service: 'nope', paths: ['/x'] }] } } });
  assert.equal(invalid.status, 400);
  assert.equal(invalid.body.error.details[0].path, 'config.routes[0].service');
  assert.equal((await call('GET', '/config')).body.version, put.body.version, 'a refused config changes nothing');
});

test('operator-managed objects answer 409 managed_by_operator to changes and survive PUT /config', async () => {
  const { tenant, call } = await fresh();
  const schema = quotedTenantSchema(tenant.id);
  const { rows } = await db.pool.query(
    `INSERT INTO ${schema}.services (name, url, connect_timeout_ms, timeout_ms, retries, managed_by)
     VALUES ('k8s.default.web', 'http://web:80', 2000, 10000, 1, 'kubernetes') RETURNING id`,
  );
  const id = rows[0].id as string;
  const put = await call('PUT', `/services/${id}`, { body: { name: 'web', url: 'http://web:80' } });
  assert.equal(put.status, 409);
  assert.equal(put.body.error.code, 'managed_by_operator');
  assert.equal((await call('DELETE', `/services/${id}`)).status, 409);
  const reserved = await call('POST', '/services', { body: { name: 'k8s.default.other', url: 'http://x:1' } });
  assert.equal(reserved.status, 400);
  // The Gateway API translation's names (DESIGN §11) are the operator's too, in every entry point.
  const gatewayApi = await call('POST', '/services', { body: { name: 'gwapi.svc.default.web.80', url: 'http://x:1' } });
  assert.equal(gatewayApi.status, 400);
  assert.match(JSON.stringify(gatewayApi.body), /reserved for the Kubernetes operator/);
  const gatewayApiPut = await call('PUT', '/config', { body: { config: { services: [{ name: 'gwapi.svc.default.web.80', url: 'http://x:1' }] } } });
  assert.equal(gatewayApiPut.status, 400);
  assert.equal(gatewayApiPut.body.error.details[0].path, 'config.services[0]');

  const replace = await call('PUT', '/config', { body: { config: { services: [{ name: 'api', url: 'http://api:1' }] } } });
  assert.equal(replace.status, 200, replace.text);
  const names = (await call('GET', '/config')).body.config.services.map((s: { name: string }) => s.name);
  assert.deepEqual(names, ['api', 'k8s.default.web']);
  const changeIt = await call('PUT', '/config', {
    body: { config: { services: [{ name: 'k8s.default.web', url: 'http://changed:80' }] } },
  });
  assert.equal(changeIt.status, 409);
  assert.equal(changeIt.body.error.code, 'managed_by_operator');
});

test('concurrent writes to one tenant never produce two versions with the same number', async () => {
  const { tenant, call } = await fresh();
  const responses = await Promise.all(
    Array.from({ length: 8 }, (_, i) => call('POST', '/services', { body: { name: `s${i}`, url: 'http://x:1' } })),
  );
  assert.deepEqual(responses.map((r) => r.status), Array(8).fill(201));
  const { rows } = await db.pool.query(`SELECT version FROM ${quotedTenantSchema(tenant.id)}.config_versions ORDER BY version`);
  assert.deepEqual(rows.map((r) => Number(r.version)), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test('API keys: created with the plaintext once, listed without it, revoked with 204', async () => {
  const { tenant, call } = await fresh();
  const created = await call('POST', '/api-keys', { body: { name: 'ci' } });
  assert.equal(created.status, 201);
  assert.equal(tenantIdOfApiKey(created.body.key), tenant.id);
  const list = await call('GET', '/api-keys');
  assert.equal(list.body.data.length, 2);
  assert.ok(!list.text.includes(created.body.key.slice(-32)), 'a list never shows a key');
  const { rows } = await db.pool.query('SELECT key_hash FROM public.api_keys WHERE id = $1', [created.body.id]);
  assert.equal(rows[0].key_hash, sha(created.body.key));
  assert.equal((await call('DELETE', `/api-keys/${created.body.id}`)).status, 204);
  const after = (await call('GET', '/api-keys')).body.data.find((k: { id: string }) => k.id === created.body.id);
  assert.ok(after.revokedAt !== null);
});

test('API keys: the list shows which Gateway a key is bound to; keys made through the API are bound to none', async () => {
  const { tenant, call } = await fresh();
  const created = await call('POST', '/api-keys', { body: { name: 'ci' } });
  assert.equal(created.body.gatewayOwner, null);
  const bound = await createApiKey(db.pool, tenant.id, 'kubernetes-gateway:infra/edge', undefined, 'infra/edge');
  const list = (await call('GET', '/api-keys')).body.data as { id: string; gatewayOwner: string | null }[];
  assert.deepEqual(
    list.map((key) => [key.id, key.gatewayOwner]),
    list.map((key) => [key.id, key.id === bound.id ? 'infra/edge' : null]),
  );
  assert.ok(list.some((key) => key.id === bound.id));
});

test('responses carry security headers and the request id', async () => {
  const { call } = await fresh();
  const response = await call('GET', '/services', { headers: { 'x-request-id': 'abc-123' } });
  assert.equal(response.headers.get('x-request-id'), 'abc-123');
  assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
  assert.ok(response.headers.get('strict-transport-security'));
  assert.ok(response.headers.get('content-security-policy'));
  const bad = await call('GET', '/services', { headers: { 'x-request-id': 'bad id with spaces' } });
  assert.match(bad.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
});

test('CORS answers allowed origins only', async () => {
  const preflight = (origin: string) =>
    server.request('OPTIONS', '/api/v1/auth/login', {
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
  const allowed = await preflight('https://console.example.com');
  assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://console.example.com');
  const denied = await preflight('https://evil.example.com');
  assert.equal(denied.headers.get('access-control-allow-origin'), null);
});

test('each request leaves one access-log line with its request id and route template, not the raw path', async () => {
  const { tenant, call } = await fresh();
  await call('GET', '/services', { headers: { 'x-request-id': 'log-check-1' } });
  const line = server.logLines.map((l) => JSON.parse(l)).find((l) => l.requestId === 'log-check-1' && l.message === 'request');
  assert.ok(line, 'no access log line');
  assert.equal(line.route, '/api/v1/tenants/:tenantId/services');
  assert.equal(line.status, 200);
  assert.ok(!JSON.stringify(line).includes(tenant.id));
});

test('services[].http2 passes through the admin API and the snapshot; false or absent leaves both as before', async () => {
  const { call } = await fresh();
  const plain = await call('POST', '/services', { body: { name: 'plain', url: 'http://plain:8080' } });
  const off = await call('POST', '/services', { body: { name: 'off', url: 'http://off:8080', http2: false } });
  const grpcService = await call('POST', '/services', { body: { name: 'grpc', url: 'http://grpc:50051', http2: true } });
  assert.deepEqual([plain.status, off.status, grpcService.status], [201, 201, 201]);
  assert.equal((await call('GET', `/services/${grpcService.body.id}`)).body.http2, true);
  assert.ok(!('http2' in (await call('GET', `/services/${plain.body.id}`)).body));
  assert.ok(!('http2' in (await call('GET', `/services/${off.body.id}`)).body));
  const service = (name: string, url: string) => ({ name, url, connectTimeoutMs: 2000, timeoutMs: 10000, retries: 1 });
  assert.deepEqual((await call('GET', '/config')).body.config.services, [
    { ...service('grpc', 'http://grpc:50051'), http2: true },
    service('off', 'http://off:8080'),
    service('plain', 'http://plain:8080'),
  ]);
  const downgraded = await call('PUT', `/services/${grpcService.body.id}`, { body: { name: 'grpc', url: 'http://grpc:50051' } });
  assert.equal(downgraded.status, 200);
  assert.ok(!('http2' in downgraded.body));
  const bad = await call('POST', '/services', { body: { name: 'bad', url: 'http://bad:8080', http2: 'yes' } });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.details[0].path, 'http2');
});

test('caseInsensitive passes through routes and PUT /config; false or absent leaves the route and snapshot as before', async () => {
  const { call } = await fresh();
  await call('POST', '/services', { body: { name: 'users', url: 'http://users:8080' } });
  const plain = await call('POST', '/routes', { body: { name: 'plain', service: 'users', paths: ['/a'] } });
  const folded = await call('POST', '/routes', { body: { name: 'folded', service: 'users', paths: ['/b'], caseInsensitive: true } });
  const sensitive = await call('POST', '/routes', { body: { name: 'sensitive', service: 'users', paths: ['/c'], caseInsensitive: false } });
  assert.deepEqual([plain.status, folded.status, sensitive.status], [201, 201, 201]);
  assert.equal((await call('GET', `/routes/${folded.body.id}`)).body.caseInsensitive, true);
  assert.ok(!('caseInsensitive' in (await call('GET', `/routes/${plain.body.id}`)).body));
  assert.ok(!('caseInsensitive' in (await call('GET', `/routes/${sensitive.body.id}`)).body));
  const route = (name: string, path: string) => ({ name, service: 'users', paths: [path], methods: [], hosts: [], stripPrefix: false, auth: 'none' });
  assert.deepEqual((await call('GET', '/config')).body.config.routes, [route('plain', '/a'), { ...route('folded', '/b'), caseInsensitive: true }, route('sensitive', '/c')]);

  const unfolded = await call('PUT', `/routes/${folded.body.id}`, { body: { name: 'folded', service: 'users', paths: ['/b'] } });
  assert.equal(unfolded.status, 200);
  assert.ok(!('caseInsensitive' in unfolded.body));
  const bad = await call('POST', '/routes', { body: { name: 'bad', service: 'users', paths: ['/d'], caseInsensitive: 'yes' } });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.details[0].path, 'caseInsensitive');

  const put = await call('PUT', '/config', {
    body: { config: { services: [{ name: 'users', url: 'http://users:8080' }], routes: [{ name: 'x', service: 'users', paths: ['/x'], caseInsensitive: true }, { name: 'y', service: 'users', paths: ['/y'], caseInsensitive: false }] } },
  });
  assert.equal(put.status, 200, put.text);
  assert.deepEqual((await call('GET', '/config')).body.config.routes, [{ ...route('x', '/x'), caseInsensitive: true }, route('y', '/y')]);
});
