// The gateway's `health` telemetry (DESIGN §10, issue 16) through a real WebSocket into gateway_nodes and out of
// GET /gateways, and the compatibility rule beside it: a message type the control plane does not know is
// counted and ignored, while a malformed message of a known type still closes the connection (1008).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Registry } from 'prom-client';
import { MAX_HEALTH_TARGETS } from '@novagate/gateway/protocol';
import { withTestServer } from '../testing/with-test-server.js';
import { registerTenant, type RegisteredTenant } from '../testing/server.js';
import { helloGateway, type ProtocolClient } from '../testing/gateway-client.js';
import { quotedTenantSchema } from '../tenancy/schema-name.js';
import { recordUnhealthyTargets } from '../tenancy/gateway-nodes.js';
import { MAX_UNHEALTHY_TARGETS_PER_NODE } from './unhealthy-targets.js';

const { db, server } = withTestServer();

interface GatewayView {
  nodeId: string;
  configVersion: number | null;
  unhealthyTargets: { service: string; target: string }[];
}

const gateways = async (tenant: RegisteredTenant): Promise<GatewayView[]> =>
  (await server.request('GET', `/api/v1/tenants/${tenant.id}/gateways`, { token: tenant.token })).body.data;

/** Polls GET /gateways until `done` holds for the node (the hub writes reports in the background). */
async function nodeWhen(tenant: RegisteredTenant, nodeId: string, done: (node: GatewayView) => boolean): Promise<GatewayView> {
  let node: GatewayView | undefined;
  for (let i = 0; i < 250; i++) {
    node = (await gateways(tenant)).find((n) => n.nodeId === nodeId);
    if (node !== undefined && done(node)) return node;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`node ${nodeId} never reached the expected state; last seen ${JSON.stringify(node)}`);
}

async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) return 0;
  const { values } = await metric.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, want]) => (v.labels as Record<string, unknown>)[k] === want))
    .reduce((sum, v) => sum + v.value, 0);
}

async function connected(tenant: RegisteredTenant, nodeId: string): Promise<ProtocolClient> {
  const gateway = await helloGateway(server.url, tenant.gatewayApiKey, { nodeId });
  await gateway.nextConfig();
  return gateway;
}

const target = (service: string, t: string, healthy: boolean) => ({ service, target: t, healthy });

test('GET /gateways shows the targets a node reports unhealthy, each report replacing the last, and [] for a node that never reported', async () => {
  const tenant = await registerTenant(server);
  const quiet = await connected(tenant, 'quiet');
  const reporting = await connected(tenant, 'reporting');
  try {
    reporting.send({
      type: 'health',
      targets: [target('users', '10.0.0.1:8080', true), target('users', '10.0.0.2:8080', false), target('orders', 'orders:80', false)],
    });
    const node = await nodeWhen(tenant, 'reporting', (n) => n.unhealthyTargets.length === 2);
    assert.deepEqual(node.unhealthyTargets, [
      { service: 'orders', target: 'orders:80' },
      { service: 'users', target: '10.0.0.2:8080' },
    ]);
    assert.deepEqual((await nodeWhen(tenant, 'quiet', () => true)).unhealthyTargets, []);
    // A report holds every target of the node's config: one that recovered is healthy in it, and a service the
    // config dropped (orders) is simply not in it any more.
    reporting.send({ type: 'health', targets: [target('users', '10.0.0.1:8080', false), target('users', '10.0.0.2:8080', true)] });
    const next = await nodeWhen(tenant, 'reporting', (n) => n.unhealthyTargets[0]?.target === '10.0.0.1:8080');
    assert.deepEqual(next.unhealthyTargets, [{ service: 'users', target: '10.0.0.1:8080' }]);
    reporting.send({ type: 'health', targets: [] });
    await nodeWhen(tenant, 'reporting', (n) => n.unhealthyTargets.length === 0);
    assert.equal(reporting.socket.readyState, reporting.socket.OPEN);
  } finally {
    quiet.close();
    reporting.close();
  }
});

test("a node's reconnection starts with no unhealthy targets until it reports again", async () => {
  const tenant = await registerTenant(server);
  const first = await connected(tenant, 'flapping');
  first.send({ type: 'health', targets: [target('users', 'users:80', false)] });
  await nodeWhen(tenant, 'flapping', (n) => n.unhealthyTargets.length === 1);
  first.close();
  await first.closed;
  const second = await connected(tenant, 'flapping');
  try {
    const { rows } = await db.pool.query(`SELECT unhealthy_targets FROM ${quotedTenantSchema(tenant.id)}.gateway_nodes WHERE node_id = 'flapping'`);
    assert.deepEqual(rows, [{ unhealthy_targets: [] }]);
  } finally {
    second.close();
  }
});

test("a write of a connection that no longer holds the node's lease (replaced) leaves its successor's report alone", async () => {
  const tenant = await registerTenant(server);
  const gateway = await connected(tenant, 'successor');
  try {
    gateway.send({ type: 'health', targets: [target('users', 'new:80', false)] });
    await nodeWhen(tenant, 'successor', (n) => n.unhealthyTargets.length === 1);
    const schema = quotedTenantSchema(tenant.id);
    const { rows: [lease] } = await db.pool.query(`SELECT lease_holder FROM ${schema}.gateway_nodes WHERE node_id = 'successor'`);
    await recordUnhealthyTargets(db.pool, tenant.id, 'successor', 'an-earlier-connection', [{ service: 'users', target: 'old:80' }]);
    const { rows } = await db.pool.query(`SELECT unhealthy_targets FROM ${schema}.gateway_nodes WHERE node_id = 'successor'`);
    assert.deepEqual(rows, [{ unhealthy_targets: [{ service: 'users', target: 'new:80' }] }]);
    await recordUnhealthyTargets(db.pool, tenant.id, 'successor', lease.lease_holder, []);
    await nodeWhen(tenant, 'successor', (n) => n.unhealthyTargets.length === 0);
  } finally {
    gateway.close();
  }
});

