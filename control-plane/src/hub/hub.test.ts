import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { formatApiKey } from '@novagate/gateway/protocol';
import { TEST_REDIS_URL } from '../testing/database.js';
import { withTestServer } from '../testing/with-test-server.js';
import { registerTenant, startTestServer, type RegisteredTenant, type TestServer } from '../testing/server.js';
import { connectGateway, helloGateway } from '../testing/gateway-client.js';
import { ensureDevTls } from '../tls/dev-certificates.js';
import { createRedisPresence, presenceKey, type PresenceEntry } from './presence.js';
import { withTransaction } from '../db/pool.js';
import { lockTenantForConfigChange, recordConfigVersion } from '../tenancy/config-versions.js';
import { quotedTenantSchema } from '../tenancy/schema-name.js';

let redis: Redis;
let ca: string;
let tls: { cert: string; key: string; ca: string };

const {
  db,
  servers: [replicaA, replicaB],
} = withTestServer({
  replicas: 2,
  listenerReconnectDelayMs: 1_000,
  prepare: () => {
    redis = new Redis(TEST_REDIS_URL);
    const files = ensureDevTls(mkdtempSync(join(tmpdir(), 'novagate-tls-')));
    ca = readFileSync(files.caFile, 'utf8');
    tls = { cert: readFileSync(files.certFile, 'utf8'), key: readFileSync(files.keyFile, 'utf8'), ca };
    return { tls, presence: createRedisPresence(redis) };
  },
});
after(() => {
  redis.disconnect();
});

const admin = (server: TestServer, tenant: RegisteredTenant) => (method: string, path: string, body?: unknown) =>
  server.request(method, `/api/v1/tenants/${tenant.id}${path}`, { token: tenant.token, body });

test('a gateway with a valid key gets its tenant config over TLS, and an admin change reaches it', async () => {
  const tenant = await registerTenant(replicaA);
  const gateway = await helloGateway(replicaA.url, tenant.gatewayApiKey, { ca });
  try {
    const first = await gateway.nextConfig();
    assert.equal(first.version, 1);
    gateway.send({ type: 'ack', version: first.version, hash: first.hash });
    const started = performance.now();
    await admin(replicaA, tenant)('POST', '/services', { name: 'users', url: 'http://users:8080' });
    const pushed = await gateway.nextConfig((c) => c.version === 2);
    const elapsedMs = performance.now() - started;
    assert.deepEqual(pushed.config.services, [{ name: 'users', url: 'http://users:8080', connectTimeoutMs: 2000, timeoutMs: 10000, retries: 1 }]);
    assert.ok(elapsedMs < 10_000, `pushed in ${elapsedMs.toFixed(0)} ms`);
  } finally {
    gateway.close();
  }
});

test('a change made on one replica reaches a gateway connected to the other', async () => {
  const tenant = await registerTenant(replicaA);
  const gateway = await helloGateway(replicaB.url, tenant.gatewayApiKey, { ca });
  try {
    await gateway.nextConfig((c) => c.version === 1);
    await admin(replicaA, tenant)('PUT', '/config', {
      config: { services: [{ name: 'a', url: 'http://a:1' }], routes: [{ name: 'r', service: 'a', paths: ['/a'] }] },
    });
    const pushed = await gateway.nextConfig((c) => c.version === 2);
    assert.deepEqual(pushed.config.routes.map((r) => r.name), ['r']);
  } finally {
    gateway.close();
  }
});

test('unknown, malformed and revoked keys are refused with 401 at upgrade', async () => {
  const tenant = await registerTenant(replicaA);
  const unknownKey = formatApiKey(tenant.id, '0'.repeat(32));
  for (const key of [unknownKey, 'not-a-key', '']) {
    await assert.rejects(connectGateway(replicaA.url, key, ca), /upgrade refused with 401/, key);
  }
  const keys = await admin(replicaA, tenant)('GET', '/api-keys');
  await admin(replicaA, tenant)('DELETE', `/api-keys/${keys.body.data[0].id}`);
  await assert.rejects(connectGateway(replicaA.url, tenant.gatewayApiKey, ca), /upgrade refused with 401/);
});

