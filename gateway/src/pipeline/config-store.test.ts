import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createConfigStore } from './config-store.js';
import { createMemoryBackend } from '../policies/rate-limit/memory-backend.js';

const deps = {
  tenant: 'default',
  jwtSecret: undefined,
  rateLimitBackend: createMemoryBackend(),
  failureMode: 'open' as const,
  now: Date.now,
  onRateLimitBackendError: () => undefined,
  onRateLimited: () => undefined,
};
const config = (path: string, url = 'http://127.0.0.1:1') => ({
  services: [{ name: 'up', url }],
  routes: [{ name: 'r', service: 'up', paths: [path] }],
});

test('a valid config is swapped in whole; an invalid one is refused whole and the last good stays', async () => {
  let rejected = 0;
  const store = createConfigStore(deps, { onRejected: () => rejected++ });
  assert.equal(store.current(), undefined);
  assert.deepEqual({ ...await store.apply(config('/a')), hash: '' }, { ok: true, version: 1, hash: '', changed: true });
  const first = store.current();
  assert.equal(first?.router.match('GET', '', '/a')?.target.name, 'r');

  const refused = await store.apply({ ...config('/b'), routes: [{ name: 'r', service: 'up', paths: ['/b'] }, { name: 'bad', service: 'up', paths: ['x'] }] });
  assert.deepEqual(refused, { ok: false, problems: [{ path: 'routes[1].paths[0]', message: "path must start with '/'" }] });
  assert.equal(store.current(), first, 'nothing of the refused config is in use');
  assert.equal(rejected, 1);

  const jwtWithoutSecret = await store.apply({ ...config('/c'), routes: [{ name: 'r', service: 'up', paths: ['/c'], auth: 'jwt' }] });
  assert.equal(jwtWithoutSecret.ok, false);
  assert.equal(store.current(), first);

  assert.equal((await store.apply(config('/b'))).ok, true);
  const second = store.current();
  assert.equal(second?.version, 2);
  assert.equal(second?.router.match('GET', '', '/a'), undefined);
  assert.equal(first?.router.match('GET', '', '/a')?.target.name, 'r', 'a request holding the old snapshot still sees it whole');
  const connectionOf = (compiled: typeof first) => compiled?.services.get('up')?.pool.current()[0]?.connection;
  assert.ok(connectionOf(second) !== undefined);
  assert.equal(connectionOf(second), connectionOf(first), 'an unchanged upstream target keeps its connections');
  assert.equal(connectionOf(second)?.released, false, 'the old config let go of them, the new one holds them');
  await store.close();
});

test('applying the same config again changes nothing', async () => {
  const store = createConfigStore(deps);
  await store.apply(config('/a'));
  const result = await store.apply(config('/a'));
  assert.ok(result.ok && !result.changed && result.version === 1);
});