test('a message of a type the control plane does not know is counted by type and ignored; the connection keeps working', async () => {
  const tenant = await registerTenant(server);
  const gateway = await connected(tenant, 'newer');
  const { registry } = server.controlPlane.metrics;
  const before = await metricValue(registry, 'novagate_hub_unknown_messages_total', { type: 'metrics' });
  const otherBefore = await metricValue(registry, 'novagate_hub_unknown_messages_total', { type: 'other' });
  try {
    gateway.send({ type: 'metrics', samples: [{ name: 'x', value: 1 }], anything: { goes: true } });
    gateway.send({ type: 'Not A Type Name'.repeat(10) });
    gateway.send({ type: 'health', targets: [target('users', 'users:80', false)] });
    await nodeWhen(tenant, 'newer', (n) => n.unhealthyTargets.length === 1);
    assert.equal((await metricValue(registry, 'novagate_hub_unknown_messages_total', { type: 'metrics' })) - before, 1);
    assert.equal((await metricValue(registry, 'novagate_hub_unknown_messages_total', { type: 'other' })) - otherBefore, 1);
    assert.equal(gateway.socket.readyState, gateway.socket.OPEN);
  } finally {
    gateway.close();
  }
});

test('a malformed health message (a known type) still closes the connection with 1008 and stores nothing', async () => {
  const tenant = await registerTenant(server);
  const cases: unknown[] = [
    { type: 'health', targets: [{ service: 'users', target: 'users:80' }] },
    { type: 'health', targets: [{ service: 'users', target: 'users:80', healthy: 'no' }] },
    { type: 'health', targets: [{ service: 'users', target: 'users:80', healthy: false, extra: 1 }] },
    { type: 'health', targets: [{ service: 'u'.repeat(257), target: 'users:80', healthy: false }] },
    { type: 'health', targets: Array.from({ length: MAX_HEALTH_TARGETS + 1 }, (_, i) => target('s', `t${i}:1`, true)) },
    { type: 'health' },
  ];
  for (const [index, message] of cases.entries()) {
    const gateway = await connected(tenant, `malformed-${index}`);
    gateway.send(message);
    const closed = await gateway.closed;
    assert.equal(closed.code, 1008, JSON.stringify(message).slice(0, 200));
  }
  const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM ${quotedTenantSchema(tenant.id)}.gateway_nodes WHERE unhealthy_targets <> '[]'`);
  assert.equal(rows[0].n, 0);
});

test('health before hello closes the connection like every other report', async () => {
  const tenant = await registerTenant(server);
  const { connectGateway } = await import('../testing/gateway-client.js');
  const gateway = await connectGateway(server.url, tenant.gatewayApiKey);
  gateway.send({ type: 'health', targets: [target('users', 'users:80', false)] });
  const closed = await gateway.closed;
  assert.equal(closed.code, 1008);
  assert.match(closed.reason, /hello must come first/);
});

test('a node keeps at most 1,000 unhealthy targets of a report, the rest counted', async () => {
  const tenant = await registerTenant(server);
  const gateway = await connected(tenant, 'many-targets');
  const { registry } = server.controlPlane.metrics;
  const droppedBefore = await metricValue(registry, 'novagate_hub_unhealthy_targets_dropped_total');
  const unhealthy = MAX_UNHEALTHY_TARGETS_PER_NODE + 500;
  try {
    gateway.send({ type: 'health', targets: Array.from({ length: unhealthy }, (_, i) => target('s', `t${i}:1`, false)) });
    const node = await nodeWhen(tenant, 'many-targets', (n) => n.unhealthyTargets.length > 0);
    assert.equal(node.unhealthyTargets.length, MAX_UNHEALTHY_TARGETS_PER_NODE);
    assert.equal((await metricValue(registry, 'novagate_hub_unhealthy_targets_dropped_total')) - droppedBefore, 500);
    const { rows } = await db.pool.query(`SELECT jsonb_array_length(unhealthy_targets) AS n FROM ${quotedTenantSchema(tenant.id)}.gateway_nodes WHERE node_id = 'many-targets'`);
    assert.deepEqual(rows, [{ n: MAX_UNHEALTHY_TARGETS_PER_NODE }]);
  } finally {
    gateway.close();
  }
});

test('a health flood is coalesced into few writes, and the newest report is the one stored', async () => {
  const tenant = await registerTenant(server);
  const gateway = await connected(tenant, 'flooding');
  const { registry } = server.controlPlane.metrics;
  const writtenBefore = await metricValue(registry, 'novagate_hub_reports_written_total', { type: 'health' });
  const reports = 2_000;
  try {
    for (let i = 0; i < reports; i++) gateway.send({ type: 'health', targets: [target('s', `t${i}:1`, false)] });
    const last = `t${reports - 1}:1`;
    const node = await nodeWhen(tenant, 'flooding', (n) => n.unhealthyTargets[0]?.target === last);
    assert.deepEqual(node.unhealthyTargets, [{ service: 's', target: last }]);
    const written = (await metricValue(registry, 'novagate_hub_reports_written_total', { type: 'health' })) - writtenBefore;
    assert.ok(written < reports / 10, `${written} writes for ${reports} reports`);
  } finally {
    gateway.close();
  }
});
