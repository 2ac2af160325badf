import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { withTestServer } from '../testing/with-test-server.js';
import { registerTenant, type RegisteredTenant } from '../testing/server.js';

const { server, ready } = withTestServer();
let a: RegisteredTenant;
let b: RegisteredTenant;
const ids: Record<string, string> = {};

before(async () => {
  await ready;
  a = await registerTenant(server, 'Tenant A');
  b = await registerTenant(server, 'Tenant B');
  const base = `/api/v1/tenants/${a.id}`;
  ids.service = (await server.request('POST', `${base}/services`, { token: a.token, body: { name: 'users', url: 'http://users:8080' } })).body.id;
  ids.route = (await server.request('POST', `${base}/routes`, { token: a.token, body: { name: 'r', service: 'users', paths: ['/u'] } })).body.id;
  ids.consumer = (await server.request('POST', `${base}/consumers`, { token: a.token, body: { username: 'app' } })).body.id;
  ids.key = (await server.request('GET', `${base}/api-keys`, { token: a.token })).body.data[0].id;
});

async function snapshotOfA() {
  const base = `/api/v1/tenants/${a.id}`;
  const config = await server.request('GET', `${base}/config`, { token: a.token });
  const keys = await server.request('GET', `${base}/api-keys`, { token: a.token });
  return { config: config.body, keys: keys.body };
}

test("tenant B's valid token gets 403 on every tenant-A endpoint and method, and A's data is unchanged", async () => {
  const before = await snapshotOfA();
  const base = `/api/v1/tenants/${a.id}`;
  const service = { name: 'evil', url: 'http://evil:80' };
  const route = { name: 'evil', service: 'users', paths: ['/evil'] };
  const consumer = { username: 'evil' };
  const matrix: [string, string, unknown?][] = [
    ['GET', `${base}/services`],
    ['POST', `${base}/services`, service],
    ['GET', `${base}/services/${ids.service}`],
    ['PUT', `${base}/services/${ids.service}`, service],
    ['DELETE', `${base}/services/${ids.service}`],
    ['GET', `${base}/routes`],
    ['POST', `${base}/routes`, route],
    ['GET', `${base}/routes/${ids.route}`],
    ['PUT', `${base}/routes/${ids.route}`, route],
    ['DELETE', `${base}/routes/${ids.route}`],
    ['GET', `${base}/consumers`],
    ['POST', `${base}/consumers`, consumer],
    ['GET', `${base}/consumers/${ids.consumer}`],
    ['PUT', `${base}/consumers/${ids.consumer}`, consumer],
    ['DELETE', `${base}/consumers/${ids.consumer}`],
    ['GET', `${base}/api-keys`],
    ['POST', `${base}/api-keys`, { name: 'evil' }],
    ['DELETE', `${base}/api-keys/${ids.key}`],
    ['GET', `${base}/config`],
    ['PUT', `${base}/config`, { config: { services: [], routes: [], consumers: [] } }],
  ];
  for (const [method, path, body] of matrix) {
    const response = await server.request(method, path, { token: b.token, body });
    assert.equal(response.status, 403, `${method} ${path}`);
    assert.equal(response.body.error.code, 'forbidden');
  }
  // B's token also cannot reach A's objects through B's own tenant URL.
  const viaOwn = await server.request('GET', `/api/v1/tenants/${b.id}/services/${ids.service}`, { token: b.token });
  assert.equal(viaOwn.status, 404);
  const viaOwnDelete = await server.request('DELETE', `/api/v1/tenants/${b.id}/routes/${ids.route}`, { token: b.token });
  assert.equal(viaOwnDelete.status, 404);
  const viaOwnKey = await server.request('DELETE', `/api/v1/tenants/${b.id}/api-keys/${ids.key}`, { token: b.token });
  assert.equal(viaOwnKey.status, 404);
  assert.deepEqual(await snapshotOfA(), before);
});

test('no token, a forged token or a token signed with another secret gets 401', async () => {
  const path = `/api/v1/tenants/${a.id}/services`;
  const [header, payload] = a.token.split('.');
  const forgedPayload = Buffer.from(JSON.stringify({ sub: a.id, tv: 1, exp: 9_999_999_999 })).toString('base64url');
  const noneHeader = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
  for (const token of [undefined, 'garbage', `${header}.${forgedPayload}.${a.token.split('.')[2]}`, `${noneHeader}.${payload}.`]) {
    const response = await server.request('GET', path, token === undefined ? {} : { token });
    assert.equal(response.status, 401, String(token));
  }
});
