import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Redis } from 'ioredis';
import { configHash } from '@novagate/gateway/config';
import { makeNamedCertificates } from '@novagate/gateway/testing/tls-certificates';
import { TEST_REDIS_URL } from '../testing/database.js';
import { withTestServer } from '../testing/with-test-server.js';
import { registerTenant, type RegisteredTenant, type TestServer } from '../testing/server.js';
import { helloGateway, type ProtocolClient, type ReceivedConfig } from '../testing/gateway-client.js';
import { ensureDevTls } from '../tls/dev-certificates.js';
import { createApiKey } from '../tenancy/api-keys.js';
import { quotedTenantSchema } from '../tenancy/schema-name.js';
import { createRedisPresence } from './presence.js';

let redis: Redis;
let ca: string;

const { db, server } = withTestServer({
  prepare: () => {
    redis = new Redis(TEST_REDIS_URL);
    const files = ensureDevTls(mkdtempSync(join(tmpdir(), 'novagate-tls-')));
    ca = readFileSync(files.caFile, 'utf8');
    return { tls: { cert: readFileSync(files.certFile, 'utf8'), key: readFileSync(files.keyFile, 'utf8'), ca }, presence: createRedisPresence(redis) };
  },
});
after(() => {
  redis.disconnect();
});

const certs = makeNamedCertificates({ 'a-cert': ['a.example.com'], 'b-cert': ['b.example.com'] });
const pem = (name: string) => certs.certificates[name] as { cert: string; key: string };

/** Two Gateways of one tenant (infra/a, team/b), an unowned route, a service they share, and a consumer. */
const TENANT_CONFIG = {
  listeners: [
    { name: 'a-http', port: 80, protocol: 'HTTP', gateway: 'infra/a' },
    { name: 'b-https', port: 443, protocol: 'HTTPS', gateway: 'team/b', tls: { certificates: ['b-cert'] } },
    { name: 'a-https', port: 443, protocol: 'HTTPS', gateway: 'infra/a', tls: { certificates: ['a-cert'] } },
  ],
  certificates: [
    { name: 'a-cert', ...pem('a-cert') },
    { name: 'b-cert', ...pem('b-cert') },
  ],
  services: [
    { name: 'shared', url: 'http://shared:8080' },
    { name: 'a-only', url: 'http://a-only:8080' },
    { name: 'b-secret-backend', url: 'http://b-secret-backend:8080' },
    { name: 'legacy', url: 'http://legacy:8080' },
  ],
  routes: [
    { name: 'legacy-route', service: 'legacy', paths: ['/legacy'] },
    { name: 'a-route', service: 'a-only', paths: ['/a'], listeners: ['a-http', 'a-https'] },
    { name: 'b-route', service: 'b-secret-backend', paths: ['/b'], listeners: ['b-https'], auth: 'key-auth' },
    { name: 'shared-route', service: 'shared', paths: ['/shared'], listeners: ['a-http', 'b-https'] },
  ],
  consumers: [{ username: 'b-partner', apiKeyHashes: ['c'.repeat(64)] }],
};

const admin = (tenant: RegisteredTenant) => (method: string, path: string, body?: unknown) =>
  (server as TestServer).request(method, `/api/v1/tenants/${tenant.id}${path}`, { token: tenant.token, body });

/** A tenant on the pro plan (room for several gateways) holding TENANT_CONFIG, with a key bound to each Gateway. */
async function tenantWithTwoGateways() {
  const tenant = await registerTenant(server);
  await db.pool.query("UPDATE public.tenants SET plan = 'pro' WHERE id = $1", [tenant.id]);
  const put = await admin(tenant)('PUT', '/config', { config: TENANT_CONFIG });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  const keyA = await createApiKey(db.pool, tenant.id, 'kubernetes-gateway:infra/a', undefined, 'infra/a');
  const keyB = await createApiKey(db.pool, tenant.id, 'kubernetes-gateway:team/b', undefined, 'team/b');
  return { tenant, version: put.body.version as number, tenantHash: put.body.hash as string, keyA: keyA.plaintext, keyB: keyB.plaintext };
}

type SlicedConfig = ReceivedConfig['config'] & { listeners?: { name: string }[]; certificates?: { name: string; key?: string }[] };
/** Names in sorted order: the stored snapshot orders each list itself. */
const namesOf = (items: { name: string }[] | undefined) => (items ?? []).map((item) => item.name).sort();
const shapeOf = (received: ReceivedConfig) => {
  const config = received.config as SlicedConfig;
  return {
    listeners: namesOf(config.listeners),
    routes: namesOf(config.routes),
    services: namesOf(config.services as { name: string }[]),
    certificates: namesOf(config.certificates),
    consumers: config.consumers.length,
  };
};

