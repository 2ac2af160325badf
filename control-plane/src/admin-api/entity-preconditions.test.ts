// ETag / If-Match on services, routes and consumers: a write made from a stale read is refused (412), so two
// admins (or an admin and a key revocation) never silently overwrite each other.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withTestServer } from '../testing/with-test-server.js';
import { registerTenantApi } from '../testing/server.js';

const { server } = withTestServer();

test('GET, POST and PUT of one object carry its ETag, which changes with every change of the object', async () => {
  const { call } = await registerTenantApi(server);
  const created = await call('POST', '/services', { body: { name: 'orders', url: 'http://orders.internal' } });
  assert.equal(created.status, 201, created.text);
  const tag = created.headers.get('etag');
  assert.match(tag ?? '', /^"[A-Za-z0-9_-]{27}"$/);
  assert.equal((await call('GET', '/services/orders')).headers.get('etag'), tag, 'the same object reads with the same tag');
  const updated = await call('PUT', '/services/orders', { body: { name: 'orders', url: 'http://orders.internal:8080' }, headers: { 'if-match': tag! } });
  assert.equal(updated.status, 200, updated.text);
  assert.notEqual(updated.headers.get('etag'), tag);
  assert.equal((await call('GET', '/services/orders')).headers.get('etag'), updated.headers.get('etag'));
});

test('a PUT or DELETE whose If-Match names an older state is 412 precondition_failed, naming the header, and changes nothing', async () => {
  const { call } = await registerTenantApi(server);
  await call('POST', '/services', { body: { name: 'orders', url: 'http://orders.internal' } });
  const stale = (await call('GET', '/services/orders')).headers.get('etag')!;
  assert.equal((await call('PUT', '/services/orders', { body: { name: 'orders', url: 'http://other.internal' } })).status, 200, 'a write without If-Match is unconditional, as before');
  const version = (await call('GET', '/config')).body.version;

  const put = await call('PUT', '/services/orders', { body: { name: 'orders', url: 'http://lost.internal' }, headers: { 'if-match': stale } });
  assert.equal(put.status, 412, put.text);
  assert.equal(put.body.error.code, 'precondition_failed');
  assert.deepEqual(put.body.error.details.map((d: { path: string }) => d.path), ['headers.if-match']);
  const del = await call('DELETE', '/services/orders', { headers: { 'if-match': stale } });
  assert.equal(del.status, 412, del.text);
  assert.equal((await call('GET', '/services/orders')).body.url, 'http://other.internal', 'neither write happened');
  assert.equal((await call('GET', '/config')).body.version, version, 'no config version was recorded');
});

test("a consumer's tag changes when a key is added or revoked, so an edit read before a revocation cannot bring the key back", async () => {
  const { call } = await registerTenantApi(server);
  await call('POST', '/consumers', { body: { username: 'app' } });
  const key = await call('POST', '/consumers/app/keys', { body: { name: 'ci' } });
  assert.equal(key.status, 201, key.text);
  const read = await call('GET', '/consumers/app');
  const { apiKeyHashes } = read.body;
  assert.equal(apiKeyHashes.length, 1);
  assert.equal((await call('DELETE', `/consumers/app/keys/${key.body.id}`)).status, 204);

  // An editor that read the consumer before the revocation sends its old key list back: refused.
  const edit = await call('PUT', '/consumers/app', { body: { username: 'app', apiKeyHashes, groups: ['partners'] }, headers: { 'if-match': read.headers.get('etag')! } });
  assert.equal(edit.status, 412, edit.text);
  assert.deepEqual((await call('GET', '/consumers/app')).body.apiKeyHashes ?? [], [], 'the revoked key stays revoked');
});

test('If-Match * and a list naming the current tag pass; a weak tag, a garbage value and an oversized header do not', async () => {
  const { call } = await registerTenantApi(server);
  await call('POST', '/routes', { body: { name: 'r', paths: ['/r'] } });
  const tag = (await call('GET', '/routes/r')).headers.get('etag')!;
  const body = { name: 'r', paths: ['/r2'] };
  assert.equal((await call('PUT', '/routes/r', { body, headers: { 'if-match': `W/${tag}` } })).status, 412, 'weak tags never match (strong comparison)');
  assert.equal((await call('PUT', '/routes/r', { body, headers: { 'if-match': 'not a tag' } })).status, 412);
  const huge = await call('PUT', '/routes/r', { body, headers: { 'if-match': `"${'a'.repeat(2000)}"` } });
  assert.equal(huge.status, 400, huge.text);
  assert.equal(huge.body.error.details[0].path, 'headers.if-match');
  const listed = await call('PUT', '/routes/r', { body, headers: { 'if-match': `"old", ${tag}` } });
  assert.equal(listed.status, 200, listed.text);
  assert.equal((await call('PUT', '/routes/r', { body: { name: 'r', paths: ['/r3'] }, headers: { 'if-match': '*' } })).status, 200);
  assert.equal((await call('GET', '/routes/r')).body.paths[0], '/r3');
});

test('a revoked key hash is refused in any consumer write, with or without If-Match, and in PUT /config (409 naming the entry)', async () => {
  const { call } = await registerTenantApi(server);
  await call('POST', '/consumers', { body: { username: 'app' } });
  const key = await call('POST', '/consumers/app/keys', { body: { name: 'leaked' } });
  const { apiKeyHashes } = (await call('GET', '/consumers/app')).body;
  assert.equal((await call('DELETE', `/consumers/app/keys/${key.body.id}`)).status, 204);

  const put = await call('PUT', '/consumers/app', { body: { username: 'app', apiKeyHashes: ['a'.repeat(64), ...apiKeyHashes] } });
  assert.equal(put.status, 409, put.text);
  assert.equal(put.body.error.code, 'conflict');
  assert.deepEqual(put.body.error.details.map((d: { path: string }) => d.path), ['apiKeyHashes[1]']);
  assert.match(put.body.error.message, /revoked and stays revoked/);
  const other = await call('POST', '/consumers', { body: { username: 'other', apiKeyHashes } });
  assert.deepEqual([other.status, other.body.error.code], [409, 'conflict'], 'not under another consumer either');
  const config = (await call('GET', '/config')).body;
  const whole = await call('PUT', '/config', {
    body: { version: config.version, config: { ...config.config, consumers: [{ username: 'app', apiKeyHashes }] } },
  });
  assert.equal(whole.status, 409, whole.text);
  assert.equal(whole.body.error.code, 'conflict', whole.text);
  assert.deepEqual((await call('GET', '/consumers/app')).body.apiKeyHashes, [], 'the key stays revoked');
});
