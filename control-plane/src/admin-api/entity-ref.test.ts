import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withTestServer } from '../testing/with-test-server.js';
import { registerTenantApi } from '../testing/server.js';
import { quotedTenantSchema } from '../tenancy/schema-name.js';
import { parseEntityRef } from './entity-ref.js';
import { isUuidShaped } from '../tenancy/entity-ref.js';

const { db, server } = withTestServer();

async function fresh() {
  const { tenant, call } = await registerTenantApi(server);
  return { tenant, call };
}

test('a UUID-shaped value (any case) is an id, anything else a name', () => {
  assert.deepEqual(parseEntityRef('0A1B2C3D-0000-4000-8000-00000000000F', 'id'), { by: 'id', id: '0a1b2c3d-0000-4000-8000-00000000000f' });
  assert.deepEqual(parseEntityRef('hello', 'id'), { by: 'name', name: 'hello' });
  assert.equal(isUuidShaped('0a1b2c3d-0000-4000-8000-00000000000'), false, 'one digit short is a name');
});

const entities = [
  { plural: 'services', field: 'name', body: (name: string) => ({ name, url: 'http://users:8080' }), put: (name: string) => ({ name, url: 'http://people:8080' }), changed: 'url', to: 'http://people:8080' },
  { plural: 'routes', field: 'name', body: (name: string) => ({ name, service: 'base', paths: ['/hello'] }), put: (name: string) => ({ name, service: 'base', paths: ['/hi'] }), changed: 'paths', to: ['/hi'] },
  { plural: 'consumers', field: 'username', body: (name: string) => ({ username: name }), put: (name: string) => ({ username: name, jwtSubject: 'sub-1' }), changed: 'jwtSubject', to: 'sub-1' },
] as const;

for (const entity of entities) {
  test(`${entity.plural}: GET, PUT and DELETE by name as by id; an unknown name is 404 naming it`, async () => {
    const { call } = await fresh();
    assert.equal((await call('POST', '/services', { body: { name: 'base', url: 'http://base:8080' } })).status, 201);
    const created = await call('POST', `/${entity.plural}`, { body: entity.body('hello') });
    assert.equal(created.status, 201, created.text);
    const byName = await call('GET', `/${entity.plural}/hello`);
    assert.equal(byName.status, 200, byName.text);
    assert.equal(byName.body.id, created.body.id);
    assert.equal((await call('GET', `/${entity.plural}/${created.body.id}`)).body[entity.field], 'hello');
    const put = await call('PUT', `/${entity.plural}/hello`, { body: entity.put('hello') });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(put.body[entity.changed], entity.to);
    assert.equal(put.body.id, created.body.id);
    const missing = await call('GET', `/${entity.plural}/nobody`);
    assert.equal(missing.status, 404);
    assert.match(missing.body.error.message, /'nobody' not found/);
    assert.equal((await call('DELETE', `/${entity.plural}/hello`)).status, 204);
    assert.equal((await call('GET', `/${entity.plural}/${created.body.id}`)).status, 404);
  });

  test(`${entity.plural}: a name with NUL, too long or with bad characters is 400 naming the field; a UUID-shaped name is refused`, async () => {
    const { call } = await fresh();
    // 300 characters is past the router's own parameter limit (200): still a 400, before any handler.
    const cases: [string, RegExp][] = [
      ['he%00llo', /^id must be a UUID or a name/],
      ['x'.repeat(129), /^id must be a UUID or a name/],
      ['a%20b', /^id must be a UUID or a name/],
      ['x'.repeat(300), /max param length/],
    ];
    for (const [bad, message] of cases) {
      const response = await call('GET', `/${entity.plural}/${bad}`);
      assert.equal(response.status, 400, `${bad}: ${response.text}`);
      assert.equal(response.body.error.code, 'validation_failed');
      assert.match(response.body.error.message, message);
    }
    const long = await call('DELETE', `/${entity.plural}/${'x'.repeat(129)}`);
    assert.equal(long.status, 400);
    assert.equal(long.body.error.details[0].path, 'id');
    assert.equal((await call('POST', '/services', { body: { name: 'base', url: 'http://base:8080' } })).status, 201);
    const uuidName = await call('POST', `/${entity.plural}`, { body: entity.body('0a1b2c3d-0000-4000-8000-00000000000f') });
    assert.equal(uuidName.status, 400, uuidName.text);
    assert.equal(uuidName.body.error.details[0].path, entity.field);
  });
}

test('PUT /config refuses a UUID-shaped name, naming the field', async () => {
  const { call } = await fresh();
  const response = await call('PUT', '/config', {
    body: { config: { services: [{ name: '0A1B2C3D-0000-4000-8000-00000000000F', url: 'http://users:8080' }] } },
  });
  assert.equal(response.status, 400, response.text);
  assert.equal(response.body.error.details[0].path, 'config.services[0].name');
});

test('an operator-managed object addressed by name still answers 409 managed_by_operator', async () => {
  const { tenant, call } = await fresh();
  await db.pool.query(`INSERT INTO ${quotedTenantSchema(tenant.id)}.consumers (username, managed_by) VALUES ('k8s.shop.app', 'kubernetes')`);
  assert.equal((await call('GET', '/consumers/k8s.shop.app')).status, 200);
  const response = await call('DELETE', '/consumers/k8s.shop.app');
  assert.equal(response.status, 409);
  assert.equal(response.body.error.code, 'managed_by_operator');
});
