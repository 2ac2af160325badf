import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { withTestServer } from '../testing/with-test-server.js';
import { registerTenant, type RegisteredTenant } from '../testing/server.js';
import { firstNulPath } from './nul-bytes.js';
import { helloGateway } from '../testing/gateway-client.js';
import { quotedTenantSchema } from '../tenancy/schema-name.js';

const { db, server, ready } = withTestServer();
let tenant: RegisteredTenant;
const ids: Record<string, string> = {};

before(async () => {
  await ready;
  tenant = await registerTenant(server, 'Nul');
  const base = `/api/v1/tenants/${tenant.id}`;
  const made = async (path: string, body: unknown) => {
    const response = await server.request('POST', `${base}${path}`, { token: tenant.token, body });
    assert.equal(response.status, 201, response.text);
    return response.body.id as string;
  };
  ids.services = await made('/services', { name: 'svc', url: 'http://upstream:8080' });
  ids.routes = await made('/routes', { name: 'route', service: 'svc', paths: ['/r'] });
  ids.consumers = await made('/consumers', { username: 'consumer' });
  ids.listeners = await made('/listeners', { name: 'listener', port: 8081, protocol: 'HTTP' });
  ids['api-keys'] = await made('/api-keys', { name: 'key' });
});

test('firstNulPath names the first string value or key holding U+0000, however deep', () => {
  const cases: [unknown, string | null][] = [
    ['plain', null],
    [{ a: ['x', 'y', { b: 'ok' }], n: 1, t: true, z: null }, null],
    ['a\u0000b', ''],
    [{ email: 'a\u0000b' }, 'email'],
    [{ routes: [{ paths: ['/ok', '/a\u0000'] }] }, 'routes[0].paths[1]'],
    [{ first: 'x\u0000', second: 'y\u0000' }, 'first'],
    [{ ['k\u0000']: 1 }, 'k\\u0000'],
  ];
  for (const [value, path] of cases) assert.equal(firstNulPath(value), path, JSON.stringify(value));
  let deep: unknown = 'a\u0000';
  for (let i = 0; i < 100_000; i++) deep = [deep];
  assert.equal(firstNulPath(deep), '[0]'.repeat(100_000));
});

/** A valid body for every endpoint that takes one; the walk below puts NUL into each of its strings in turn. */
function exampleBody(method: string, url: string): Record<string, unknown> | undefined {
  const hash = 'a'.repeat(64);
  const route = { name: 'r2', service: 'svc', paths: ['/p/:id'], methods: ['GET'], hosts: ['api.example.com'], auth: 'key-auth', rateLimit: { limit: 5, windowSeconds: 60, by: 'ip' } };
  const service = { name: 'svc2', url: 'http://upstream:8080' };
  const pooled = { name: 'svc3', targets: [{ url: 'http://upstream:8080', weight: 2 }], loadBalancing: { algorithm: 'consistent-hash', hashOn: { type: 'header', name: 'x-user' } } };
  const listener = { name: 'l2', port: 8082, protocol: 'HTTP', hostname: 'api.example.com' };
  const consumer = { username: 'c2', jwtSubject: 'subject', apiKeyHashes: [hash] };
  // NUL is refused before any other check, so the PEM need not be real.
  const certificate = { name: 'cert2', cert: 'a certificate chain', key: 'a private key' };
  const examples: Record<string, Record<string, unknown>> = {
    'POST /api/v1/auth/register': { email: 'nul@example.com', password: 'a long enough password', tenantName: 'N' },
    'POST /api/v1/auth/register/confirm': { token: 'b'.repeat(64) },
    'POST /api/v1/auth/login': { email: 'nul@example.com', password: 'a long enough password' },
    'POST /api/v1/auth/session': { email: 'nul@example.com', password: 'a long enough password' },
    'POST /api/v1/tenants/:tenantId/config/versions/:version/rollback': { version: 1 },
    'POST /api/v1/auth/password-reset': { email: 'nul@example.com' },
    'POST /api/v1/auth/password-reset/confirm': { token: 'c'.repeat(64), password: 'a long enough password' },
    'POST /api/v1/tenants/:tenantId/api-keys': { name: 'key2' },
    'POST /api/v1/tenants/:tenantId/services': pooled,
    'PUT /api/v1/tenants/:tenantId/services/:id': { ...service, name: 'svc' },
    'POST /api/v1/tenants/:tenantId/routes': route,
    'PUT /api/v1/tenants/:tenantId/routes/:id': { ...route, name: 'route' },
    'POST /api/v1/tenants/:tenantId/consumers': consumer,
    'PUT /api/v1/tenants/:tenantId/consumers/:id': { ...consumer, username: 'consumer' },
    'POST /api/v1/tenants/:tenantId/consumers/:id/keys': { name: 'key3' },
    'POST /api/v1/tenants/:tenantId/listeners': listener,
    'PUT /api/v1/tenants/:tenantId/listeners/:id': { ...listener, name: 'listener' },
    'POST /api/v1/tenants/:tenantId/certificates': certificate,
    'PUT /api/v1/tenants/:tenantId/certificates/:id': { ...certificate, key: { sha256: hash } },
    'PUT /api/v1/tenants/:tenantId/config': {
      config: { services: [service], routes: [{ ...route, service: 'svc2', listeners: ['l2'] }], consumers: [consumer], certificates: [certificate], listeners: [listener] },
    },
  };
  return examples[`${method} ${url}`];
}