test('revoking a key closes the live connections that used it, on every replica, within 1 s', async () => {
  const tenant = await registerTenant(replicaA);
  await db.pool.query("UPDATE public.tenants SET plan = 'pro' WHERE id = $1", [tenant.id]);
  const other = await admin(replicaA, tenant)('POST', '/api-keys', { name: 'other' });
  const onA = await helloGateway(replicaA.url, tenant.gatewayApiKey, { ca });
  const onB = await helloGateway(replicaB.url, tenant.gatewayApiKey, { ca });
  const unaffected = await helloGateway(replicaB.url, other.body.key, { ca });
  try {
    await Promise.all([onA.nextConfig(), onB.nextConfig(), unaffected.nextConfig()]);
    const keyId = (await admin(replicaA, tenant)('GET', '/api-keys')).body.data.find((k: { name: string }) => k.name === 'default').id;
    const started = performance.now();
    await admin(replicaA, tenant)('DELETE', `/api-keys/${keyId}`);
    const [closedA, closedB] = await Promise.all([onA.closed, onB.closed]);
    const elapsed = performance.now() - started;
    assert.equal(closedA.code, 4401);
    assert.equal(closedB.code, 4401);
    assert.ok(elapsed < 1_000, `closed after ${elapsed.toFixed(0)} ms`);
    assert.equal(unaffected.socket.readyState, unaffected.socket.OPEN, 'a connection with another key stays');
  } finally {
    unaffected.close();
  }
});

test('a gateway ahead of the database, or on the same version with another hash, is brought back', async () => {
  const tenant = await registerTenant(replicaA);
  const current = (await admin(replicaA, tenant)('GET', '/config')).body;
  const ahead = await helloGateway(replicaA.url, tenant.gatewayApiKey, { ca, configVersion: 99, configHash: 'a'.repeat(64) });
  const otherHash = await helloGateway(replicaA.url, tenant.gatewayApiKey, { ca, configVersion: current.version, configHash: 'b'.repeat(64) });
  const upToDate = await helloGateway(replicaA.url, tenant.gatewayApiKey, { ca, configVersion: current.version, configHash: current.hash });
  try {
    assert.equal((await ahead.nextConfig()).version, current.version);
    assert.equal((await otherHash.nextConfig()).hash, current.hash);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(upToDate.configs.length, 0, 'a gateway already on the newest version gets nothing');
  } finally {
    ahead.close();
    otherHash.close();
    upToDate.close();
  }
});

