// The control plane with its Redis stopped mid-way and started again (issue 12, item 8), on a private
// redis-server (the shared one on 6379 is never stopped).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { startOwnRedis, type OwnRedis } from '@novagate/gateway/testing/redis-server';
import { createPool } from '../db/pool.js';
import { rolePrefixOf } from '../testing/database.js';
import { withTestServer } from '../testing/with-test-server.js';
import { registerTenant, startTestServer, type RegisteredTenant } from '../testing/server.js';
import { helloGateway, type ProtocolClient } from '../testing/gateway-client.js';
import { presenceKey } from '../hub/presence.js';
import { createRedisClient, redisReady } from './client.js';

let ownRedis: OwnRedis;
let redis: Redis;
let tenant: RegisteredTenant;
const gateways: ProtocolClient[] = [];

const { server, ready: started } = withTestServer({
  // Heartbeats every 200 ms, so presence is written again soon after Redis returns.
  pingIntervalMs: 200,
  prepare: async () => {
    ownRedis = await startOwnRedis();
    redis = createRedisClient(ownRedis.url, undefined, () => undefined);
    assert.ok(await redisReady(redis, 5_000));
    return { redis };
  },
});
before(async () => {
  await started;
  tenant = await registerTenant(server);
});
after(async () => {
  for (const gateway of gateways) gateway.close();
  redis.disconnect();
  await ownRedis.kill();
});

const metric = async (name: string): Promise<number> => {
  const text = await (await fetch(`http://127.0.0.1:${server.controlPlane.metricsPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name));
  return line === undefined ? Number.NaN : Number(line.split(' ').at(-1));
};
const warnings = (pattern: RegExp) => server.logLines.filter((line) => pattern.test(line)).length;
const gatewaysListed = async () =>
  ((await server.request('GET', `/api/v1/tenants/${tenant.id}/gateways`, { token: tenant.token })).body?.data ?? []).map((n: { nodeId: string }) => n.nodeId);

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  let value = await read();
  for (let i = 0; i < 100 && !done(value); i++) {
    await new Promise((r) => setTimeout(r, 50));
    value = await read();
  }
  assert.ok(done(value), `${what}: last ${JSON.stringify(value)}`);
  return value;
}

async function admitted(nodeId: string): Promise<ProtocolClient> {
  const gateway = await helloGateway(server.url, tenant.gatewayApiKey, { nodeId });
  gateways.push(gateway);
  const config = await gateway.nextConfig();
  gateway.send({ type: 'ack', version: config.version, hash: config.hash });
  return gateway;
}

test('with Redis up: /readyz is ready, novagate_redis_up is 1, presence lives in Redis', async () => {
  await admitted('before-outage');
  const ready = await server.request('GET', '/readyz');
  assert.equal(ready.status, 200);
  assert.deepEqual(ready.body, { status: 'ready' });
  assert.equal(await metric('novagate_redis_up'), 1);
  await eventually(async () => redis.hexists(presenceKey(tenant.id), 'before-outage'), (v) => v === 1, 'presence in Redis');
  assert.deepEqual(await gatewaysListed(), ['before-outage']);
});

test('Redis stopped mid-way: login, register, /gateways and a gateway hello still work, and /readyz names redis', async () => {
  await ownRedis.kill();
  const login = await server.request('POST', '/api/v1/auth/login', { body: { email: tenant.email, password: tenant.password } });
  assert.equal(login.status, 200, login.text);
  assert.equal(typeof login.body.token, 'string');
  const register = await server.request('POST', '/api/v1/auth/register', {
    body: { email: `outage-${Date.now()}@example.com`, password: 'correct horse battery staple', tenantName: 'Outage' },
  });
  assert.ok(register.status < 500, `register answered ${register.status} ${register.text}`);
  // Presence is read from the leases in gateway_nodes, the node acked before the outage included.
  assert.deepEqual(await gatewaysListed(), ['before-outage']);
  await admitted('during-outage');
  assert.deepEqual(await gatewaysListed(), ['before-outage', 'during-outage']);
  // Admission still holds the free plan's limit of 2, without Redis.
  const third = await helloGateway(server.url, tenant.gatewayApiKey, { nodeId: 'one-too-many' });
  gateways.push(third);
  const closed = await third.closed;
  assert.equal(closed.code, 1008);
  assert.match(closed.reason, /plan_limit_exceeded/);
  const ready = await server.request('GET', '/readyz');
  assert.equal(ready.status, 200, 'the database is what makes a replica ready');
  assert.deepEqual(ready.body, { status: 'degraded', down: ['redis'] });
  assert.equal(await metric('novagate_redis_up'), 0);
  assert.ok((await metric('novagate_redis_fallback_total{use="throttle"}')) >= 2);
  assert.ok((await metric('novagate_redis_fallback_total{use="presence"}')) >= 1);
  assert.equal(warnings(/redis is unreachable/), 1, 'one warning line when it switches, not one per request');
});

test('Redis started again: readiness, the metric, throttling and presence go back to it', async () => {
  await ownRedis.restart();
  await eventually(async () => (await server.request('GET', '/readyz')).body, (body) => body?.status === 'ready', '/readyz back to ready');
  assert.equal(await metric('novagate_redis_up'), 1);
  const login = await server.request('POST', '/api/v1/auth/login', { body: { email: tenant.email, password: tenant.password } });
  assert.equal(login.status, 200);
  assert.ok((await redis.keys('throttle:*')).length > 0, 'throttle counters are in Redis again');
  // The heartbeat marks every connected node in Redis again.
  await eventually(
    async () => Object.keys(await redis.hgetall(presenceKey(tenant.id))).sort(),
    (nodes) => nodes.join() === 'before-outage,during-outage',
    'presence written to Redis again',
  );
  assert.deepEqual(await gatewaysListed(), ['before-outage', 'during-outage']);
  assert.equal(warnings(/redis is back/), 1);
});

test('a frozen Redis (connections open, no answers) does not hang login or /readyz: commands time out and fall back', async () => {
  ownRedis.freeze();
  try {
    const login = await server.request('POST', '/api/v1/auth/login', { body: { email: tenant.email, password: tenant.password } });
    assert.equal(login.status, 200);
    const ready = await server.request('GET', '/readyz');
    assert.deepEqual(ready.body, { status: 'degraded', down: ['redis'] });
    assert.deepEqual(await gatewaysListed(), ['before-outage', 'during-outage']);
  } finally {
    ownRedis.thaw();
  }
});

test('the database down makes /readyz answer 503 naming it', async () => {
  const pool = createPool('postgres://postgres@127.0.0.1:1/none', 2);
  const offline = await startTestServer({ db: { url: 'postgres://postgres@127.0.0.1:1/none', pool, rolePrefix: rolePrefixOf('none'), drop: async () => undefined }, redis });
  try {
    const ready = await offline.request('GET', '/readyz');
    assert.equal(ready.status, 503);
    assert.deepEqual(ready.body, { status: 'unavailable', down: ['database'] });
  } finally {
    await offline.close();
    await pool.end();
  }
});
