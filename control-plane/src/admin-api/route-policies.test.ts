// The config-only policy fields of issue 17 (DESIGN §10) through the admin API: stored as written, in the
// snapshot, and bad input refused with 400 naming the exact field.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { registerTenantApi, type RegisteredTenant, type TestServer } from '../testing/server.js';
import { withTestServer } from '../testing/with-test-server.js';

const { server, ready } = withTestServer();
let api: { tenant: RegisteredTenant; base: string; call: TestServer['request'] };

before(async () => {
  await ready;
  api = await registerTenantApi(server, 'Route policies');
  assert.equal((await api.call('POST', '/services', { body: { name: 'users', url: 'http://127.0.0.1:9' } })).status, 201);
});

const policies = {
  auth: 'key-auth',
  acl: { allow: ['partners'] },
  ipRestriction: { allow: ['10.0.0.0/8', '2001:db8::/32'] },
  cors: { allowOrigins: ['https://app.example.com', 'https://*.example.com'], allowMethods: ['GET'], allowHeaders: ['authorization'], allowCredentials: true, maxAgeSeconds: 600 },
  requestHeaders: { set: { 'x-env': 'prod' }, remove: ['x-debug'] },
  responseHeaders: { remove: ['server'] },
  rewrite: { hostname: 'users.internal', path: { replacePrefixMatch: '/v2' } },
  preserveHost: true,
  maxBodyBytes: 1_048_576,
};

test('a route with every policy field and a consumer with groups are stored and reach the snapshot as written', async () => {
  const route = await api.call('POST', '/routes', { body: { name: 'with-policies', service: 'users', paths: ['/v1/*'], ...policies } });
  assert.equal(route.status, 201, route.text);
  const consumer = await api.call('POST', '/consumers', { body: { username: 'partner-a', groups: ['partners'] } });
  assert.equal(consumer.status, 201, consumer.text);
  const config = (await api.call('GET', '/config')).body.config;
  const stored = config.routes.find((r: { name: string }) => r.name === 'with-policies');
  for (const [field, value] of Object.entries(policies)) assert.deepEqual(stored[field], value, field);
  assert.deepEqual(config.consumers.find((c: { username: string }) => c.username === 'partner-a').groups, ['partners']);
  const redirect = await api.call('POST', '/routes', { body: { name: 'to-https', service: 'users', paths: ['/old/*'], redirect: { scheme: 'https', statusCode: 301 } } });
  assert.equal(redirect.status, 201, redirect.text);
});

test('POST /routes refuses header injection and gateway-owned headers with 400 naming the field', async () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ requestHeaders: { set: { 'x-env': 'a\r\nx-admin: 1' } } }, 'requestHeaders.set.x-env'],
    [{ requestHeaders: { set: { Host: 'evil' } } }, 'requestHeaders.set.Host'],
    [{ responseHeaders: { add: { 'X-Request-ID': 'x' } } }, 'responseHeaders.add.X-Request-ID'],
    [{ cors: { allowOrigins: ['https://ok.example.com', 'https://evil.example.com/path'] } }, 'cors.allowOrigins[1]'],
    [{ ipRestriction: { deny: ['10.0.0.0/33'] } }, 'ipRestriction.deny[0]'],
    [{ redirect: { statusCode: 300 } }, 'redirect.statusCode'],
  ];
  for (const [extra, path] of cases) {
    const reply = await api.call('POST', '/routes', { body: { name: 'bad', service: 'users', paths: ['/bad/*'], ...extra } });
    assert.equal(reply.status, 400, `${path}: ${reply.text}`);
    assert.ok(reply.body.error.details.some((d: { path: string }) => d.path === path), `${path}: ${reply.text}`);
  }
});

test('PUT /config refuses a bad policy field with 400 naming routes[i] and the entry', async () => {
  const routes = [
    { name: 'a', service: 'users', paths: ['/a'] },
    { name: 'b', service: 'users', paths: ['/b'] },
    { name: 'c', service: 'users', paths: ['/c'] },
    { name: 'd', service: 'users', paths: ['/d'], cors: { allowOrigins: ['https://app.example.com', 'https://app.example.com.attacker.io/'] } },
  ];
  const reply = await api.call('PUT', '/config', { body: { config: { services: [{ name: 'users', url: 'http://127.0.0.1:9' }], routes } } });
  assert.equal(reply.status, 400, reply.text);
  assert.equal(reply.body.error.details[0].path, 'config.routes[3].cors.allowOrigins[1]');
  const groups = await api.call('PUT', '/config', { body: { config: { consumers: [{ username: 'u', groups: ['bad group'] }] } } });
  assert.equal(groups.status, 400, groups.text);
  assert.equal(groups.body.error.details[0].path, 'config.consumers[0].groups[0]');
});