test('a NOTIFY missed while the LISTEN session was down is recovered by the rescan after it reconnects', async () => {
  const tenant = await registerTenant(replicaA);
  const gateway = await helloGateway(replicaA.url, tenant.gatewayApiKey, { ca });
  try {
    await gateway.nextConfig((c) => c.version === 1);
    const pid = replicaA.controlPlane.listener.backendPid();
    assert.ok(pid !== null);
    await db.pool.query('SELECT pg_terminate_backend($1)', [pid]);
    for (let i = 0; i < 50 && replicaA.controlPlane.listener.backendPid() !== null; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(replicaA.controlPlane.listener.backendPid(), null, 'the LISTEN session is down');
    // Written straight to the database while nobody on replica A listens: its NOTIFY is lost for A.
    await withTransaction(db.pool, async (client) => {
      await lockTenantForConfigChange(client, tenant.id);
      await client.query(
        `INSERT INTO ${quotedTenantSchema(tenant.id)}.services (name, url, connect_timeout_ms, timeout_ms, retries) VALUES ('direct', 'http://d:1', 1000, 1000, 0)`,
      );
      await recordConfigVersion(client, tenant.id, { by: 'api' });
    });
    const pushed = await gateway.nextConfig((c) => c.version === 2, 15_000);
    assert.deepEqual(pushed.config.services.map((s) => (s as { name: string }).name), ['direct']);
  } finally {
    gateway.close();
  }
});

test('concurrent writes from the admin API and a direct database writer never share a version number', async () => {
  const tenant = await registerTenant(replicaA);
  await admin(replicaA, tenant)('PUT', '/config', { config: {} });
  await db.pool.query("UPDATE public.tenants SET plan = 'enterprise' WHERE id = $1", [tenant.id]);
  const direct = Array.from({ length: 10 }, (_, i) =>
    withTransaction(db.pool, async (client) => {
      await lockTenantForConfigChange(client, tenant.id);
      await client.query(
        `INSERT INTO ${quotedTenantSchema(tenant.id)}.consumers (username, managed_by) VALUES ($1, 'kubernetes')`,
        [`k8s.default.c${i}`],
      );
      return recordConfigVersion(client, tenant.id, { by: 'api' });
    }),
  );
  const viaApi = Array.from({ length: 10 }, (_, i) => admin(replicaA, tenant)('POST', '/services', { name: `s${i}`, url: 'http://x:1' }));
  const results = await Promise.all([...direct, ...viaApi]);
  assert.ok(results.slice(10).every((r) => (r as { status: number }).status === 201));
  const { rows } = await db.pool.query(`SELECT version FROM ${quotedTenantSchema(tenant.id)}.config_versions ORDER BY version`);
  const versions = rows.map((r) => Number(r.version));
  assert.equal(new Set(versions).size, versions.length);
  assert.deepEqual(versions, Array.from({ length: versions.length }, (_, i) => i + 1));
  assert.equal(versions.length, 21);
});

test('a nack is recorded and shown in /gateways; acks and presence show the config version', async () => {
  const tenant = await registerTenant(replicaA);
  const gateway = await helloGateway(replicaA.url, tenant.gatewayApiKey, { ca, nodeId: 'node-nack' });
  try {
    const first = await gateway.nextConfig();
    gateway.send({ type: 'ack', version: first.version, hash: first.hash });
    await admin(replicaA, tenant)('POST', '/services', { name: 'users', url: 'http://users:8080' });
    const second = await gateway.nextConfig((c) => c.version === 2);
    gateway.send({ type: 'nack', version: second.version, error: 'routes[0]: upstream refused by policy' });
    let node: { configVersion: number; lastNack: { version: number; message: string } | null } | undefined;
    for (let i = 0; i < 100; i++) {
      node = (await admin(replicaB, tenant)('GET', '/gateways')).body.data.find((n: { nodeId: string }) => n.nodeId === 'node-nack');
      if (node?.lastNack !== null && node?.lastNack !== undefined) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(node?.configVersion, 1, 'the gateway keeps its last good version');
    assert.deepEqual(node?.lastNack, { version: 2, message: 'routes[0]: upstream refused by policy' });
    const raw = await redis.hget(presenceKey(tenant.id), 'node-nack');
    assert.equal(JSON.parse(raw ?? '{}').configVersion, 1);
  } finally {
    gateway.close();
  }
});

test('acks land in gateway_nodes; an ack lost in a crash before it was written is repaired by the next hello', async () => {
  const tenant = await registerTenant(replicaA);
  const schema = quotedTenantSchema(tenant.id);
  const ackedVersion = async () =>
    (await db.pool.query(`SELECT acked_version FROM ${schema}.gateway_nodes WHERE node_id = 'node-crash'`)).rows[0]?.acked_version ?? null;
  const delivered = async () =>
    (await db.pool.query('SELECT delivered_at FROM public.pending_config_updates WHERE tenant_id = $1 AND version = 1', [tenant.id])).rows[0]
      ?.delivered_at ?? null;
  const eventually = async (read: () => Promise<unknown>, expected: (value: unknown) => boolean) => {
    let value = await read();
    for (let i = 0; i < 200 && !expected(value); i++) {
      await new Promise((r) => setTimeout(r, 10));
      value = await read();
    }
    return value;
  };
  const first = await helloGateway(replicaA.url, tenant.gatewayApiKey, { ca, nodeId: 'node-crash' });
  const config = await first.nextConfig();
  first.send({ type: 'ack', version: config.version, hash: config.hash });
  assert.equal(await eventually(ackedVersion, (v) => v !== null), '1');
  assert.notEqual(await eventually(delivered, (v) => v !== null), null);
  first.close();
  await first.closed;
  // What a replica that stopped between receiving the ack and writing its batch leaves behind.
  await db.pool.query(`UPDATE ${schema}.gateway_nodes SET acked_version = NULL, acked_hash = NULL`);
  await db.pool.query('UPDATE public.pending_config_updates SET delivered_at = NULL WHERE tenant_id = $1', [tenant.id]);
  const again = await helloGateway(replicaB.url, tenant.gatewayApiKey, { ca, nodeId: 'node-crash', configVersion: config.version, configHash: config.hash });
  try {
    assert.equal(await eventually(ackedVersion, (v) => v !== null), '1');
    assert.notEqual(await eventually(delivered, (v) => v !== null), null);
    assert.equal(again.configs.length, 0, 'a gateway on the newest version is sent nothing');
  } finally {
    again.close();
  }
});

test('gateways that say hello together on the newest version are all recorded as acked', async () => {
  const tenant = await registerTenant(replicaA);
  await db.pool.query("UPDATE public.tenants SET plan = 'enterprise' WHERE id = $1", [tenant.id]);
  const { rows } = await db.pool.query(`SELECT version, hash FROM ${quotedTenantSchema(tenant.id)}.config_versions ORDER BY version DESC LIMIT 1`);
  const newest = { configVersion: Number(rows[0].version), configHash: rows[0].hash as string };
  // Replica B holds no frame for this tenant yet: the first hello loads it while the others arrive.
  const gateways = await Promise.all(
    Array.from({ length: 8 }, (_, i) => helloGateway(replicaB.url, tenant.gatewayApiKey, { ca, nodeId: `together-${i}`, ...newest })),
  );
  try {
    const acked = async () =>
      Number((await db.pool.query(`SELECT count(*) FROM ${quotedTenantSchema(tenant.id)}.gateway_nodes WHERE acked_version = $1`, [newest.configVersion])).rows[0].count);
    let count = await acked();
    for (let i = 0; i < 200 && count < 8; i++) {
      await new Promise((r) => setTimeout(r, 10));
      count = await acked();
    }
    assert.equal(count, 8);
  } finally {
    for (const gateway of gateways) gateway.close();
  }
});

test('a gateway that acks and disconnects at once is not left online by its ack', async () => {
  // Presence writes that take a while, as under load: the ack's batch is still being written when the socket closes.
  const redisPresence = createRedisPresence(redis);
  const slowPresence = {
    ...redisPresence,
    async markMany(tenantId: string, entries: Map<string, PresenceEntry>) {
      await new Promise((r) => setTimeout(r, 200));
      await redisPresence.markMany(tenantId, entries);
    },
  };
  const slow = await startTestServer({ db, tls, presence: slowPresence });
  try {
    const tenant = await registerTenant(slow);
    const gateway = await helloGateway(slow.url, tenant.gatewayApiKey, { ca, nodeId: 'node-gone' });
    const config = await gateway.nextConfig();
    gateway.send({ type: 'ack', version: config.version, hash: config.hash });
    await new Promise((r) => setTimeout(r, 50));
    gateway.close();
    await gateway.closed;
    await new Promise((r) => setTimeout(r, 400));
    const { rows } = await db.pool.query(`SELECT acked_version FROM ${quotedTenantSchema(tenant.id)}.gateway_nodes WHERE node_id = 'node-gone'`);
    assert.equal(rows[0]?.acked_version, '1', 'the ack was recorded');
    assert.equal(await redis.hget(presenceKey(tenant.id), 'node-gone'), null);
    assert.deepEqual((await admin(slow, tenant)('GET', '/gateways')).body.data, []);
  } finally {
    await slow.close();
  }
});

test("request logs land in the sending tenant's schema only and read back newest first", async () => {
  const a = await registerTenant(replicaA);
  const b = await registerTenant(replicaA);
  const gateway = await helloGateway(replicaA.url, a.gatewayApiKey, { ca, nodeId: 'node-logs' });
  try {
    await gateway.nextConfig();
    const entry = (i: number, status: number) => ({
      requestId: `req-${i}`,
      method: 'GET',
      pathTemplate: '/users/:id',
      status,
      latencyMs: 3.5,
      route: 'get-user',
      time: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
    });
    gateway.send({ type: 'logs', entries: [entry(1, 200), entry(2, 404), entry(3, 200)] });
    gateway.send({ type: 'errors', events: [{ code: 'upstream_timeout', service: 'users', count: 2, time: new Date().toISOString() }] });
    let logs: { requestId: string; gatewayNode: string }[] = [];
    for (let i = 0; i < 100 && logs.length < 3; i++) {
      logs = (await admin(replicaA, a)('GET', '/request-logs')).body.data;
      if (logs.length < 3) await new Promise((r) => setTimeout(r, 20));
    }
    assert.deepEqual(logs.map((l) => l.requestId), ['req-3', 'req-2', 'req-1']);
    assert.equal(logs[0]?.gatewayNode, 'node-logs');
    const notFound = (await admin(replicaA, a)('GET', '/request-logs?status=404&limit=10')).body.data;
    assert.deepEqual(notFound.map((l: { requestId: string }) => l.requestId), ['req-2']);
    assert.equal((await admin(replicaA, a)('GET', '/request-logs?limit=0')).status, 400);
    assert.equal((await admin(replicaA, a)('GET', '/request-logs?colour=red')).status, 400);
    assert.deepEqual((await admin(replicaA, b)('GET', '/request-logs')).body.data, []);
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM ${quotedTenantSchema(b.id)}.request_logs`);
    assert.equal(rows[0].n, 0);
    const errors = await db.pool.query(`SELECT code, service, count FROM ${quotedTenantSchema(a.id)}.error_events`);
    assert.deepEqual(errors.rows, [{ code: 'upstream_timeout', service: 'users', count: 2 }]);
  } finally {
    gateway.close();
  }
});

test('a message with fields outside the protocol closes the connection and stores nothing', async () => {
  const tenant = await registerTenant(replicaA);
  const gateway = await helloGateway(replicaA.url, tenant.gatewayApiKey, { ca });
  await gateway.nextConfig();
  gateway.send({
    type: 'logs',
    entries: [{ requestId: 'x', method: 'GET', pathTemplate: '/a', status: 200, latencyMs: 1, route: 'r', time: new Date().toISOString(), tenantId: 'evil' }],
  });
  const closed = await gateway.closed;
  assert.equal(closed.code, 1008);
  const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM ${quotedTenantSchema(tenant.id)}.request_logs`);
  assert.equal(rows[0].n, 0);
});

test('a config above 8 KiB arrives as one gzip binary frame', async () => {
  const tenant = await registerTenant(replicaA);
  await db.pool.query("UPDATE public.tenants SET plan = 'enterprise' WHERE id = $1", [tenant.id]);
  const services = Array.from({ length: 120 }, (_, i) => ({ name: `service-${i}`, url: `http://service-${i}.internal:8080` }));
  await admin(replicaA, tenant)('PUT', '/config', { config: { services } });
  const gateway = await helloGateway(replicaA.url, tenant.gatewayApiKey, { ca });
  try {
    const received = await gateway.nextConfig();
    assert.equal(received.binary, true);
    assert.equal(received.config.services.length, 120);
  } finally {
    gateway.close();
  }
});

test('the free plan refuses a third gateway node', async () => {
  const tenant = await registerTenant(replicaA);
  const first = await helloGateway(replicaA.url, tenant.gatewayApiKey, { ca, nodeId: 'n1' });
  const second = await helloGateway(replicaB.url, tenant.gatewayApiKey, { ca, nodeId: 'n2' });
  try {
    await Promise.all([first.nextConfig(), second.nextConfig()]);
    const third = await helloGateway(replicaA.url, tenant.gatewayApiKey, { ca, nodeId: 'n3' });
    const closed = await third.closed;
    assert.equal(closed.code, 1008);
    assert.match(closed.reason, /plan_limit_exceeded/);
  } finally {
    first.close();
    second.close();
  }
});