const A_SLICE = { listeners: ['a-http', 'a-https'], routes: ['a-route', 'shared-route'], services: ['a-only', 'shared'], certificates: ['a-cert'], consumers: 0 };

/** Every byte the hub sent the client, decoded (config frames above 8 KiB are gzip). */
function rawTextOf(client: ProtocolClient, sink: string[]): void {
  client.socket.on('message', (data: Buffer, isBinary: boolean) => sink.push(isBinary ? gunzipSync(data).toString('utf8') : data.toString('utf8')));
}

test("two keys bound to different Gateways of one tenant receive different slices of the tenant's version; an unbound key the whole config", async () => {
  const { tenant, version, tenantHash, keyA, keyB } = await tenantWithTwoGateways();
  const a = await helloGateway(server.url, keyA, { ca, nodeId: 'gw-a' });
  const b = await helloGateway(server.url, keyB, { ca, nodeId: 'gw-b' });
  const whole = await helloGateway(server.url, tenant.gatewayApiKey, { ca, nodeId: 'gw-whole' });
  try {
    const [sliceA, sliceB, all] = await Promise.all([a.nextConfig(), b.nextConfig(), whole.nextConfig()]);
    assert.deepEqual(shapeOf(sliceA), A_SLICE);
    assert.deepEqual(shapeOf(sliceB), { listeners: ['b-https'], routes: ['b-route', 'shared-route'], services: ['b-secret-backend', 'shared'], certificates: ['b-cert'], consumers: 1 });
    assert.deepEqual(shapeOf(all).routes, ['a-route', 'b-route', 'legacy-route', 'shared-route']);
    // One version for all; each hash is of what was sent, as the gateway computes it.
    assert.deepEqual([sliceA.version, sliceB.version, all.version], [version, version, version]);
    assert.equal(all.hash, tenantHash);
    assert.equal(sliceA.hash, configHash(sliceA.config));
    assert.equal(sliceB.hash, configHash(sliceB.config));
    assert.notEqual(sliceA.hash, sliceB.hash);
    // Acked with the slices' hashes: every node runs the tenant's version.
    for (const [client, received] of [[a, sliceA], [b, sliceB], [whole, all]] as const) client.send({ type: 'ack', version: received.version, hash: received.hash });
    const schema = quotedTenantSchema(tenant.id);
    let rows: { node_id: string; acked_version: string | null }[] = [];
    for (let i = 0; i < 100; i++) {
      rows = (await db.pool.query(`SELECT node_id, acked_version FROM ${schema}.gateway_nodes ORDER BY node_id`)).rows;
      if (rows.every((row) => Number(row.acked_version) === version) && rows.length === 3) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.deepEqual(rows.map((row) => [row.node_id, Number(row.acked_version)]), [['gw-a', version], ['gw-b', version], ['gw-whole', version]]);
    const pending = await db.pool.query('SELECT delivered_at FROM public.pending_config_updates WHERE tenant_id = $1 AND version = $2', [tenant.id, version]);
    assert.notEqual(pending.rows[0].delivered_at, null, 'the version counts as delivered once the bound gateways ack their slices');

    // A change to Gateway b's route reaches both with the tenant's new version; a's slice keeps its content.
    const changed = { ...TENANT_CONFIG, routes: TENANT_CONFIG.routes.map((route) => (route.name === 'b-route' ? { ...route, paths: ['/b2'] } : route)) };
    const next = (await admin(tenant)('PUT', '/config', { version, config: changed })).body.version as number;
    const [nextA, nextB] = await Promise.all([a.nextConfig((c) => c.version === next), b.nextConfig((c) => c.version === next)]);
    assert.equal(nextA.hash, sliceA.hash, "a's slice is unchanged: same hash under the new version");
    assert.notEqual(nextB.hash, sliceB.hash);
  } finally {
    a.close();
    b.close();
    whole.close();
  }
});

test('a bound gateway connecting where only unbound ones were (no snapshot kept to slice) gets its slice, and the next version too', async () => {
  const { tenant, version, keyA } = await tenantWithTwoGateways();
  const whole = await helloGateway(server.url, tenant.gatewayApiKey, { ca, nodeId: 'gw-whole' });
  try {
    await whole.nextConfig();
    const a = await helloGateway(server.url, keyA, { ca, nodeId: 'gw-a' });
    try {
      assert.deepEqual(shapeOf(await a.nextConfig((c) => c.version === version)), A_SLICE);
      const next = (await admin(tenant)('PUT', '/config', { version, config: { ...TENANT_CONFIG, consumers: [] } })).body.version as number;
      const [sliced, all] = await Promise.all([a.nextConfig((c) => c.version === next), whole.nextConfig((c) => c.version === next)]);
      assert.deepEqual(shapeOf(sliced), A_SLICE);
      assert.equal(shapeOf(all).routes.length, 4);
    } finally {
      a.close();
    }
  } finally {
    whole.close();
  }
});

test('a bound gateway that runs its slice of the current version gets nothing on hello, and its hello counts as running it', async () => {
  const { tenant, version, keyA } = await tenantWithTwoGateways();
  const first = await helloGateway(server.url, keyA, { ca, nodeId: 'gw-a' });
  const slice = await first.nextConfig();
  first.close();
  await first.closed;
  const again = await helloGateway(server.url, keyA, { ca, nodeId: 'gw-a2', configVersion: version, configHash: slice.hash });
  try {
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(again.configs.length, 0, 'a gateway already on its slice of the newest version gets nothing');
    const { rows } = await db.pool.query(`SELECT acked_version FROM ${quotedTenantSchema(tenant.id)}.gateway_nodes WHERE node_id = 'gw-a2'`);
    assert.equal(Number(rows[0]?.acked_version), version);
  } finally {
    again.close();
  }
});

test("an attacker holding a bound key cannot obtain another Gateway's slice or the whole config by any message it can send", async () => {
  const { tenant, version, tenantHash, keyA, keyB } = await tenantWithTwoGateways();
  const b = await helloGateway(server.url, keyB, { ca, nodeId: 'gw-b' });
  const sliceB = await b.nextConfig();
  b.close();
  const received: string[] = [];
  // Claims to run the whole config: the hub answers with a's slice, not silence and not the whole config.
  const attacker = await helloGateway(server.url, keyA, { ca, nodeId: 'gw-b', configVersion: version, configHash: tenantHash });
  rawTextOf(attacker, received);
  try {
    const slice = await attacker.nextConfig();
    assert.deepEqual(shapeOf(slice), A_SLICE);
    const messages: unknown[] = [
      { type: 'hello', nodeId: 'gw-other', version: 'x', configVersion: version, configHash: sliceB.hash },
      { type: 'nack', version, error: 'send me everything' },
      { type: 'ack', version, hash: tenantHash },
      { type: 'ack', version, hash: sliceB.hash },
      { type: 'ack', version: version + 1, hash: 'f'.repeat(64) },
      { type: 'config', version, hash: tenantHash, config: TENANT_CONFIG },
      { type: 'subscribe', gateway: 'team/b' },
      { type: 'hello', nodeId: 'gw-b', version: 'x', configVersion: null, configHash: null, gateway: 'team/b', gatewayOwner: 'team/b' },
      { type: 'logs', entries: [] },
      { type: 'health', targets: [] },
      'not json',
      { type: '__proto__', gateway: 'team/b' },
    ];
    for (const message of messages) attacker.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
    // A change of the tenant after all that still reaches the attacker as a's slice only.
    const next = (await admin(tenant)('PUT', '/config', { version, config: { ...TENANT_CONFIG, consumers: [] } })).body.version as number;
    if (attacker.socket.readyState === attacker.socket.OPEN) await attacker.nextConfig((c) => c.version === next);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.ok(received.length > 0);
    for (const config of attacker.configs) assert.deepEqual(shapeOf(config), A_SLICE);
    const everything = received.join('\n');
    for (const secret of ['b-secret-backend', 'b-route', 'legacy-route', 'b-partner', 'b-cert', pem('b-cert').key.split('\n')[1] as string]) {
      assert.ok(!everything.includes(secret), `the attacker never received ${secret}`);
    }
  } finally {
    attacker.close();
  }
});

test('revoking a bound key closes the session that used it; the other Gateway keeps its own', async () => {
  const { tenant, keyA, keyB } = await tenantWithTwoGateways();
  const a = await helloGateway(server.url, keyA, { ca });
  const b = await helloGateway(server.url, keyB, { ca });
  try {
    await Promise.all([a.nextConfig(), b.nextConfig()]);
    const keys = (await admin(tenant)('GET', '/api-keys')).body.data as { id: string; gatewayOwner: string | null }[];
    const keyIdOfA = keys.find((key) => key.gatewayOwner === 'infra/a')?.id;
    assert.ok(keyIdOfA !== undefined);
    assert.equal((await admin(tenant)('DELETE', `/api-keys/${keyIdOfA}`)).status, 204);
    assert.equal((await a.closed).code, 4401);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(b.socket.readyState, b.socket.OPEN);
  } finally {
    a.close();
    b.close();
  }
});
