import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { withTransaction } from '../db/pool.js';
import { withTestDatabase } from '../testing/with-test-server.js';
import { helloGateway } from '../testing/gateway-client.js';
import { registerTenant, startTestServer } from '../testing/server.js';
import { provisionTenant } from '../tenancy/provision.js';
import { quotedTenantSchema } from '../tenancy/schema-name.js';
import { tenantStatement, UnknownTenantError, withTenantTransaction } from '../tenancy/tenant-transaction.js';
import { newestTenantConfig } from '../tenancy/gateway-config.js';
import { leasedNodes, releaseLease, renewLeases } from '../tenancy/gateway-leases.js';
import { recordAcks, recordHello, recordNack } from '../tenancy/gateway-nodes.js';
import { planTelemetryLimit } from '../tenancy/telemetry-quota.js';
import { deleteExpiredBatch } from '../tenancy/telemetry-retention.js';
import { storeErrorEvents, storeRequestLogsWithinQuota } from '../tenancy/telemetry-store.js';
import { admitGateway } from './admission.js';
import { createAckRecorder } from './ack-recorder.js';
import { createMemoryPresence } from './presence.js';

const { db } = withTestDatabase();

const HASH = 'd'.repeat(64);
const PERMISSION_DENIED = (error: { code?: string }) => error.code === '42501';

async function newTenant(): Promise<string> {
  return withTransaction(db.pool, async (client) => {
    const tenant = await provisionTenant(client, { name: 'Hub role', plan: 'free', ownerEmail: `${randomUUID()}@example.com`, passwordHash: null });
    return tenant.id;
  });
}

const roleOf = async (tenantId: string) =>
  (await db.pool.query<{ role: string }>('SELECT public.novagate_tenant_role($1) AS role', [tenantId])).rows[0]?.role as string;
const baseRole = async () => (await db.pool.query<{ base: string }>('SELECT public.novagate_role_prefix() AS base')).rows[0]?.base as string;

/**
 * Runs `write` with `privilege` revoked from `grantee` (the application role, which owns every table, keeps
 * all of its own): it must fail with permission denied, proving it ran as the tenant role; with the privilege
 * given back it succeeds.
 */
async function refusedWithout(privilege: string, grantee: string, write: () => Promise<unknown>): Promise<void> {
  await db.pool.query(`REVOKE ${privilege} FROM "${grantee}"`);
  try {
    await assert.rejects(write(), PERMISSION_DENIED, privilege);
  } finally {
    await db.pool.query(`GRANT ${privilege} TO "${grantee}"`);
  }
  await write();
}

const log = (i: number) => ({
  requestId: `r-${i}`,
  method: 'GET',
  pathTemplate: '/x',
  status: 200,
  latencyMs: 1,
  route: 'r',
  time: new Date().toISOString(),
});

test("the hub's gateway_nodes writes and reads run as the tenant role: revoking the role's privilege breaks each", async () => {
  const tenantId = await newTenant();
  const role = await roleOf(tenantId);
  const nodes = `${quotedTenantSchema(tenantId)}.gateway_nodes`;
  await refusedWithout(`INSERT ON ${nodes}`, role, () => recordHello(db.pool, tenantId, 'n1', 'test'));
  await refusedWithout(`UPDATE ON ${nodes}`, role, () => recordNack(db.pool, tenantId, 'n1', 1, 'bad'));
  await refusedWithout(`UPDATE ON ${nodes}`, role, () => recordAcks(db.pool, tenantId, [{ nodeId: 'n1', version: 1, hash: HASH }], null));
  const request = { tenantId, nodeId: 'n2', softwareVersion: 'test', connectionId: randomUUID(), leaseMs: 60_000 };
  await refusedWithout(`INSERT ON ${nodes}`, role, () => admitGateway(db.pool, request));
  await refusedWithout(`UPDATE ON ${nodes}`, role, () => renewLeases(db.pool, tenantId, [{ nodeId: 'n2', connectionId: request.connectionId }], 60_000));
  await refusedWithout(`SELECT ON ${nodes}`, role, () => leasedNodes(db.pool, tenantId));
  await refusedWithout(`UPDATE ON ${nodes}`, role, () => releaseLease(db.pool, tenantId, 'n2', request.connectionId));
});

test("the hub's telemetry writes, quota, config read and retention batches run as the tenant role", async () => {
  const tenantId = await newTenant();
  const role = await roleOf(tenantId);
  const schema = quotedTenantSchema(tenantId);
  const event = { code: 'upstream_timeout', service: 's', count: 1, time: new Date().toISOString() };
  await refusedWithout(`INSERT ON ${schema}.request_logs`, role, () => storeRequestLogsWithinQuota(db.pool, tenantId, 'n1', [log(1)], '2026-03-01', null));
  await refusedWithout(`INSERT ON ${schema}.error_events`, role, () => storeErrorEvents(db.pool, tenantId, [event]));
  await refusedWithout(`UPDATE ON ${schema}.telemetry_usage`, role, () =>
    storeRequestLogsWithinQuota(db.pool, tenantId, 'n1', [log(2)], '2026-03-01', 1_000),
  );
  await refusedWithout(`SELECT ON ${schema}.config_versions`, role, () => newestTenantConfig(db.pool, tenantId, null));
  await refusedWithout(`DELETE ON ${schema}.request_logs`, role, () => deleteExpiredBatch(db.pool, tenantId, 'request_logs', 7, 100));
  // The plan lookup reads the tenant row as the tenant: the base role's column grant is what allows it.
  await refusedWithout('SELECT (plan) ON public.tenants', await baseRole(), () => planTelemetryLimit(db.pool, tenantId));
});