/** Every string leaf of `value`, with its path as the API names it (`config.routes[0].paths[0]`). */
function stringLeaves(value: unknown, path = ''): string[] {
  if (typeof value === 'string') return [path];
  if (Array.isArray(value)) return value.flatMap((item, i) => stringLeaves(item, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([key, child]) => stringLeaves(child, path === '' ? key : `${path}.${key}`));
  return [];
}

function withNul(value: unknown, path: string, at = ''): unknown {
  if (typeof value === 'string') return at === path ? `${value.slice(0, 1)}\u0000${value.slice(1)}` : value;
  if (Array.isArray(value)) return value.map((item, i) => withNul(item, path, `${at}[${i}]`));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, withNul(child, path, at === '' ? key : `${at}.${key}`)]));
  }
  return value;
}

/** The served routes, from the app's own list (CORS's catch-all OPTIONS `*` aside). */
function apiRoutes(): { method: string; url: string }[] {
  return server.controlPlane.routes.filter((route) => route.url.startsWith('/'));
}

function concreteUrl(url: string): string {
  const table = /\/tenants\/:tenantId\/([a-z-]+)\/:(?:id|keyId)$/.exec(url)?.[1];
  return url.replace(':tenantId', tenant.id).replace(/:(id|keyId)$/, table === undefined ? ':id' : (ids[table] ?? ':id'));
}

test('NUL in any string field of any endpoint\'s body is 400 validation_failed naming the field, never a 500', async () => {
  const routes = apiRoutes().filter((route) => route.method === 'POST' || route.method === 'PUT');
  assert.ok(routes.length >= 13, `${routes.length} routes with bodies`);
  let checked = 0;
  for (const { method, url } of routes) {
    const body = exampleBody(method, url);
    assert.ok(body !== undefined, `${method} ${url} has a body and no example here: add one, so its strings are checked`);
    const path = concreteUrl(url);
    for (const leaf of stringLeaves(body)) {
      const response = await server.request(method, path, { token: tenant.token, body: withNul(body, leaf) });
      assert.equal(response.status, 400, `${method} ${url} ${leaf}: ${response.status} ${response.text}`);
      assert.equal(response.body.error.code, 'validation_failed');
      assert.equal(response.body.error.details[0].path, leaf, `${method} ${url}`);
      assert.match(response.body.error.details[0].message, /NUL/);
      checked += 1;
    }
    // And in a key: an unknown field, but one PostgreSQL could be handed inside a jsonb column.
    const keyed = await server.request(method, path, { token: tenant.token, body: { ...body, ['x\u0000']: 'y' } });
    assert.equal(keyed.status, 400, `${method} ${url} key`);
    assert.equal(keyed.body.error.details[0].path, 'x\\u0000');
  }
  assert.ok(checked >= 40, `${checked} string fields checked`);
  assert.equal(server.logLines.filter((line) => line.includes('unhandled error')).length, 0);
});

test('NUL in a query parameter of any endpoint (?route= included) is 400 naming the parameter', async () => {
  for (const { method, url } of apiRoutes()) {
    const response = await server.request(method, `${concreteUrl(url)}?route=a%00b`, {
      token: tenant.token,
      body: method === 'POST' || method === 'PUT' ? exampleBody(method, url) : undefined,
    });
    assert.equal(response.status, 400, `${method} ${url}: ${response.status} ${response.text}`);
    assert.equal(response.body.error.details[0].path, 'route', `${method} ${url}`);
  }
  const logs = await server.request('GET', `/api/v1/tenants/${tenant.id}/request-logs?route=ok&status=200`, { token: tenant.token });
  assert.equal(logs.status, 200, 'a clean query still works');
});

test('NUL escaped in a path parameter is refused before any query', async () => {
  for (const url of [`/api/v1/tenants/${tenant.id}/routes/a%00b`, '/api/v1/tenants/a%00b/routes']) {
    const response = await server.request('GET', url, { token: tenant.token });
    assert.ok(response.status === 400 || response.status === 403, `${url}: ${response.status}`);
  }
});

test('a gateway message with NUL in a string closes the connection with 1008 and stores nothing', { timeout: 10_000 }, async () => {
  for (const message of [
    { type: 'logs', entries: [{ requestId: 'x', method: 'GET', pathTemplate: '/a\u0000', status: 200, latencyMs: 1, route: 'r', time: new Date().toISOString() }] },
    { type: 'nack', version: 1, error: 'bad\u0000config' },
  ]) {
    const gateway = await helloGateway(server.url, tenant.gatewayApiKey);
    await gateway.nextConfig();
    gateway.send(message);
    assert.equal((await gateway.closed).code, 1008, message.type);
  }
  const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM ${quotedTenantSchema(tenant.id)}.request_logs`);
  assert.equal(rows[0].n, 0);
  assert.equal(server.logLines.filter((line) => line.includes('invalid byte sequence') || line.includes('unhandled error')).length, 0);
});
