import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withTestDatabase } from '../testing/with-test-server.js';
import { migrate, tenantMigrations } from './migrate.js';
import { withTransaction } from './pool.js';
import { provisionTenant } from '../tenancy/provision.js';
import { quotedTenantSchema, tenantSchemaName } from '../tenancy/schema-name.js';
import { withTenantTransaction } from '../tenancy/tenant-transaction.js';
import { storeRequestLogsWithinQuota } from '../tenancy/telemetry-store.js';
import { deleteExpiredBatch } from '../tenancy/telemetry-retention.js';

const { db } = withTestDatabase({ migrate: false });

const MIGRATION_ID = '015_request_log_arrival';

const log = (requestId: string, time: string) => ({ requestId, method: 'GET', pathTemplate: '/p', status: 200, latencyMs: 1, route: 'r', time });

test('migration 015 gives existing request_logs rows the migration time as arrival, new rows their insert transaction time, and retention still deletes by gateway time', async () => {
  const migrations = tenantMigrations as { id: string; sql: string }[];
  const index = migrations.findIndex((migration) => migration.id === MIGRATION_ID);
  assert.ok(index > 0, 'migration 015 is among the tenant migrations');
  const later = migrations.splice(index, 1);
  let tenantId: string;
  try {
    await migrate(db.pool);
    const tenant = await withTransaction(db.pool, (client) =>
      provisionTenant(client, { name: 'Before 015', plan: 'free', ownerEmail: 'before015@example.com', passwordHash: null }),
    );
    tenantId = tenant.id;
    await storeRequestLogsWithinQuota(db.pool, tenantId, 'n1', [log('old-1', '2026-01-01T00:00:00Z'), log('ancient', '2000-01-01T00:00:00Z')], '2026-01-01', null);
  } finally {
    migrations.splice(index, 0, ...later);
  }
  const schema = quotedTenantSchema(tenantId);

  const beforeMigration = await databaseNow();
  const report = await migrate(db.pool);
  const afterMigration = await databaseNow();
  assert.equal(report.tenantMigrationsApplied, later.length);
  const { rows: column } = await db.pool.query<{ is_nullable: string; column_default: string; data_type: string }>(
    "SELECT is_nullable, column_default, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'request_logs' AND column_name = 'ingested_at'",
    [tenantSchemaName(tenantId)],
  );
  assert.deepEqual(column[0], { is_nullable: 'NO', column_default: 'now()', data_type: 'timestamp with time zone' });
  const { rows: indexes } = await db.pool.query<{ indexdef: string }>(
    "SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname = 'request_logs_ingested_idx'",
    [tenantSchemaName(tenantId)],
  );
  assert.match(indexes[0]?.indexdef ?? '', /\(ingested_at, request_id COLLATE "C"\)/);

  // The rows stored before it share the migration's time.
  const arrivals = async () =>
    new Map((await db.pool.query<{ request_id: string; ingested_at: Date }>(`SELECT request_id, ingested_at FROM ${schema}.request_logs`)).rows.map((row) => [row.request_id, row.ingested_at.getTime()]));
  const old = await arrivals();
  assert.equal(old.get('old-1'), old.get('ancient'));
  assert.ok(old.get('old-1')! >= beforeMigration && old.get('old-1')! <= afterMigration, 'the existing rows arrived at the migration');

  // The hub's insert (as the tenant's role) leaves the default: the insert transaction's time, one per batch.
  const beforeInsert = await databaseNow();
  await storeRequestLogsWithinQuota(db.pool, tenantId, 'n1', [log('new-1', '2025-12-31T00:00:00Z'), log('new-2', '2025-12-31T00:00:01Z')], '2026-01-02', null);
  const all = await arrivals();
  assert.equal(all.get('new-1'), all.get('new-2'));
  assert.ok(all.get('new-1')! >= beforeInsert && all.get('new-1')! > old.get('old-1')!);

  // The tenant's role reads the column; retention (as that role) still goes by the gateway's time.
  await withTenantTransaction(db.pool, tenantId, async (client) => {
    const { rows } = await client.query(`SELECT request_id FROM ${schema}.request_logs WHERE ingested_at >= $1 ORDER BY request_id`, [new Date(beforeInsert)]);
    assert.deepEqual(rows.map((row) => row.request_id), ['new-1', 'new-2']);
  });
  assert.equal(await deleteExpiredBatch(db.pool, tenantId, 'request_logs', 365 * 10, 100), 1);
  assert.deepEqual([...(await arrivals()).keys()].sort(), ['new-1', 'new-2', 'old-1']);
});

async function databaseNow(): Promise<number> {
  const { rows } = await db.pool.query<{ now: Date }>('SELECT clock_timestamp() AS now');
  return rows[0]!.now.getTime();
}