test("an ack batch marks the tenant's own pending updates delivered as the tenant role, and cannot touch another tenant's", async () => {
  const tenantId = await newTenant();
  const other = await newTenant();
  await recordHello(db.pool, tenantId, 'n1', 'test');
  const recorder = createAckRecorder(db.pool, createMemoryPresence());
  const entry = { lastSeen: new Date().toISOString(), configVersion: 1, configHash: HASH };
  // delivered_at is the one column of pending_config_updates the base role may set (public migration 006).
  await refusedWithout('UPDATE (delivered_at) ON public.pending_config_updates', await baseRole(), () =>
    recorder.record(tenantId, { nodeId: 'n1', version: 1, hash: HASH }, entry),
  );
  const delivered = await db.pool.query('SELECT 1 FROM public.pending_config_updates WHERE tenant_id = $1 AND delivered_at IS NOT NULL', [tenantId]);
  assert.equal(delivered.rowCount, 1);
  await withTenantTransaction(db.pool, tenantId, async (client) => {
    const touched = await client.query('UPDATE public.pending_config_updates SET delivered_at = now() WHERE tenant_id = $1', [other]);
    assert.equal(touched.rowCount, 0, "row-level security hides the other tenant's pending updates");
  });
  for (const statement of ['UPDATE public.pending_config_updates SET version = version + 1', 'DELETE FROM public.pending_config_updates']) {
    await assert.rejects(
      withTenantTransaction(db.pool, tenantId, (client) => client.query(statement)),
      PERMISSION_DENIED,
      statement,
    );
  }
  const untouched = await db.pool.query('SELECT 1 FROM public.pending_config_updates WHERE tenant_id = $1 AND delivered_at IS NOT NULL', [other]);
  assert.equal(untouched.rowCount, 0);
});

test('admission locks the tenant row as the tenant role: without the UPDATE (updated_at) grant the lock is refused', async () => {
  const tenantId = await newTenant();
  const request = { tenantId, nodeId: 'n1', softwareVersion: 'test', connectionId: randomUUID(), leaseMs: 60_000 };
  await refusedWithout('UPDATE (updated_at) ON public.tenants', await baseRole(), () => admitGateway(db.pool, request));
});

test("a live hub admits a gateway as the tenant role: with the role's privilege revoked the hello is refused, with it back it is served", async () => {
  const server = await startTestServer({ db });
  try {
    const tenant = await registerTenant(server, 'Hub Role Tenant');
    const role = await roleOf(tenant.id);
    const privilege = `INSERT, UPDATE ON ${quotedTenantSchema(tenant.id)}.gateway_nodes`;
    await db.pool.query(`REVOKE ${privilege} FROM "${role}"`);
    try {
      const refused = await helloGateway(server.url, tenant.gatewayApiKey, { nodeId: 'refused' });
      // Whichever comes first: a config (admitted, as the application role would have) or the close.
      const outcome = await Promise.race([
        refused.closed.then(({ code }) => `closed ${code}`),
        refused.nextConfig(() => true, 15_000).then(() => 'admitted', () => 'neither'),
      ]);
      refused.close();
      assert.equal(outcome, 'closed 1013', 'the application role (the owner) would have admitted it');
    } finally {
      await db.pool.query(`GRANT ${privilege} TO "${role}"`);
    }
    const served = await helloGateway(server.url, tenant.gatewayApiKey, { nodeId: 'served' });
    try {
      assert.equal((await served.nextConfig()).version, 1);
    } finally {
      served.close();
    }
  } finally {
    await server.close();
  }
});

test('a one-round-trip tenant statement runs as the role, commits, and leaves its connection clean after success and errors', async () => {
  const tenantId = await newTenant();
  const other = await newTenant();
  const pool = new pg.Pool({ connectionString: db.url, max: 1 });
  try {
    const who = await tenantStatement<{ role: string; tenant: string }>(pool, tenantId, "SELECT current_user AS role, current_setting('novagate.tenant_id') AS tenant", []);
    assert.deepEqual(who.rows, [{ role: await roleOf(tenantId), tenant: tenantId }]);
    await tenantStatement(pool, tenantId, `INSERT INTO ${quotedTenantSchema(tenantId)}.gateway_nodes (node_id) VALUES ($1)`, ['committed']);
    await assert.rejects(tenantStatement(pool, tenantId, `SELECT * FROM ${quotedTenantSchema(other)}.gateway_nodes`, []), PERMISSION_DENIED);
    await assert.rejects(tenantStatement(pool, randomUUID(), 'SELECT 1', []), UnknownTenantError);
    await assert.rejects(tenantStatement(pool, tenantId, 'SELECT $1::int', ['not a number']), (error: { code?: string }) => error.code === '22P02');
    // The one connection of the pool ran all of the above: it is back to the application role with no tenant
    // setting left.
    const client = await pool.connect();
    try {
      const { rows } = await client.query<{ role: string; tenant: string | null }>(
        "SELECT current_user AS role, current_setting('novagate.tenant_id', true) AS tenant",
      );
      assert.notEqual(rows[0]?.role, await roleOf(tenantId));
      assert.ok(rows[0]?.tenant === null || rows[0]?.tenant === '', 'no tenant setting outlives its statement');
    } finally {
      client.release();
    }
  } finally {
    await pool.end();
  }
  const committed = await db.pool.query(`SELECT 1 FROM ${quotedTenantSchema(tenantId)}.gateway_nodes WHERE node_id = 'committed'`);
  assert.equal(committed.rowCount, 1);
});
