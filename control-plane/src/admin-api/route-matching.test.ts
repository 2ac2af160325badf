// DESIGN §10 typed paths and header/query matches through the admin API: stored and served back unchanged
// (typed paths live as JSON text in the paths column), bad input named by path, conflicts decided with matches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withTestServer } from '../testing/with-test-server.js';
import { registerTenantApi } from '../testing/server.js';

const { server } = withTestServer();

async function fresh() {
  const { tenant, call } = await registerTenantApi(server);
  assert.equal((await call('POST', '/services', { body: { name: 'users', url: 'http://users:8080' } })).status, 201);
  return { tenant, call };
}

const typedPaths = ['/users/:id', { type: 'Exact', value: '/health' }, { type: 'RegularExpression', value: '/v[0-9]+/items' }, { type: 'PathPrefix', value: '/v1' }];
const match = { headers: [{ name: 'x-env', value: 'canary', type: 'Exact' }], query: [{ name: 'debug', value: '1', type: 'Exact' }] };

test('a route with typed paths and header/query matches is stored and served back as sent, in GET /routes and GET /config', async () => {
  const { call } = await fresh();
  const created = await call('POST', '/routes', { body: { name: 'typed', service: 'users', paths: typedPaths, hosts: ['*.example.com'], match } });
  assert.equal(created.status, 201, created.text);
  const read = await call('GET', `/routes/${created.body.id}`);
  assert.equal(read.status, 200, read.text);
  assert.deepEqual(read.body.paths, typedPaths);
  assert.deepEqual(read.body.match, match);
  assert.deepEqual(read.body.hosts, ['*.example.com']);
  const config = await call('GET', '/config');
  const route = (config.body.config.routes as { name: string; paths: unknown; match: unknown }[]).find((r) => r.name === 'typed');
  assert.deepEqual(route?.paths, typedPaths);
  assert.deepEqual(route?.match, match);
});

test('a regular expression re2js refuses gets 400 naming the field (POST) and the config path (PUT /config)', async () => {
  const { call } = await fresh();
  const post = await call('POST', '/routes', { body: { name: 'bad', service: 'users', paths: [{ type: 'RegularExpression', value: '/(?<=a)b' }] } });
  assert.equal(post.status, 400, post.text);
  assert.equal(post.body.error.details[0].path, 'paths[0].value');
  assert.match(post.body.error.details[0].message, /re2js/);
  const put = await call('PUT', '/config', {
    body: {
      config: {
        services: [{ name: 'users', url: 'http://users:8080' }],
        routes: [
          { name: 'ok', service: 'users', paths: ['/ok'] },
          { name: 'bad', service: 'users', paths: ['/x'], match: { headers: [{ name: 'x', value: '(', type: 'RegularExpression' }] } },
        ],
      },
    },
  });
  assert.equal(put.status, 400, put.text);
  assert.equal(put.body.error.details[0].path, 'config.routes[1].match.headers[0].value');
});

test('identical typed path and matches conflict (409); a different header value is a route of its own', async () => {
  const { call } = await fresh();
  const body = { service: 'users', paths: [{ type: 'PathPrefix', value: '/app' }], match: { headers: [{ name: 'X-Env', value: 'canary' }] } };
  assert.equal((await call('POST', '/routes', { body: { name: 'canary', ...body } })).status, 201);
  const clash = await call('POST', '/routes', { body: { name: 'canary-2', ...body, paths: ['/app/*'], match: { headers: [{ name: 'x-env', value: 'canary' }] } } });
  assert.equal(clash.status, 409, clash.text);
  assert.match(clash.body.error.message, /route 'canary-2' claims the same requests as route 'canary' \(any host, path \/app\/\*, any method\)/);
  const other = await call('POST', '/routes', { body: { name: 'prod', ...body, match: { headers: [{ name: 'x-env', value: 'prod' }] } } });
  assert.equal(other.status, 201, other.text);
  const plain = await call('POST', '/routes', { body: { name: 'plain', service: 'users', paths: ['/app/*'] } });
  assert.equal(plain.status, 201, plain.text);
});
