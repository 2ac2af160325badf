import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startTestGateway } from '@novagate/gateway/testing/in-process-gateway';
import { startUpstream, type TestUpstream } from '@novagate/gateway/testing/upstream';
import { withTestServer } from '../testing/with-test-server.js';
import { registerTenantApi } from '../testing/server.js';
import { quotedTenantSchema } from '../tenancy/schema-name.js';
import { generateConsumerKey } from '../tenancy/consumer-key-format.js';

const { db, server } = withTestServer();
let upstream: TestUpstream;

before(async () => {
  upstream = await startUpstream();
});
after(async () => {
  await upstream.close();
});

const sha = (value: string) => createHash('sha256').update(value).digest('hex');

async function fresh() {
  const { tenant, call } = await registerTenantApi(server);
  assert.equal((await call('POST', '/consumers', { body: { username: 'app' } })).status, 201);
  return { tenant, call };
}

test('a generated key is ck_ and 32 hex digits from the random source, kept only as its SHA-256', () => {
  const key = generateConsumerKey(() => Buffer.alloc(16, 0xab));
  assert.equal(key.plaintext, `ck_${'ab'.repeat(16)}`);
  assert.equal(key.prefix, 'ck_abab');
  assert.equal(key.hash, sha(key.plaintext));
  assert.notEqual(generateConsumerKey().plaintext, generateConsumerKey().plaintext);
});

test('POST …/consumers/:id/keys shows the key once, stores only its hash in apiKeyHashes and lists it without the key', async () => {
  const { call } = await fresh();
  const versionBefore = (await call('GET', '/config')).body.version;
  const created = await call('POST', '/consumers/app/keys', { body: { name: 'ci' } });
  assert.equal(created.status, 201, created.text);
  assert.match(created.body.key, /^ck_[0-9a-f]{32}$/);
  assert.equal(created.body.prefix, created.body.key.slice(0, 7));
  assert.equal(created.body.name, 'ci');
  const config = await call('GET', '/config');
  assert.equal(config.body.version, versionBefore + 1);
  assert.deepEqual(config.body.config.consumers[0].apiKeyHashes, [sha(created.body.key)]);
  const list = await call('GET', '/consumers/app/keys');
  assert.equal(list.status, 200);
  assert.deepEqual(Object.keys(list.body.data[0]).sort(), ['createdAt', 'id', 'name', 'prefix', 'revokedAt']);
  assert.ok(!list.text.includes(created.body.key.slice(7)), 'the list never holds the key');
  assert.ok(!list.text.includes(sha(created.body.key)), 'nor its hash');
});

test('no table holds the plaintext key', async () => {
  const { tenant, call } = await fresh();
  const created = await call('POST', '/consumers/app/keys', { body: { name: 'ci' } });
  const { rows } = await db.pool.query(`SELECT row_to_json(k)::text AS row FROM ${quotedTenantSchema(tenant.id)}.consumer_keys k`);
  assert.equal(rows.length, 1);
  assert.ok(!rows[0].row.includes(created.body.key));
  const consumers = await db.pool.query(`SELECT row_to_json(c)::text AS row FROM ${quotedTenantSchema(tenant.id)}.consumers c`);
  assert.ok(!consumers.rows[0].row.includes(created.body.key));
});

test('a key passes key-auth at a gateway until it is revoked; after DELETE the new config version refuses it', async () => {
  const { call } = await fresh();
  await call('POST', '/services', { body: { name: 'echo', url: upstream.url } });
  await call('POST', '/routes', { body: { name: 'private', service: 'echo', paths: ['/private'], auth: 'key-auth' } });
  const kept = await call('POST', '/consumers/app/keys', { body: { name: 'kept' } });
  const revoked = await call('POST', '/consumers/app/keys', { body: { name: 'to-revoke' } });
  const gateway = await startTestGateway((await call('GET', '/config')).body.config);
  try {
    const get = (key: string) => fetch(`${gateway.url}/private`, { headers: { apikey: key } });
    assert.equal((await get(revoked.body.key)).status, 200);
    assert.equal((await get(kept.body.key)).status, 200);

    const before = (await call('GET', '/config')).body.version;
    assert.equal((await call('DELETE', `/consumers/app/keys/${revoked.body.id}`)).status, 204);
    const after = await call('GET', '/config');
    assert.equal(after.body.version, before + 1);
    assert.ok((await gateway.store.apply(after.body.config, after.body.version)).ok);
    assert.equal((await get(revoked.body.key)).status, 401);
    assert.equal((await get(kept.body.key)).status, 200, 'the other key keeps working');

    const list = (await call('GET', '/consumers/app/keys')).body.data;
    assert.equal(list.find((key: { id: string }) => key.id === revoked.body.id).revokedAt !== null, true);
    assert.equal(list.find((key: { id: string }) => key.id === kept.body.id).revokedAt, null);
    // Revoking twice changes nothing, so no new version goes out.
    assert.equal((await call('DELETE', `/consumers/app/keys/${revoked.body.id}`)).status, 204);
    assert.equal((await call('GET', '/config')).body.version, before + 1);
  } finally {
    await gateway.close();
  }
});

