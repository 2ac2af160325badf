// A gateway key that floods the hub (issue 12, item 5): the queue, rows, writes and shutdown stay bounded.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Registry } from 'prom-client';
import { withTestServer } from '../testing/with-test-server.js';
import { registerTenant, startTestServer, type TestServer } from '../testing/server.js';
import { helloGateway, type ProtocolClient } from '../testing/gateway-client.js';
import { quotedTenantSchema } from '../tenancy/schema-name.js';
import { DEFAULT_HUB_PROTECTION, type HubProtection } from './hub.js';

const QUOTA = 3_000;
const unlimited = { perSecond: 1_000_000, burst: 1_000_000 };
// Small queues so the bound shows; message rates out of the way so acks arrive as fast as the socket allows.
const protection: Partial<HubProtection> = {
  queue: { maxMessages: 4, maxBytes: 512 * 1024, hardMaxBytes: 4 * 1024 * 1024 },
  rates: { ...DEFAULT_HUB_PROTECTION.rates, connectionMessages: unlimited, tenantMessages: unlimited },
  drainMs: 1_000,
};

const { db, server, ready } = withTestServer({ hubProtection: protection });
before(async () => {
  await ready;
  await db.pool.query('UPDATE public.plans SET telemetry_rows_per_day = $1 WHERE name = $2', [QUOTA, 'free']);
});

async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) return 0;
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, want]) => (v.labels as Record<string, unknown>)[k] === want))
    .reduce((sum, v) => sum + v.value, 0);
}

const batch = (size: number) => ({
  type: 'logs',
  entries: Array.from({ length: size }, (_, i) => ({
    requestId: `flood-${i}-${'x'.repeat(100)}`,
    method: 'GET',
    pathTemplate: '/flood/:id',
    status: 200,
    latencyMs: 1.5,
    route: 'flood',
    time: new Date().toISOString(),
  })),
});

/** Sends `count` copies of `message` as fast as the socket takes them (TCP pushes back when the hub stops reading). */
async function flood(client: ProtocolClient, count: number, message: (i: number) => unknown): Promise<void> {
  for (let i = 0; i < count; i++) {
    const sent = new Promise<void>((resolve) => client.socket.send(JSON.stringify(message(i)), () => resolve()));
    if (i % 50 === 49 || i === count - 1) await sent;
  }
}

async function connected(server: TestServer, key: string, nodeId: string): Promise<ProtocolClient> {
  const gateway = await helloGateway(server.url, key, { nodeId });
  await gateway.nextConfig();
  return gateway;
}

