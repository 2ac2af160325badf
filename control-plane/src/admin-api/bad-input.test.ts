import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { withTestServer } from '../testing/with-test-server.js';
import { registerTenant, startRegistration, type RegisteredTenant } from '../testing/server.js';

const { db, server, ready } = withTestServer();
let tenant: RegisteredTenant;
let base: string;

before(async () => {
  await ready;
  tenant = await registerTenant(server);
  base = `/api/v1/tenants/${tenant.id}`;
});

test('unknown fields are refused with 400 naming each field', async () => {
  const response = await server.request('POST', `${base}/services`, {
    token: tenant.token,
    body: { name: 'users', url: 'http://users:8080', colour: 'red', weight: 3 },
  });
  assert.equal(response.status, 400);
  assert.equal(response.body.error.code, 'validation_failed');
  assert.deepEqual(response.body.error.details.map((d: { path: string }) => d.path).sort(), ['colour', 'weight']);
});

test('wrong types are refused with 400 naming the field', async () => {
  const cases: [string, unknown, string][] = [
    ['services', { name: 'users', url: 'http://users:8080', retries: 'three' }, 'retries'],
    ['services', { name: 'users', url: 42 }, 'url'],
    ['routes', { name: 'r', service: 'users', paths: '/x' }, 'paths'],
    ['routes', { name: 'r', service: 'users', paths: ['/x'], methods: ['FETCH'] }, 'methods[0]'],
    ['consumers', { username: 'app', apiKeyHashes: ['not-a-hash'] }, 'apiKeyHashes[0]'],
    ['consumers', { username: 'app', rateLimit: { limit: -1, windowSeconds: 60 } }, 'rateLimit.limit'],
  ];
  for (const [kind, body, path] of cases) {
    const response = await server.request('POST', `${base}/${kind}`, { token: tenant.token, body });
    assert.equal(response.status, 400, JSON.stringify(body));
    assert.equal(response.body.error.details[0].path, path, JSON.stringify(body));
  }
});

