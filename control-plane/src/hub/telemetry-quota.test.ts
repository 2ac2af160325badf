import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Pool } from '../db/pool.js';
import { withTransaction } from '../db/pool.js';
import { observedPool } from '../testing/counting-pool.js';
import { withTestDatabase } from '../testing/with-test-server.js';
import { provisionTenant } from '../tenancy/provision.js';
import { quotedTenantSchema } from '../tenancy/schema-name.js';
import type { LogEntry } from '@novagate/gateway/protocol';
import { planTelemetryLimit } from '../tenancy/telemetry-quota.js';
import { createTelemetryQuota, QUOTA_RECHECK_MS } from './telemetry-quota.js';

const { db, ready } = withTestDatabase();
before(async () => {
  await ready;
  await db.pool.query(`INSERT INTO public.plans (name, telemetry_rows_per_day) VALUES ('tiny', 1000), ('unmetered', NULL)`);
});

async function tenantOn(plan: string): Promise<string> {
  return withTransaction(db.pool, async (client) => {
    const tenant = await provisionTenant(client, { name: 'Quota', plan, ownerEmail: `${randomUUID()}@example.com`, passwordHash: null });
    return tenant.id;
  });
}

const entries = (count: number): LogEntry[] =>
  Array.from({ length: count }, (_, i) => ({
    requestId: `r-${i}`,
    method: 'GET',
    pathTemplate: '/x',
    status: 200,
    latencyMs: 1,
    route: 'r',
    time: new Date().toISOString(),
  }));

async function rowsOf(tenantId: string): Promise<number> {
  const { rows } = await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${quotedTenantSchema(tenantId)}.request_logs`);
  return Number(rows[0]?.n);
}

/** The pool, counting the statements that reach it. */
function counted(): { db: Pool; statements: () => number } {
  let statements = 0;
  return {
    statements: () => statements,
    db: observedPool(db.pool, () => {
      statements += 1;
    }),
  };
}

test('the free plan allows 100,000 rows a day and keeps request logs 7 days', async () => {
  const { rows } = await db.pool.query('SELECT telemetry_rows_per_day, telemetry_retention_days FROM public.plans WHERE name = $1', ['free']);
  assert.deepEqual(rows[0], { telemetry_rows_per_day: '100000', telemetry_retention_days: 7 });
  assert.equal(await planTelemetryLimit(db.pool, await tenantOn('free')), 100_000);
});

test('rows past the plan quota are dropped: the day stores exactly the quota, whatever the batches', async () => {
  const tenantId = await tenantOn('tiny');
  const quota = createTelemetryQuota(db.pool);
  const results = [];
  for (let i = 0; i < 5; i++) results.push(await quota.storeRequestLogs(tenantId, 'node-1', entries(300)));
  assert.deepEqual(
    results.map((r) => [r.stored, r.overQuota]),
    [[300, 0], [300, 0], [300, 0], [100, 200], [0, 300]],
  );
  assert.equal(await rowsOf(tenantId), 1_000);
});

test('concurrent writers of one tenant never store more than the quota together', async () => {
  const tenantId = await tenantOn('tiny');
  const writers = Array.from({ length: 8 }, () => createTelemetryQuota(db.pool));
  const results = await Promise.all(writers.map((quota) => quota.storeRequestLogs(tenantId, 'node-1', entries(400))));
  assert.equal(results.reduce((sum, r) => sum + r.stored, 0), 1_000);
  assert.equal(await rowsOf(tenantId), 1_000);
});

test('the day count survives a restart: a new quota instance (another replica) goes on from it', async () => {
  const tenantId = await tenantOn('tiny');
  await createTelemetryQuota(db.pool).storeRequestLogs(tenantId, 'node-1', entries(900));
  const afterRestart = await createTelemetryQuota(db.pool).storeRequestLogs(tenantId, 'node-1', entries(500));
  assert.deepEqual(afterRestart, { stored: 100, overQuota: 400 });
});

test('once the day is used up, entries are dropped without touching the database until the recheck', async () => {
  const tenantId = await tenantOn('tiny');
  let now = Date.parse('2026-03-01T12:00:00Z');
  const pool = counted();
  const quota = createTelemetryQuota(pool.db, () => now);
  await quota.storeRequestLogs(tenantId, 'node-1', entries(1_000));
  const before = pool.statements();
  for (let i = 0; i < 1_000; i++) assert.deepEqual(await quota.storeRequestLogs(tenantId, 'node-1', entries(10)), { stored: 0, overQuota: 10 });
  assert.equal(pool.statements(), before);
  now += QUOTA_RECHECK_MS;
  await quota.storeRequestLogs(tenantId, 'node-1', entries(10));
  assert.ok(pool.statements() > before, 'it looks again after a minute');
});

test('a new UTC day starts a new count', async () => {
  const tenantId = await tenantOn('tiny');
  let now = Date.parse('2026-03-01T23:59:00Z');
  const quota = createTelemetryQuota(db.pool, () => now);
  assert.equal((await quota.storeRequestLogs(tenantId, 'node-1', entries(1_200))).stored, 1_000);
  now = Date.parse('2026-03-02T00:00:30Z');
  assert.equal((await quota.storeRequestLogs(tenantId, 'node-1', entries(10))).stored, 10);
  const { rows } = await db.pool.query(`SELECT day::text, request_log_rows FROM ${quotedTenantSchema(tenantId)}.telemetry_usage ORDER BY day`);
  assert.deepEqual(rows, [
    { day: '2026-03-01', request_log_rows: '1000' },
    { day: '2026-03-02', request_log_rows: '10' },
  ]);
});

test('a plan without a quota stores everything and still counts it', async () => {
  const tenantId = await tenantOn('unmetered');
  const result = await createTelemetryQuota(db.pool).storeRequestLogs(tenantId, 'node-1', entries(500));
  assert.deepEqual(result, { stored: 500, overQuota: 0 });
  assert.equal(await rowsOf(tenantId), 500);
  const { rows } = await db.pool.query(`SELECT request_log_rows FROM ${quotedTenantSchema(tenantId)}.telemetry_usage`);
  assert.deepEqual(rows, [{ request_log_rows: '500' }]);
});
