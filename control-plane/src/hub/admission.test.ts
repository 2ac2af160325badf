import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { withTestServer } from '../testing/with-test-server.js';
import { registerTenant, startTestServer, type RegisteredTenant } from '../testing/server.js';
import { helloGateway, type ProtocolClient } from '../testing/gateway-client.js';
import { quotedTenantSchema } from '../tenancy/schema-name.js';
import { CLOSE_REPLACED } from '@novagate/gateway/protocol';
import { renewLeases } from '../tenancy/gateway-leases.js';
import { admitGateway, createAdmissionQueue } from './admission.js';
import type { Presence } from './presence.js';

const {
  db,
  servers: [replicaA, replicaB],
} = withTestServer({ replicas: [{ listenerReconnectDelayMs: 60_000 }, {}] });

/** Resolves with whether the gateway was admitted (got its config) or refused (closed before any config). */
async function outcome(client: ProtocolClient): Promise<{ admitted: boolean; code?: number; reason?: string }> {
  const admitted = await client.nextConfig(() => true, 15_000).then(
    () => true,
    () => false,
  );
  if (admitted) return { admitted };
  const { code, reason } = await client.closed;
  return { admitted, code, reason };
}

const liveLeases = async (tenant: RegisteredTenant) =>
  Number(
    (await db.pool.query(`SELECT count(*) FROM ${quotedTenantSchema(tenant.id)}.gateway_nodes WHERE lease_expires_at > now()`)).rows[0].count,
  );

test('20 simultaneous hellos from distinct node ids on a free tenant: exactly 2 are admitted, 18 refused with plan_limit_exceeded', async () => {
  const tenant = await registerTenant(replicaA);
  const clients = await Promise.all(
    Array.from({ length: 20 }, (_, i) => helloGateway(replicaA.url, tenant.gatewayApiKey, { nodeId: `burst-${i}` })),
  );
  try {
    const results = await Promise.all(clients.map(outcome));
    assert.equal(results.filter((r) => r.admitted).length, 2);
    for (const refused of results.filter((r) => !r.admitted)) {
      assert.equal(refused.code, 1008);
      assert.match(refused.reason ?? '', /^plan_limit_exceeded: the free plan allows at most 2 gateways/);
    }
    assert.equal(await liveLeases(tenant), 2);
  } finally {
    for (const client of clients) client.close();
  }
});

test('two replicas on one database admitting 10 hellos each at once still hold the free limit of 2', async () => {
  const tenant = await registerTenant(replicaA);
  const clients = await Promise.all(
    Array.from({ length: 20 }, (_, i) => helloGateway((i % 2 === 0 ? replicaA : replicaB).url, tenant.gatewayApiKey, { nodeId: `two-${i}` })),
  );
  try {
    const results = await Promise.all(clients.map(outcome));
    assert.equal(results.filter((r) => r.admitted).length, 2);
    assert.equal(await liveLeases(tenant), 2);
  } finally {
    for (const client of clients) client.close();
  }
});

test('10 connections with one node id take one slot: each replaces the one before (4409) and the last serves', async () => {
  const tenant = await registerTenant(replicaA);
  const clients: ProtocolClient[] = [];
  try {
    for (let i = 0; i < 10; i++) {
      const client = await helloGateway((i % 2 === 0 ? replicaA : replicaB).url, tenant.gatewayApiKey, { nodeId: 'same-node' });
      await client.nextConfig();
      clients.push(client);
    }
    const closed = await Promise.all(clients.slice(0, -1).map((c) => c.closed));
    for (const { code, reason } of closed) {
      assert.equal(code, CLOSE_REPLACED);
      assert.match(reason, /replaced/);
    }
    const last = clients.at(-1) as ProtocolClient;
    assert.equal(last.socket.readyState, last.socket.OPEN);
    assert.equal(await liveLeases(tenant), 1, 'one node id holds one slot');
    // The slot left over is still there for a second node.
    const other = await helloGateway(replicaB.url, tenant.gatewayApiKey, { nodeId: 'other-node' });
    clients.push(other);
    assert.equal((await outcome(other)).admitted, true);
    // And the surviving connection is the one that gets config changes.
    await replicaA.request('POST', `/api/v1/tenants/${tenant.id}/services`, { token: tenant.token, body: { name: 'users', url: 'http://users:1' } });
    assert.equal((await last.nextConfig((c) => c.version === 2)).version, 2);
  } finally {
    for (const client of clients) client.close();
  }
});

