import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { routeSchema, serviceSchema } from '@novagate/gateway/config';
import { withTestServer } from '../testing/with-test-server.js';
import { registerTenantApi } from '../testing/server.js';
import { makePushedCertificates } from '../testing/pushed-certificates.js';
import { recordConfigVersion } from '../tenancy/config-versions.js';
import { routes, services } from '../tenancy/entities.js';
import { quotedTenantSchema } from '../tenancy/schema-name.js';
import { historyCursor } from './config-history-router.js';

const { db, server } = withTestServer();

const fresh = () => registerTenantApi(server);
const sha = (value: string) => createHash('sha256').update(value).digest('hex');
const none = { added: [], removed: [], changed: [] };

/** Writes as the operator does: its entity rows marked `kubernetes`, then a version made by the operator. */
async function operatorWrites(tenantId: string, write: (client: import('pg').PoolClient) => Promise<void>): Promise<void> {
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT id FROM public.tenants WHERE id = $1 FOR UPDATE', [tenantId]);
    await write(client);
    await recordConfigVersion(client, tenantId, { by: 'operator' });
    await client.query('COMMIT');
  } finally {
    client.release();
  }
}

test('the history lists versions newest first with who made each and what it changed', async () => {
  const { tenant, call } = await fresh();
  const service = await call('POST', '/services', { body: { name: 'users', url: 'http://users:8080' } });
  await call('POST', '/routes', { body: { name: 'get-user', service: 'users', paths: ['/users/:id'] } });
  await call('PUT', `/services/${service.body.id}`, { body: { name: 'users', url: 'http://users:9090' } });
  await operatorWrites(tenant.id, async (client) => {
    await services.insert(client, tenant.id, serviceSchema.parse({ name: 'k8s.shop.web', url: 'http://web:80' }), 'kubernetes');
  });
  const history = await call('GET', '/config/versions');
  assert.equal(history.status, 200, history.text);
  assert.deepEqual(
    history.body.data.map((v: { version: number; changedBy: string; note: string | null; changes: { since: number | null; summary: string } }) => [v.version, v.changedBy, v.note, v.changes.since, v.changes.summary]),
    [
      [5, 'operator', null, 4, 'services: 1 added'],
      [4, 'api', null, 3, 'services: 1 changed'],
      [3, 'api', null, 2, 'routes: 1 added'],
      [2, 'api', null, 1, 'services: 1 added'],
      [1, 'system', 'tenant created', null, 'no change'],
    ],
  );
  assert.deepEqual(history.body.data[1].changes.diff.services, { added: [], removed: [], changed: ['users'] });
  assert.match(history.body.data[0].hash, /^[0-9a-f]{64}$/);
  assert.ok(!Number.isNaN(Date.parse(history.body.data[0].createdAt)));
  assert.equal(history.body.nextCursor, null);
});

test('pages follow the cursor to the oldest version, each page measuring its oldest version against the one before', async () => {
  const { call } = await fresh();
  for (const name of ['a', 'b', 'c', 'd']) await call('POST', '/services', { body: { name, url: 'http://x:1' } });
  const seen: number[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await call('GET', `/config/versions?limit=2${cursor === null ? '' : `&cursor=${cursor}`}`);
    assert.equal(page.status, 200, page.text);
    assert.ok(page.body.data.length <= 2);
    for (const entry of page.body.data) {
      seen.push(entry.version);
      if (entry.version > 1) assert.equal(entry.changes.since, entry.version - 1);
    }
    cursor = page.body.nextCursor;
    pages += 1;
  } while (cursor !== null && pages < 10);
  assert.deepEqual(seen, [5, 4, 3, 2, 1]);
  assert.equal(pages, 3);
});

