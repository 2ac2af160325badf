import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { withTransaction } from '../db/pool.js';
import { withTestDatabase } from '../testing/with-test-server.js';
import { provisionTenant } from '../tenancy/provision.js';
import { quotedTenantSchema } from '../tenancy/schema-name.js';
import { RETENTION_LOCK_KEY } from '../tenancy/telemetry-retention.js';
import { runRetention } from './telemetry-retention.js';

const { db, ready } = withTestDatabase();
before(async () => {
  await ready;
  await db.pool.query(`INSERT INTO public.plans (name, telemetry_retention_days) VALUES ('long', 30)`);
});

async function tenantOn(plan: string): Promise<string> {
  return withTransaction(db.pool, async (client) => {
    const tenant = await provisionTenant(client, { name: 'Retention', plan, ownerEmail: `${randomUUID()}@example.com`, passwordHash: null });
    return tenant.id;
  });
}

/** Inserts `count` request_logs rows and one error event, `ageDays` old. */
async function logsAged(tenantId: string, count: number, ageDays: number): Promise<void> {
  const schema = quotedTenantSchema(tenantId);
  await db.pool.query(
    `INSERT INTO ${schema}.request_logs (request_id, method, path_template, status, latency_ms, route, time)
     SELECT 'r' || g, 'GET', '/x', 200, 1, 'r', now() - make_interval(days => $2) FROM generate_series(1, $1) g`,
    [count, ageDays],
  );
  await db.pool.query(`INSERT INTO ${schema}.error_events (code, service, count, time) VALUES ('upstream_timeout', 's', 1, now() - make_interval(days => $1))`, [ageDays]);
}

async function counts(tenantId: string): Promise<{ logs: number; errors: number }> {
  const schema = quotedTenantSchema(tenantId);
  const { rows } = await db.pool.query<{ logs: string; errors: string }>(
    `SELECT (SELECT count(*) FROM ${schema}.request_logs) AS logs, (SELECT count(*) FROM ${schema}.error_events) AS errors`,
  );
  return { logs: Number(rows[0]?.logs), errors: Number(rows[0]?.errors) };
}

test('rows older than the plan retention are deleted in bounded batches; newer rows and longer plans stay', async () => {
  const free = await tenantOn('free');
  const long = await tenantOn('long');
  await logsAged(free, 12_000, 8);
  await logsAged(free, 50, 6);
  await logsAged(long, 100, 8);
  const run = await runRetention(db.pool, { batchSize: 5_000, maxBatchesPerRun: 100 });
  assert.equal(run.ran, true);
  assert.equal(run.requestLogsDeleted, 12_000);
  assert.equal(run.errorEventsDeleted, 1);
  assert.deepEqual(await counts(free), { logs: 50, errors: 1 });
  assert.deepEqual(await counts(long), { logs: 100, errors: 1 });
});

test('one run deletes at most maxBatchesPerRun batches per table; the next run goes on', async () => {
  const tenantId = await tenantOn('free');
  await logsAged(tenantId, 2_500, 10);
  const first = await runRetention(db.pool, { batchSize: 1_000, maxBatchesPerRun: 2 });
  assert.equal(first.requestLogsDeleted, 2_000);
  assert.equal((await counts(tenantId)).logs, 500);
  await runRetention(db.pool, { batchSize: 1_000, maxBatchesPerRun: 2 });
  assert.equal((await counts(tenantId)).logs, 0);
});

test('a run is skipped while another replica holds the retention lock', async () => {
  const holder = await db.pool.connect();
  try {
    await holder.query('SELECT pg_advisory_lock($1)', [RETENTION_LOCK_KEY]);
    const run = await runRetention(db.pool);
    assert.equal(run.ran, false);
  } finally {
    await holder.query('SELECT pg_advisory_unlock($1)', [RETENTION_LOCK_KEY]);
    holder.release();
  }
});
