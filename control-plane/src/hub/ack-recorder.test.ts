import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Pool } from '../db/pool.js';
import { withTransaction } from '../db/pool.js';
import { observedPool } from '../testing/counting-pool.js';
import { withTestDatabase } from '../testing/with-test-server.js';
import { provisionTenant } from '../tenancy/provision.js';
import { quotedTenantSchema } from '../tenancy/schema-name.js';
import { createAckRecorder, deliveredThrough } from './ack-recorder.js';
import { recordHello } from '../tenancy/gateway-nodes.js';
import { createMemoryPresence, type Presence } from './presence.js';

const { db } = withTestDatabase();

const HASH = 'c'.repeat(64);
const entry = (configVersion: number | null) => ({ lastSeen: new Date().toISOString(), configVersion, configHash: configVersion === null ? null : HASH });

/** A tenant with `nodes` gateway_nodes rows and pending updates for versions 1 (its first) to 3. */
async function tenantWithNodes(nodes: number): Promise<{ tenantId: string; nodeIds: string[] }> {
  const tenantId = await withTransaction(db.pool, async (client) => {
    const tenant = await provisionTenant(client, { name: 'Acks', plan: 'free', ownerEmail: `${randomUUID()}@example.com`, passwordHash: null });
    return tenant.id;
  });
  await db.pool.query('INSERT INTO public.pending_config_updates (tenant_id, version) VALUES ($1, 2), ($1, 3)', [tenantId]);
  const nodeIds = Array.from({ length: nodes }, (_, i) => `node-${i}`);
  for (const nodeId of nodeIds) await recordHello(db.pool, tenantId, nodeId, 'test');
  return { tenantId, nodeIds };
}

/** The pool, counting the statements that reach it. */
function counted(): { db: Pool; statements: string[] } {
  const statements: string[] = [];
  return { statements, db: observedPool(db.pool, (text) => void statements.push(text)) };
}

async function ackedVersions(tenantId: string): Promise<Map<string, number | null>> {
  const { rows } = await db.pool.query<{ node_id: string; acked_version: string | null }>(
    `SELECT node_id, acked_version FROM ${quotedTenantSchema(tenantId)}.gateway_nodes ORDER BY node_id`,
  );
  return new Map(rows.map((r) => [r.node_id, r.acked_version === null ? null : Number(r.acked_version)]));
}

async function deliveredVersions(tenantId: string): Promise<number[]> {
  const { rows } = await db.pool.query<{ version: string }>(
    'SELECT version FROM public.pending_config_updates WHERE tenant_id = $1 AND delivered_at IS NOT NULL ORDER BY version',
    [tenantId],
  );
  return rows.map((r) => Number(r.version));
}

test('versions are delivered up to the lowest version every online node runs', () => {
  assert.equal(deliveredThrough([entry(3), entry(2), entry(5)]), 2);
  assert.equal(deliveredThrough([entry(3), entry(null)]), null, 'a node without config holds everything back');
  assert.equal(deliveredThrough([]), null);
});

test('acks of one tenant that arrive together are written in one statement and all land', async () => {
  const { tenantId, nodeIds } = await tenantWithNodes(10);
  const presence = createMemoryPresence();
  const { db: countingDb, statements } = counted();
  const recorder = createAckRecorder(countingDb, presence);
  await Promise.all(nodeIds.map((nodeId) => recorder.record(tenantId, { nodeId, version: 3, hash: HASH }, entry(3))));
  assert.equal(statements.length, 1);
  assert.deepEqual([...(await ackedVersions(tenantId)).values()], nodeIds.map(() => 3));
  assert.deepEqual(await deliveredVersions(tenantId), [1, 2, 3]);
  const online = await presence.online(tenantId);
  assert.deepEqual([...online.keys()].sort(), nodeIds);
  assert.ok([...online.values()].every((e) => e.configVersion === 3));
});

/** The pool, holding each statement until the test releases it. */
function gated(): { db: Pool; statements: string[]; release(): void } {
  const statements: string[] = [];
  const releases: (() => void)[] = [];
  let released = 0;
  return {
    statements,
    release() {
      released += 1;
      releases.shift()?.();
    },
    db: observedPool(db.pool, async (text) => {
      statements.push(text);
      if (statements.length > released) await new Promise<void>((resolve) => releases.push(resolve));
    }),
  };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 2));
  assert.ok(condition());
}

test('acks that arrive while a batch is being written go in the next batch, and nothing is delivered before every node acked', async () => {
  const { tenantId, nodeIds } = await tenantWithNodes(4);
  const presence = createMemoryPresence();
  const gate = gated();
  const recorder = createAckRecorder(gate.db, presence);
  // Two other nodes are online (hello) but run no version yet.
  await presence.markMany(tenantId, new Map(nodeIds.slice(2).map((nodeId) => [nodeId, entry(null)])));
  const firstTwo = nodeIds.slice(0, 2).map((nodeId) => recorder.record(tenantId, { nodeId, version: 2, hash: HASH }, entry(2)));
  await until(() => gate.statements.length === 1);
  const lastTwo = nodeIds.slice(2).map((nodeId) => recorder.record(tenantId, { nodeId, version: 3, hash: HASH }, entry(3)));
  gate.release();
  await Promise.all(firstTwo);
  assert.deepEqual([...(await ackedVersions(tenantId)).values()], [2, 2, null, null]);
  assert.deepEqual(await deliveredVersions(tenantId), [], 'two online nodes had not acked yet');
  await until(() => gate.statements.length === 2);
  gate.release();
  await Promise.all(lastTwo);
  assert.equal(gate.statements.length, 2);
  assert.deepEqual([...(await ackedVersions(tenantId)).values()], [2, 2, 3, 3]);
  assert.deepEqual(await deliveredVersions(tenantId), [1, 2]);
});

test('a failed batch rejects its own acks only; the next batch is written', async () => {
  const { tenantId } = await tenantWithNodes(2);
  let fail = true;
  const flaky = observedPool(db.pool, () => {
    if (fail) throw new Error('connection lost');
  });
  const recorder = createAckRecorder(flaky, createMemoryPresence());
  await assert.rejects(recorder.record(tenantId, { nodeId: 'node-0', version: 2, hash: HASH }, entry(2)), /connection lost/);
  fail = false;
  await recorder.record(tenantId, { nodeId: 'node-1', version: 2, hash: HASH }, entry(2));
  assert.deepEqual([...(await ackedVersions(tenantId)).values()], [null, 2]);
});

test('with presence (Redis) failing, acks still reach gateway_nodes and nothing is marked delivered', async () => {
  const { tenantId } = await tenantWithNodes(1);
  const memory = createMemoryPresence();
  const down: Presence = { ...memory, markMany: () => Promise.reject(new Error('redis down')) };
  const recorder = createAckRecorder(db.pool, down);
  await assert.rejects(recorder.record(tenantId, { nodeId: 'node-0', version: 3, hash: HASH }, entry(3)), /redis down/);
  assert.deepEqual([...(await ackedVersions(tenantId)).values()], [3]);
  assert.deepEqual(await deliveredVersions(tenantId), []);
});