test('a huge, zero or non-numeric limit, a malformed cursor and an unknown parameter are refused naming the field', async () => {
  const { call } = await fresh();
  const cases: [string, string][] = [
    ['limit=1000000', 'limit'],
    ['limit=101', 'limit'],
    ['limit=0', 'limit'],
    ['limit=ten', 'limit'],
    ['cursor=%27%20OR%201%3D1--', 'cursor'],
    ['cursor=bm90LWEtY3Vyc29y', 'cursor'],
    [`cursor=${Buffer.from('before:-1').toString('base64url')}`, 'cursor'],
    [`cursor=${Buffer.from('before:99999999999999999999').toString('base64url')}`, 'cursor'],
    [`cursor=${'A'.repeat(5000)}`, 'cursor'],
    ['before=3', ''],
  ];
  for (const [query, path] of cases) {
    const response = await call('GET', `/config/versions?${query}`);
    assert.equal(response.status, 400, `${query}: ${response.text}`);
    assert.equal(response.body.error.code, 'validation_failed');
    if (path !== '') assert.equal(response.body.error.details[0].path, path, query);
  }
  assert.equal((await call('GET', '/config/versions?limit=100')).status, 200);
  // A well-formed cursor past the oldest version is an empty last page, not an error.
  const past = await call('GET', `/config/versions?cursor=${historyCursor(1)}`);
  assert.deepEqual([past.status, past.body.data, past.body.nextCursor], [200, [], null]);
});

test("one version's snapshot is the config as it was then; an unknown version is 404 and a non-number 400", async () => {
  const { call } = await fresh();
  await call('POST', '/services', { body: { name: 'users', url: 'http://users:8080' } });
  await call('POST', '/services', { body: { name: 'orders', url: 'http://orders:8080' } });
  const v2 = await call('GET', '/config/versions/2');
  assert.equal(v2.status, 200, v2.text);
  assert.equal(v2.body.version, 2);
  assert.equal(v2.body.changedBy, 'api');
  assert.deepEqual(v2.body.config.services.map((s: { name: string }) => s.name), ['users']);
  const missing = await call('GET', '/config/versions/99');
  assert.equal(missing.status, 404);
  assert.match(missing.body.error.message, /config version 99 not found/);
  for (const bad of ['0', '-1', 'abc', '1e3', '99999999999999999999']) {
    const response = await call('GET', `/config/versions/${bad}`);
    assert.equal(response.status, 400, bad);
    assert.equal(response.body.error.details[0].path, 'version');
  }
});

test('the diff between two versions names what was added, removed and changed, per kind', async () => {
  const { call } = await fresh();
  const users = await call('POST', '/services', { body: { name: 'users', url: 'http://users:8080' } });
  await call('POST', '/services', { body: { name: 'old', url: 'http://old:8080' } });
  await call('POST', '/routes', { body: { name: 'r', service: 'users', paths: ['/u'] } }); // v4
  const old = (await call('GET', '/services')).body.data.find((s: { name: string }) => s.name === 'old');
  await call('DELETE', `/services/${old.id}`);
  await call('PUT', `/services/${users.body.id}`, { body: { name: 'users', url: 'http://users:1' } });
  await call('POST', '/consumers', { body: { username: 'mobile' } }); // v7
  const diff = await call('GET', '/config/diff?from=3&to=7');
  assert.equal(diff.status, 200, diff.text);
  assert.deepEqual(diff.body.diff, {
    services: { added: [], removed: ['old'], changed: ['users'] },
    routes: { added: ['r'], removed: [], changed: [] },
    consumers: { added: ['mobile'], removed: [], changed: [] },
    listeners: none,
    certificates: none,
  });
  assert.equal(diff.body.summary, 'services: 1 removed, 1 changed; routes: 1 added; consumers: 1 added');
  const backwards = await call('GET', '/config/diff?from=7&to=3');
  assert.deepEqual(backwards.body.diff.routes, { added: [], removed: ['r'], changed: [] });
  assert.equal((await call('GET', '/config/diff?from=3&to=70')).status, 404);
  const bad = await call('GET', '/config/diff?from=3');
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.details[0].path, 'to');
});

test("rollback writes a new version whose objects are the old version's, made by the API with a note", async () => {
  const { call } = await fresh();
  await call('POST', '/services', { body: { name: 'users', url: 'http://users:8080' } });
  await call('POST', '/routes', { body: { name: 'a', service: 'users', paths: ['/a'] } });
  await call('POST', '/routes', { body: { name: 'b', service: 'users', paths: ['/b'] } }); // v4
  const target = await call('GET', '/config/versions/4');
  await call('PUT', '/config', {
    body: { config: { services: [{ name: 'orders', url: 'http://orders:1' }], routes: [{ name: 'o', service: 'orders', paths: ['/o'] }], consumers: [{ username: 'm' }] } },
  }); // v5
  const rollback = await call('POST', '/config/versions/4/rollback', { body: { version: 5 } });
  assert.equal(rollback.status, 200, rollback.text);
  assert.equal(rollback.body.version, 6);
  assert.equal(rollback.body.rolledBackTo, 4);
  assert.equal(rollback.body.changed, true);
  assert.equal(rollback.body.hash, target.body.hash, 'the new version is the old config, hash and all');
  const now = await call('GET', '/config');
  assert.deepEqual([now.body.version, now.body.config], [6, target.body.config]);
  const newest = (await call('GET', '/config/versions?limit=1')).body.data[0];
  assert.deepEqual([newest.version, newest.changedBy, newest.note], [6, 'api', 'rollback to version 4']);
  assert.deepEqual(newest.changes.diff.services, { added: ['users'], removed: ['orders'], changed: [] });
  // The entity API sees the restored rows.
  assert.deepEqual((await call('GET', '/routes')).body.data.map((r: { name: string }) => r.name), ['a', 'b']);
});