test('a replica that missed the NOTIFY closes the replaced connection with 4409 at its next lease renewal', async () => {
  const tenant = await registerTenant(replicaA);
  // A replica whose LISTEN session is dead (and is not retried within the test) but whose heartbeat runs often.
  const deaf = await startTestServer({ db, pingIntervalMs: 100, listenerReconnectDelayMs: 60_000 });
  try {
    for (let i = 0; i < 100 && deaf.controlPlane.listener.backendPid() === null; i++) await new Promise((r) => setTimeout(r, 10));
    await db.pool.query('SELECT pg_terminate_backend($1)', [deaf.controlPlane.listener.backendPid()]);
    for (let i = 0; i < 100 && deaf.controlPlane.listener.backendPid() !== null; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(deaf.controlPlane.listener.backendPid(), null);
    const first = await helloGateway(deaf.url, tenant.gatewayApiKey, { nodeId: 'moved-node' });
    await first.nextConfig();
    const second = await helloGateway(replicaB.url, tenant.gatewayApiKey, { nodeId: 'moved-node' });
    try {
      await second.nextConfig();
      const closed = await first.closed;
      assert.equal(closed.code, CLOSE_REPLACED);
      assert.equal(second.socket.readyState, second.socket.OPEN);
    } finally {
      second.close();
      first.close();
    }
  } finally {
    await deaf.close();
  }
});

test('a lease that expires frees its slot: live leases of a crashed replica refuse a third node, expired ones do not', async () => {
  const tenant = await registerTenant(replicaA);
  // What a replica that admitted two nodes and then crashed leaves behind: leases that nobody renews.
  for (const nodeId of ['crashed-1', 'crashed-2']) {
    const admission = await admitGateway(db.pool, { tenantId: tenant.id, nodeId, softwareVersion: 'x', connectionId: randomUUID(), leaseMs: 45_000 });
    assert.equal(admission.admitted, true);
  }
  const refused = await outcome(await helloGateway(replicaA.url, tenant.gatewayApiKey, { nodeId: 'newcomer' }));
  assert.equal(refused.admitted, false);
  assert.match(refused.reason ?? '', /plan_limit_exceeded/);
  // 45 s later (the database's clock moved on instead of the test waiting).
  await db.pool.query(`UPDATE ${quotedTenantSchema(tenant.id)}.gateway_nodes SET lease_expires_at = now() - interval '1 second'`);
  const client = await helloGateway(replicaA.url, tenant.gatewayApiKey, { nodeId: 'newcomer' });
  try {
    assert.equal((await outcome(client)).admitted, true);
  } finally {
    client.close();
  }
});

test('a gateway that disconnects frees its slot at once', async () => {
  const tenant = await registerTenant(replicaA);
  const first = await helloGateway(replicaA.url, tenant.gatewayApiKey, { nodeId: 'leaving' });
  const second = await helloGateway(replicaB.url, tenant.gatewayApiKey, { nodeId: 'staying' });
  await Promise.all([first.nextConfig(), second.nextConfig()]);
  first.close();
  await first.closed;
  let live = await liveLeases(tenant);
  for (let i = 0; i < 200 && live > 1; i++) {
    await new Promise((r) => setTimeout(r, 10));
    live = await liveLeases(tenant);
  }
  const third = await helloGateway(replicaA.url, tenant.gatewayApiKey, { nodeId: 'arriving' });
  try {
    assert.equal((await outcome(third)).admitted, true);
  } finally {
    third.close();
    second.close();
  }
});

test('lease renewal says which leases were renewed, taken by another connection, or expired', async () => {
  const tenant = await registerTenant(replicaA);
  await db.pool.query("UPDATE public.tenants SET plan = 'enterprise' WHERE id = $1", [tenant.id]);
  const [kept, old, gone] = [randomUUID(), randomUUID(), randomUUID()];
  const admit = (nodeId: string, connectionId: string) =>
    admitGateway(db.pool, { tenantId: tenant.id, nodeId, softwareVersion: 'x', connectionId, leaseMs: 45_000 });
  await admit('kept', kept);
  await admit('moved', old);
  const replaced = await admit('moved', randomUUID());
  assert.deepEqual(replaced, { admitted: true, replaced: old });
  await admit('gone', gone);
  await db.pool.query(`UPDATE ${quotedTenantSchema(tenant.id)}.gateway_nodes SET lease_expires_at = now() - interval '1 second' WHERE node_id = 'gone'`);
  const states = await renewLeases(
    db.pool,
    tenant.id,
    [
      { nodeId: 'kept', connectionId: kept },
      { nodeId: 'moved', connectionId: old },
      { nodeId: 'gone', connectionId: gone },
    ],
    45_000,
  );
  assert.deepEqual(Object.fromEntries([...states].map(([id, state]) => [id === kept ? 'kept' : id === old ? 'moved' : 'gone', state])), {
    kept: 'renewed',
    moved: 'taken',
    gone: 'expired',
  });
});

test('admission keeps working while presence (Redis) fails: hellos are admitted and the limit still holds', async () => {
  const down = async () => {
    throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
  };
  const brokenPresence: Presence = { mark: down, markMany: down, remove: down, online: down };
  const server = await startTestServer({ db, presence: brokenPresence });
  try {
    const tenant = await registerTenant(server);
    const clients = await Promise.all(Array.from({ length: 5 }, (_, i) => helloGateway(server.url, tenant.gatewayApiKey, { nodeId: `no-redis-${i}` })));
    try {
      const results = await Promise.all(clients.map(outcome));
      assert.equal(results.filter((r) => r.admitted).length, 2);
    } finally {
      for (const client of clients) client.close();
    }
  } finally {
    await server.close();
  }
});

test('admissions of one tenant run one at a time on a replica (one pooled connection waits for the lock), other tenants in parallel', async () => {
  const queue = createAdmissionQueue();
  const running = new Map<string, number>();
  const most = new Map<string, number>();
  const work = (tenant: string, fail = false) => async () => {
    running.set(tenant, (running.get(tenant) ?? 0) + 1);
    most.set(tenant, Math.max(most.get(tenant) ?? 0, running.get(tenant) ?? 0));
    await new Promise((r) => setImmediate(r));
    running.set(tenant, (running.get(tenant) ?? 0) - 1);
    if (fail) throw new Error('admission failed');
    return tenant;
  };
  const results = await Promise.allSettled([
    ...Array.from({ length: 5 }, (_, i) => queue.run('a', work('a', i === 1))),
    ...Array.from({ length: 5 }, () => queue.run('b', work('b'))),
    queue.run('c', work('c')),
  ]);
  assert.equal(most.get('a'), 1);
  assert.equal(most.get('b'), 1);
  assert.equal(results.filter((r) => r.status === 'rejected').length, 1, 'a failed admission does not stop the ones after it');
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 10);
});