test('another tenant can neither list, create nor revoke a tenant\'s consumer keys', async () => {
  const a = await fresh();
  const b = await fresh();
  const consumerId = (await a.call('GET', '/consumers/app')).body.id;
  const key = await a.call('POST', '/consumers/app/keys', { body: { name: 'ci' } });
  const asB = (method: string, path: string, body?: unknown) =>
    server.request(method, `/api/v1/tenants/${a.tenant.id}${path}`, { token: b.tenant.token, ...(body === undefined ? {} : { body }) });
  assert.equal((await asB('GET', `/consumers/${consumerId}/keys`)).status, 403);
  assert.equal((await asB('POST', `/consumers/${consumerId}/keys`, { name: 'x' })).status, 403);
  assert.equal((await asB('DELETE', `/consumers/${consumerId}/keys/${key.body.id}`)).status, 403);
  // B's own tenant path with A's ids finds nothing.
  assert.equal((await b.call('GET', `/consumers/${consumerId}/keys`)).status, 404);
  const bConsumer = (await b.call('GET', '/consumers/app')).body.id;
  assert.equal((await b.call('DELETE', `/consumers/${bConsumer}/keys/${key.body.id}`)).status, 404);
  assert.equal((await a.call('GET', '/consumers/app/keys')).body.data[0].revokedAt, null);
});

test('operator-managed consumers get 409 managed_by_operator; bad input gets 400 naming the field', async () => {
  const { tenant, call } = await fresh();
  await db.pool.query(`INSERT INTO ${quotedTenantSchema(tenant.id)}.consumers (username, managed_by) VALUES ('k8s.shop.app', 'kubernetes')`);
  const managed = await call('POST', '/consumers/k8s.shop.app/keys', { body: { name: 'x' } });
  assert.equal(managed.status, 409);
  assert.equal(managed.body.error.code, 'managed_by_operator');
  const cases: [string, string, unknown, string][] = [
    ['POST', '/consumers/app/keys', {}, 'name'],
    ['POST', '/consumers/app/keys', { name: 'x', key: 'mine' }, 'key'],
    ['POST', '/consumers/app/keys', { name: 'x'.repeat(101) }, 'name'],
    ['DELETE', '/consumers/app/keys/not-a-uuid', undefined, 'keyId'],
  ];
  for (const [method, path, body, field] of cases) {
    const response = await call(method, path, body === undefined ? {} : { body });
    assert.equal(response.status, 400, `${method} ${path}: ${response.text}`);
    assert.match(JSON.stringify(response.body.error.details), new RegExp(field));
  }
  assert.equal((await call('POST', '/consumers/nobody/keys', { body: { name: 'x' } })).status, 404);
});

test('a consumer already holding 100 key hashes gets 409 conflict instead of a config the gateway would refuse', async () => {
  const { tenant, call } = await fresh();
  const hashes = Array.from({ length: 100 }, (_, i) => sha(`k${i}`));
  await db.pool.query(`UPDATE ${quotedTenantSchema(tenant.id)}.consumers SET api_key_hashes = $1 WHERE username = 'app'`, [hashes]);
  const response = await call('POST', '/consumers/app/keys', { body: { name: 'one-too-many' } });
  assert.equal(response.status, 409);
  assert.equal(response.body.error.code, 'conflict');
});