test('rollback with a stale precondition gets 409 version_conflict and changes nothing; without one it is 400', async () => {
  const { call } = await fresh();
  await call('POST', '/services', { body: { name: 'users', url: 'http://users:8080' } }); // v2
  await call('POST', '/services', { body: { name: 'orders', url: 'http://orders:8080' } }); // v3
  const stale = await call('POST', '/config/versions/1/rollback', { body: { version: 2 } });
  assert.equal(stale.status, 409, stale.text);
  assert.equal(stale.body.error.code, 'version_conflict');
  assert.match(stale.body.error.message, /config is at version 3, not 2/);
  for (const body of [undefined, {}, { version: '3' }, { version: -1 }, { version: 3, force: true }]) {
    const response = await call('POST', '/config/versions/1/rollback', body === undefined ? {} : { body });
    assert.equal(response.status, 400, `${JSON.stringify(body)}: ${response.text}`);
  }
  assert.equal((await call('GET', '/config')).body.version, 3);
  assert.deepEqual((await call('GET', '/services')).body.data.map((s: { name: string }) => s.name).sort(), ['orders', 'users']);
});

test("rollback to another tenant's version number is 404 under one's own tenant, and 403 under the other's", async () => {
  const mine = await fresh();
  const theirs = await fresh();
  for (const name of ['a', 'b', 'c', 'd', 'e']) await theirs.call('POST', '/services', { body: { name, url: 'http://x:1' } });
  // Their version 6 exists; mine stops at 1.
  const unknown = await mine.call('POST', '/config/versions/6/rollback', { body: { version: 1 } });
  assert.equal(unknown.status, 404, unknown.text);
  assert.equal((await mine.call('GET', '/config/versions/6')).status, 404);
  const crossTenant = await server.request('POST', `${theirs.base}/config/versions/2/rollback`, { token: mine.tenant.token, body: { version: 6 } });
  assert.equal(crossTenant.status, 403);
  assert.equal((await theirs.call('GET', '/config')).body.version, 6, 'their config did not move');
  assert.equal((await mine.call('GET', '/config')).body.version, 1);
});

test('rollback leaves objects Kubernetes manages as they are and says which ones differ from the target', async () => {
  const { tenant, call } = await fresh();
  await operatorWrites(tenant.id, async (client) => {
    await services.insert(client, tenant.id, serviceSchema.parse({ name: 'k8s.shop.web', url: 'http://web:80' }), 'kubernetes');
    await routes.insert(client, tenant.id, routeSchema.parse({ name: 'k8s.shop.web', service: 'k8s.shop.web', paths: ['/web'] }), 'kubernetes');
  }); // v2
  await call('POST', '/services', { body: { name: 'users', url: 'http://users:8080' } }); // v3
  const schema = quotedTenantSchema(tenant.id);
  await operatorWrites(tenant.id, async (client) => {
    await client.query(`DELETE FROM ${schema}.routes WHERE name = 'k8s.shop.web'`);
    await client.query(`UPDATE ${schema}.services SET url = 'http://web:8080' WHERE name = 'k8s.shop.web'`);
    await services.insert(client, tenant.id, serviceSchema.parse({ name: 'k8s.shop.api', url: 'http://api:80' }), 'kubernetes');
  }); // v4
  await call('POST', '/services', { body: { name: 'orders', url: 'http://orders:8080' } }); // v5
  const rollback = await call('POST', '/config/versions/3/rollback', { body: { version: 5 } });
  assert.equal(rollback.status, 200, rollback.text);
  assert.deepEqual(rollback.body.keptAsIs, {
    services: { added: [], removed: ['k8s.shop.api'], changed: ['k8s.shop.web'] },
    routes: { added: ['k8s.shop.web'], removed: [], changed: [] },
    consumers: none,
    listeners: none,
    certificates: none,
  });
  assert.match(rollback.body.message, /managed by Kubernetes were left as they are/);
  const config = (await call('GET', '/config')).body.config;
  assert.deepEqual(config.services.map((s: { name: string; url: string }) => `${s.name} ${s.url}`), [
    'k8s.shop.api http://api:80',
    'k8s.shop.web http://web:8080',
    'users http://users:8080',
  ]);
  assert.deepEqual(config.routes, [], "the operator's deleted route did not come back");
});