test('the database alone holds the limit: 20 concurrent admissions straight on the pool (no per-replica queue) admit exactly 2', async () => {
  const tenant = await registerTenant(replicaA);
  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      admitGateway(db.pool, { tenantId: tenant.id, nodeId: `direct-${i}`, softwareVersion: 'x', connectionId: randomUUID(), leaseMs: 45_000 }),
    ),
  );
  assert.equal(results.filter((r) => r.admitted).length, 2);
  assert.equal(await liveLeases(tenant), 2);
});

test('a lease taken over while its renewal waits for the row is reported taken (4409), not expired', async () => {
  const tenant = await registerTenant(replicaA);
  const old = randomUUID();
  await admitGateway(db.pool, { tenantId: tenant.id, nodeId: 'raced', softwareVersion: 'x', connectionId: old, leaseMs: 45_000 });
  // A takeover in flight: its row lock is held until COMMIT, so the renewal has to wait for it.
  const takeover = await db.pool.connect();
  try {
    await takeover.query('BEGIN');
    await takeover.query(`UPDATE ${quotedTenantSchema(tenant.id)}.gateway_nodes SET lease_holder = $1 WHERE node_id = 'raced'`, [randomUUID()]);
    const renewal = renewLeases(db.pool, tenant.id, [{ nodeId: 'raced', connectionId: old }], 45_000);
    let waiting = 0;
    for (let i = 0; i < 200 && waiting === 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
      waiting = Number(
        (await db.pool.query("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")).rows[0].count,
      );
    }
    assert.equal(waiting, 1, 'the renewal waits for the takeover');
    await takeover.query('COMMIT');
    assert.equal((await renewal).get(old), 'taken');
  } finally {
    takeover.release();
  }
});