test('malformed JSON and non-object bodies are refused with 400, other media types with 415', async () => {
  for (const body of ['{"name": "users",', '[1,2]', '"text"', 'null']) {
    const response = await server.request('POST', `${base}/services`, { token: tenant.token, body });
    assert.equal(response.status, 400, body);
    assert.equal(response.body.error.code, 'validation_failed', body);
  }
  const noType = await server.request('POST', `${base}/services`, {
    token: tenant.token,
    body: 'name=users',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.equal(noType.status, 415);
  assert.equal(noType.body.error.code, 'unsupported_media_type');
  const text = await server.request('POST', `${base}/services`, { token: tenant.token, body: '{"name": "users"}', headers: { 'content-type': 'text/plain' } });
  assert.equal(text.status, 415);
  const empty = await server.request('POST', `${base}/services`, { token: tenant.token, body: '' , headers: { 'content-type': 'application/json' } });
  assert.equal(empty.status, 400, 'an empty body is no body, and a create needs one');
  assert.equal(empty.body.error.code, 'validation_failed');
  const latin1 = await server.request('POST', `${base}/services`, {
    token: tenant.token,
    body: '{"name": "users", "url": "http://users:8080"}',
    headers: { 'content-type': 'application/json; charset=latin1' },
  });
  assert.equal(latin1.status, 415);
  assert.match(latin1.body.error.message, /UTF-8/);
  const proto = await server.request('POST', `${base}/services`, { token: tenant.token, body: '{"name": "users", "__proto__": {"admin": true}}' });
  assert.equal(proto.status, 400, 'prototype poisoning is refused');
});

test('bodies over 1 MiB get 413, and PUT /config accepts up to 16 MiB', async () => {
  const huge = { name: 'users', url: 'http://users:8080', padding: 'x'.repeat(1024 * 1024 + 10) };
  const response = await server.request('POST', `${base}/services`, { token: tenant.token, body: huge });
  assert.equal(response.status, 413);
  assert.equal(response.body.error.code, 'payload_too_large');
  const bigConfig = {
    config: {
      services: [{ name: 'users', url: 'http://users:8080' }],
      routes: [],
      consumers: [{ username: 'app', jwtSubject: 'y'.repeat(200) }],
    },
    padding: 'x'.repeat(2 * 1024 * 1024),
  };
  const put = await server.request('PUT', `${base}/config`, { token: tenant.token, body: bigConfig });
  assert.equal(put.status, 400, 'a 2 MiB config body is parsed (then refused for its unknown field), not cut off at 1 MiB');
  assert.deepEqual(put.body.error.details, [{ path: 'padding', message: 'unknown field' }]);
  const tooBig = await server.request('PUT', `${base}/config`, { token: tenant.token, body: { config: {}, padding: 'x'.repeat(17 * 1024 * 1024) } });
  assert.equal(tooBig.status, 413);
});

test('non-UUID ids get 400 naming the parameter', async () => {
  const tenantPath = await server.request('GET', '/api/v1/tenants/not-a-uuid/services', { token: tenant.token });
  assert.equal(tenantPath.status, 400);
  assert.equal(tenantPath.body.error.details[0].path, 'tenantId');
  for (const kind of ['services', 'routes', 'consumers']) {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const response = await server.request(method, `${base}/${kind}/1%27%20OR%201=1`, { token: tenant.token, body: method === 'PUT' ? {} : undefined });
      assert.equal(response.status, 400, `${method} ${kind}`);
      assert.equal(response.body.error.details[0].path, 'id');
    }
  }
  const badEncoding = await server.request('GET', `${base}/services/%ZZ`, { token: tenant.token });
  assert.equal(badEncoding.status, 400);
  assert.equal(badEncoding.body.error.code, 'validation_failed');
  const key = await server.request('DELETE', `${base}/api-keys/42`, { token: tenant.token });
  assert.equal(key.status, 400);
  assert.equal(key.body.error.details[0].path, 'keyId');
});

test('SQL metacharacters in names are refused as invalid names or stored verbatim, never a 500', async () => {
  const names = ["users'; DROP TABLE services;--", 'users"', 'a\\b', "Robert'); DROP TABLE tenants;--"];
  for (const name of names) {
    const response = await server.request('POST', `${base}/services`, { token: tenant.token, body: { name, url: 'http://x:1' } });
    assert.equal(response.status, 400, name);
    assert.equal(response.body.error.details[0].path, 'name');
  }
  const tenantName = "O'Brien \"Quotes\"; DROP SCHEMA public;--";
  const registrationToken = await startRegistration(server, 'quotes@example.com', 'a long enough password', tenantName);
  const reg = await server.request('POST', '/api/v1/auth/register/confirm', { body: { token: registrationToken } });
  assert.equal(reg.status, 201);
  assert.equal(reg.body.tenant.name, tenantName);
  const jwtSubject = "sub'); DELETE FROM consumers;--";
  const consumer = await server.request('POST', `${base}/consumers`, { token: tenant.token, body: { username: 'quoted', jwtSubject } });
  assert.equal(consumer.status, 201);
  assert.equal(consumer.body.jwtSubject, jwtSubject);
  const { rows } = await db.pool.query("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'");
  assert.equal(rows[0].n, 7);
});

test('no error response carries a stack trace or SQL', async () => {
  const responses = await Promise.all([
    server.request('POST', `${base}/routes`, { token: tenant.token, body: { name: 'r', service: 'missing', paths: ['/x'] } }),
    server.request('GET', `${base}/routes/00000000-0000-4000-8000-000000000000`, { token: tenant.token }),
    server.request('POST', `${base}/services`, { token: tenant.token, body: '{' }),
  ]);
  for (const response of responses) {
    assert.ok(response.status >= 400 && response.status < 500, response.text);
    assert.doesNotMatch(response.text, /at .*\.(ts|js):\d+|SELECT|INSERT|tenant_[0-9a-f]{8}_/);
  }
});