test('rollback brings back a deleted certificate with its key, and a current key is kept, not resealed from history', async () => {
  const pem = makePushedCertificates();
  const { call } = await fresh();
  const created = await call('POST', '/certificates', { body: { name: 'example-com', cert: pem.leaf.chain, key: pem.leaf.key } });
  assert.equal(created.status, 201, created.text); // v2
  const v2 = await call('GET', '/config/versions/2');
  await call('DELETE', `/certificates/${created.body.id}`); // v3
  const rollback = await call('POST', '/config/versions/2/rollback', { body: { version: 3 } });
  assert.equal(rollback.status, 200, rollback.text);
  assert.equal(rollback.body.hash, v2.body.hash);
  const restored = (await call('GET', '/certificates')).body.data;
  assert.deepEqual(restored.map((c: { name: string }) => c.name), ['example-com']);
  // Same config again: no new version.
  const again = await call('POST', '/config/versions/2/rollback', { body: { version: 4 } });
  assert.deepEqual([again.status, again.body.changed, again.body.version], [200, false, 4]);
});

test('rollback never revives a consumer key revoked since the target version, and says so', async () => {
  const { call } = await fresh();
  await call('POST', '/consumers', { body: { username: 'partner' } }); // v2
  const key = await call('POST', '/consumers/partner/keys', { body: { name: 'laptop' } }); // v3
  assert.equal(key.status, 201, key.text);
  const kept = await call('POST', '/consumers/partner/keys', { body: { name: 'server' } }); // v4
  assert.equal((await call('DELETE', `/consumers/partner/keys/${key.body.id}`)).status, 204); // v5
  const rollback = await call('POST', '/config/versions/4/rollback', { body: { version: 5 } });
  assert.equal(rollback.status, 200, rollback.text);
  assert.deepEqual(rollback.body.revokedKeysLeftOut, ['partner']);
  assert.match(rollback.body.message, /revoked since stay revoked/);
  const consumer = await call('GET', '/consumers/partner');
  assert.deepEqual(consumer.body.apiKeyHashes, [sha(kept.body.key)], 'the revoked key stays out; the live one stays in');
  assert.equal(rollback.body.changed, false, 'the config already was v4 without the revoked key');
});

test('rollback revokes the records of consumer keys made since the target version: their hashes gone from the consumer, listed as revoked, said in words', async () => {
  const { call } = await registerTenantApi(server);
  await call('POST', '/consumers', { body: { username: 'partner' } });
  const old = await call('POST', '/consumers/partner/keys', { body: { name: 'old' } });
  const target = (await call('GET', '/config')).body.version;
  const made = await call('POST', '/consumers/partner/keys', { body: { name: 'made after' } });
  const rollback = await call('POST', `/config/versions/${target}/rollback`, { body: { version: target + 1 } });
  assert.equal(rollback.status, 200, rollback.text);
  assert.deepEqual(rollback.body.keysRevokedByRollback, ['partner']);
  assert.match(rollback.body.message, new RegExp(`consumer keys made since version ${target} are revoked \\(consumers partner\\)`));
  assert.deepEqual((await call('GET', '/consumers/partner')).body.apiKeyHashes, [sha(old.body.key)]);
  const keys = (await call('GET', '/consumers/partner/keys')).body.data as { id: string; revokedAt: string | null }[];
  assert.notEqual(keys.find((key) => key.id === made.body.id)?.revokedAt ?? null, null, 'the key made since is listed as revoked');
  assert.equal(keys.find((key) => key.id === old.body.id)?.revokedAt ?? null, null, 'the key the target held stays live');
});
