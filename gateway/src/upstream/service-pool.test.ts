// The service pool on its own: re-resolution, connections shared across pools, health carried over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { validateGatewayConfig, type ServiceConfig } from '../config/index.js';
import { ServicePool, type Resolver } from './service-pool.js';

function service(fields: Record<string, unknown>): ServiceConfig {
  const validated = validateGatewayConfig({ services: [{ name: 'svc', ...fields }], routes: [] });
  if (!validated.ok) throw new Error(JSON.stringify(validated.problems));
  return validated.value.services[0] as ServiceConfig;
}

const context = { headers: {}, clientIp: undefined, consumer: undefined };

test('host names are resolved again on schedule: new addresses become targets, gone ones are let go', async () => {
  let addresses = ['10.0.0.1', '10.0.0.2'];
  const resolver: Resolver = async () => addresses;
  let changes = 0;
  const pool = new ServicePool({ service: service({ url: 'http://users.internal:8080' }), tls: undefined, resolver, resolveEveryMs: 30, onHealthChange: () => changes++ });
  try {
    assert.deepEqual(pool.current().map((entry) => entry.connection.spec.origin), ['http://users.internal:8080'], 'the name itself until it resolves');
    await pool.resolved;
    const first = pool.current();
    assert.deepEqual(first.map((entry) => entry.connection.spec.origin), ['http://10.0.0.1:8080', 'http://10.0.0.2:8080']);
    assert.deepEqual(first.map((entry) => [entry.hostHeader, entry.connection.spec.servername]), [['users.internal:8080', 'users.internal'], ['users.internal:8080', 'users.internal']]);
    addresses = ['10.0.0.2', '10.0.0.3'];
    await sleep(100);
    const second = pool.current();
    assert.deepEqual(second.map((entry) => entry.connection.spec.origin), ['http://10.0.0.2:8080', 'http://10.0.0.3:8080']);
    assert.equal(second[0]?.connection, first[1]?.connection, 'an address that stays keeps its connections');
    assert.equal(first[0]?.connection.released, true, 'a gone address is closed');
    assert.ok(changes >= 2);
    const before = pool.current();
    addresses = [];
    await sleep(100);
    assert.deepEqual(pool.current(), before, 'an empty answer keeps the addresses in use');
  } finally {
    await pool.release();
  }
});

test('a failing lookup keeps the addresses in use; IP literals are never looked up', async () => {
  let lookups = 0;
  const pool = new ServicePool({
    service: service({ targets: [{ url: 'http://127.0.0.1:1' }, { url: 'http://[::1]:2' }] }),
    tls: undefined,
    resolver: async () => {
      lookups++;
      throw new Error('SERVFAIL');
    },
    resolveEveryMs: 10,
  });
  try {
    await sleep(50);
    assert.equal(lookups, 0);
    assert.deepEqual(pool.current().map((entry) => entry.connection.spec.origin), ['http://127.0.0.1:1', 'http://[::1]:2']);
    assert.deepEqual(pool.targetStates(), [{ target: '127.0.0.1:1', healthy: true }, { target: '[::1]:2', healthy: true }]);
  } finally {
    await pool.release();
  }
});

test("the next config version's pool takes over connections and health; the last holder closes the connections", async () => {
  const config = service({ url: 'http://127.0.0.1:1', healthChecks: { passive: { consecutiveFailures: 1, ejectionMs: 60_000, maxEjectionPercent: 100 } } });
  const resolver: Resolver = async () => [];
  const first = new ServicePool({ service: config, tls: undefined, resolver });
  const target = first.pick(context);
  assert.ok(!(target instanceof Error));
  first.finish(target, 'connection_refused');
  assert.equal(first.pick(context) instanceof Error, true, 'ejected: no healthy target');
  const connections = new Map([...first.connections()].map((connection) => [connection.key, connection]));
  const second = new ServicePool({ service: config, tls: undefined, resolver, previous: first, connections });
  await first.release();
  try {
    assert.equal(second.current()[0]?.connection, target.connection);
    assert.equal(target.connection.released, false);
    assert.equal(second.current()[0]?.available, false, 'the ejection carried over');
  } finally {
    await second.release();
  }
  assert.equal(target.connection.released, true);
});

test('targets with the same origin and different paths are distinct: consistent-hash spreads keys over both, and health carries over to each its own', async () => {
  const config = service({
    targets: [{ url: 'http://127.0.0.1:1/a' }, { url: 'http://127.0.0.1:1/b' }],
    loadBalancing: { algorithm: 'consistent-hash', hashOn: { type: 'header', name: 'x-user' } },
    healthChecks: { passive: { consecutiveFailures: 1, ejectionMs: 60_000, maxEjectionPercent: 100 } },
  });
  const resolver: Resolver = async () => [];
  const first = new ServicePool({ service: config, tls: undefined, resolver });
  const byPath = new Map<string, number>();
  for (let i = 0; i < 200; i++) {
    const target = first.pick({ headers: { 'x-user': `user-${i}` }, clientIp: undefined, consumer: undefined });
    assert.ok(!(target instanceof Error));
    byPath.set(target.basePath, (byPath.get(target.basePath) ?? 0) + 1);
    first.finish(target, undefined);
  }
  assert.ok((byPath.get('/a') ?? 0) > 50 && (byPath.get('/b') ?? 0) > 50, `keys split ${JSON.stringify([...byPath])}`);
  const b = first.current()[1]!;
  assert.equal(first.pick(context, first.current()[0]), b);
  first.finish(b, 'connection_refused');
  assert.deepEqual(first.current().map((entry) => entry.available), [true, false]);
  const second = new ServicePool({ service: config, tls: undefined, resolver, previous: first });
  await first.release();
  try {
    assert.deepEqual(second.current().map((entry) => [entry.basePath, entry.available]), [['/a', true], ['/b', false]], "only /b's ejection carried over, to /b");
  } finally {
    await second.release();
  }
});

test('re-resolutions never overlap, and a new config version reuses fresh addresses without resolving at once', async () => {
  let running = 0;
  let most = 0;
  let lookups = 0;
  const resolver: Resolver = async () => {
    lookups++;
    running++;
    most = Math.max(most, running);
    await sleep(60); // slower than the period
    running--;
    return ['10.0.0.1'];
  };
  const config = service({ url: 'http://users.internal:8080' });
  const first = new ServicePool({ service: config, tls: undefined, resolver, resolveEveryMs: 10 });
  await first.resolved;
  await sleep(150);
  assert.equal(most, 1, 'one lookup at a time');
  await first.release();
  const slow = new ServicePool({ service: config, tls: undefined, resolver, resolveEveryMs: 60_000 });
  await slow.resolved;
  const before = lookups;
  const next = new ServicePool({ service: config, tls: undefined, resolver, resolveEveryMs: 60_000, previous: slow });
  try {
    await next.resolved;
    assert.equal(lookups, before, 'fresh addresses carried over: no lookup');
    assert.deepEqual(next.current().map((entry) => entry.connection.spec.origin), ['http://10.0.0.1:8080']);
  } finally {
    await slow.release();
    await next.release();
  }
});
