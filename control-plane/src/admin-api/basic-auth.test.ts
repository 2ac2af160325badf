// consumers[].basicAuth through the admin API (DESIGN §10): stored in the consumer's options with no storage
// change, bad hashes refused with the field named, a user-id kept to one consumer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withTestServer } from '../testing/with-test-server.js';
import { registerTenantApi } from '../testing/server.js';

const { server } = withTestServer();
const fresh = () => registerTenantApi(server);

// bcrypt hashes of cost 10 and 12 (any salt and hash of the right shape would do here).
const HASH_10 = '$2b$10$mmHI0x1eWDS3n/vgx1dWM.95ICdQ/7aDq6DNmXXv1kdjOLmN983Ka';
const HASH_12 = '$2b$12$GAgChgTm19Db.BLf1fE8tOeXcrdrbVTF8YgWy0Fg2PhVibGJhr6IS';

test('POST /consumers stores basicAuth, GET and the config snapshot give it back', async () => {
  const { call } = await fresh();
  const basicAuth = [
    { username: 'partner-a', passwordHash: HASH_10 },
    { username: 'partner-a', passwordHash: HASH_12 },
  ];
  const created = await call('POST', '/consumers', { body: { username: 'partner', basicAuth } });
  assert.equal(created.status, 201, created.text);
  assert.deepEqual(created.body.basicAuth, basicAuth);
  assert.deepEqual((await call('GET', `/consumers/${created.body.id}`)).body.basicAuth, basicAuth);
  const config = await call('GET', '/config');
  assert.deepEqual(config.body.config.consumers[0].basicAuth, basicAuth);
  assert.equal((await call('POST', '/services', { body: { name: 's', url: 'http://s:8080' } })).status, 201);
  const route = await call('POST', '/routes', { body: { name: 'r', service: 's', paths: ['/'], auth: 'basic-auth' } });
  assert.equal(route.status, 201, route.text);
  assert.equal(route.body.auth, 'basic-auth');
});

test('a plaintext password instead of a bcrypt hash is 400 naming basicAuth[0].passwordHash, and is not echoed', async () => {
  const { call } = await fresh();
  const response = await call('POST', '/consumers', { body: { username: 'partner', basicAuth: [{ username: 'partner', passwordHash: 'hunter2-plaintext' }] } });
  assert.equal(response.status, 400);
  assert.equal(response.body.error.details[0].path, 'basicAuth[0].passwordHash');
  assert.match(response.body.error.details[0].message, /bcrypt/);
  assert.ok(!response.text.includes('hunter2'));
  const cheap = await call('POST', '/consumers', { body: { username: 'partner', basicAuth: [{ username: 'partner', passwordHash: HASH_10.replace('$10$', '$04$') }] } });
  assert.equal(cheap.status, 400);
  assert.equal(cheap.body.error.details[0].path, 'basicAuth[0].passwordHash');
  assert.match(cheap.body.error.details[0].message, /cost must be 10-12/);
  assert.equal((await call('GET', '/consumers')).body.data.length, 0, 'nothing was stored');
});

test('a basic-auth user-id another consumer has is 409 naming it, on POST, PUT and PUT /config', async () => {
  const { call } = await fresh();
  assert.equal((await call('POST', '/consumers', { body: { username: 'a', basicAuth: [{ username: 'shared', passwordHash: HASH_10 }] } })).status, 201);
  const duplicate = await call('POST', '/consumers', {
    body: { username: 'b', basicAuth: [{ username: 'mine', passwordHash: HASH_10 }, { username: 'shared', passwordHash: HASH_10 }] },
  });
  assert.equal(duplicate.status, 409);
  assert.equal(duplicate.body.error.details[0].path, 'basicAuth[1].username');
  const b = await call('POST', '/consumers', { body: { username: 'b', basicAuth: [{ username: 'mine', passwordHash: HASH_10 }] } });
  assert.equal(b.status, 201);
  const replaced = await call('PUT', `/consumers/${b.body.id}`, { body: { username: 'b', basicAuth: [{ username: 'shared', passwordHash: HASH_10 }] } });
  assert.equal(replaced.status, 409);
  assert.equal(replaced.body.error.details[0].path, 'basicAuth[0].username');
  const current = await call('GET', '/config');
  const put = await call('PUT', '/config', {
    body: {
      version: current.body.version,
      config: {
        consumers: [
          { username: 'a', basicAuth: [{ username: 'shared', passwordHash: HASH_10 }] },
          { username: 'b', basicAuth: [{ username: 'shared', passwordHash: 'plain' }] },
        ],
      },
    },
  });
  assert.equal(put.status, 400);
  assert.deepEqual(put.body.error.details.map((d: { path: string }) => d.path).sort(), [
    'config.consumers[1].basicAuth[0].passwordHash',
    'config.consumers[1].basicAuth[0].username',
  ]);
});