test('a logs flood keeps the inbound queue bounded (the socket is paused) and writes no more rows than the plan quota', async () => {
  const tenant = await registerTenant(server);
  const gateway = await connected(server, tenant.gatewayApiKey, 'flooder');
  const { registry } = server.controlPlane.metrics;
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, server.controlPlane.hub.inboundQueued())), 2);
  try {
    await flood(gateway, 400, () => batch(500)); // 200,000 entries, ~30 MB
    while (server.controlPlane.hub.inboundQueued() > 0) await new Promise((r) => setTimeout(r, 20));
  } finally {
    clearInterval(sampler);
    gateway.close();
  }
  assert.ok(peak <= 16, `queue peaked at ${peak} messages`);
  assert.ok((await metricValue(registry, 'novagate_hub_socket_pauses_total')) > 0, 'the socket was paused');
  const { rows } = await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${quotedTenantSchema(tenant.id)}.request_logs`);
  assert.equal(Number(rows[0]?.n), QUOTA);
  const dropped = (await metricValue(registry, 'novagate_hub_log_entries_dropped_total', { reason: 'quota' })) +
    (await metricValue(registry, 'novagate_hub_log_entries_dropped_total', { reason: 'connection_rate' })) +
    (await metricValue(registry, 'novagate_hub_log_entries_dropped_total', { reason: 'tenant_rate' }));
  assert.ok(dropped >= 200_000 - QUOTA - 500 * 16, `dropped ${dropped} entries`);
});

test('an ack flood is coalesced per node: few writes, and the newest ack is the one recorded', async () => {
  const tenant = await registerTenant(server);
  const gateway = await connected(server, tenant.gatewayApiKey, 'acker');
  const { registry } = server.controlPlane.metrics;
  const before = await metricValue(registry, 'novagate_hub_reports_coalesced_total', { type: 'ack' });
  const acks = 20_000;
  const hash = 'a'.repeat(64);
  try {
    await flood(gateway, acks, (i) => ({ type: 'ack', version: i + 1, hash }));
    const schema = quotedTenantSchema(tenant.id);
    for (let i = 0; i < 200; i++) {
      const { rows } = await db.pool.query<{ v: string | null }>(`SELECT acked_version AS v FROM ${schema}.gateway_nodes WHERE node_id = 'acker'`);
      if (rows[0]?.v === String(acks)) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const { rows } = await db.pool.query(`SELECT acked_version, acked_hash FROM ${schema}.gateway_nodes WHERE node_id = 'acker'`);
    assert.deepEqual(rows, [{ acked_version: String(acks), acked_hash: hash }]);
  } finally {
    gateway.close();
  }
  const coalesced = (await metricValue(registry, 'novagate_hub_reports_coalesced_total', { type: 'ack' })) - before;
  assert.ok(acks - coalesced < acks / 10, `${acks - coalesced} of ${acks} acks were written`);
});

test('a nack flood logs and counts each refused version once and records the newest', async () => {
  const tenant = await registerTenant(server);
  const gateway = await connected(server, tenant.gatewayApiKey, 'nacker');
  const { registry } = server.controlPlane.metrics;
  const before = await metricValue(registry, 'novagate_config_nacks_total');
  const linesBefore = server.logLines.filter((line) => line.includes('gateway refused a config version') && line.includes(tenant.id)).length;
  try {
    await flood(gateway, 10_000, (i) => ({ type: 'nack', version: i < 9_999 ? 7 : 8, error: 'e'.repeat(4_000) }));
    const schema = quotedTenantSchema(tenant.id);
    for (let i = 0; i < 200; i++) {
      const { rows } = await db.pool.query<{ v: string | null }>(`SELECT last_nack_version AS v FROM ${schema}.gateway_nodes WHERE node_id = 'nacker'`);
      if (rows[0]?.v === '8') break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const { rows } = await db.pool.query(`SELECT last_nack_version FROM ${schema}.gateway_nodes WHERE node_id = 'nacker'`);
    assert.deepEqual(rows, [{ last_nack_version: '8' }]);
  } finally {
    gateway.close();
  }
  assert.equal((await metricValue(registry, 'novagate_config_nacks_total')) - before, 2);
  const lines = server.logLines.filter((line) => line.includes('gateway refused a config version') && line.includes(tenant.id)).length;
  assert.equal(lines - linesBefore, 2);
});

test('shutdown with a flood in progress drops the backlog (counted) and ends within the drain bound', async () => {
  const slow = { perSecond: 50, burst: 50 };
  const own = await startTestServer({
    db,
    hubProtection: { ...protection, rates: { ...DEFAULT_HUB_PROTECTION.rates, connectionMessages: slow, tenantMessages: slow } },
  });
  const tenant = await registerTenant(own);
  const gateway = await connected(own, tenant.gatewayApiKey, 'flooder-at-shutdown');
  // 50 messages a second per connection: 600 messages are a backlog of over ten seconds.
  const flooding = flood(gateway, 600, () => ({ type: 'ack', version: 1, hash: 'b'.repeat(64) })).catch(() => undefined);
  while (own.controlPlane.hub.inboundQueued() < 4) await new Promise((r) => setTimeout(r, 10));
  const started = performance.now();
  await own.close();
  const elapsedMs = performance.now() - started;
  await flooding;
  gateway.close();
  const dropped = await metricValue(own.controlPlane.metrics.registry, 'novagate_hub_messages_dropped_total', { reason: 'shutdown' });
  assert.ok(dropped > 0, 'queued messages were dropped and counted');
  // Generous: the drain bound is 1 s here; before this change close() waited for the whole backlog.
  assert.ok(elapsedMs < 5_000, `closed in ${elapsedMs.toFixed(0)} ms`);
});
