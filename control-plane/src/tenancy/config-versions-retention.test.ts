import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { withTransaction } from '../db/pool.js';
import { withTestDatabase } from '../testing/with-test-server.js';
import { provisionTenant } from './provision.js';
import { quotedTenantSchema } from './schema-name.js';
import { lockTenantForConfigChange, recordConfigVersion, RETAINED_CONFIG_VERSIONS } from './config-versions.js';
import { recordAcks, recordHello } from './gateway-nodes.js';
import { withTenantTransaction } from './tenant-transaction.js';

const { db, ready } = withTestDatabase();
let tenantId: string;
before(async () => {
  await ready;
  tenantId = await withTransaction(db.pool, async (client) => {
    const tenant = await provisionTenant(client, { name: 'Retention', plan: 'free', ownerEmail: 'retention@example.com', passwordHash: null });
    return tenant.id;
  });
});

/** One config change written as the admin API writes it: as the tenant's own (non-superuser) role. */
const writeVersion = (n: number) =>
  withTenantTransaction(db.pool, tenantId, async (client) => {
    await lockTenantForConfigChange(client, tenantId);
    await client.query(
      `INSERT INTO ${quotedTenantSchema(tenantId)}.services (name, url, connect_timeout_ms, timeout_ms, retries) VALUES ($1, 'http://s:8080', 2000, 10000, 1)`,
      [`s${n}`],
    );
    return recordConfigVersion(client, tenantId, { by: 'api' });
  });

const storedVersions = async () =>
  (await db.pool.query(`SELECT version FROM ${quotedTenantSchema(tenantId)}.config_versions ORDER BY version`)).rows.map((row) => Number(row.version));

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

test('config_versions keeps the newest 100 versions plus a version a node still runs, and drops it once no node does', async () => {
  assert.equal(RETAINED_CONFIG_VERSIONS, 100);
  const role = await withTenantTransaction(db.pool, tenantId, async (client) => (await client.query<{ super: boolean }>('SELECT rolsuper AS super FROM pg_roles WHERE rolname = current_user')).rows[0]);
  assert.equal(role?.super, false, 'the writes run as a role without superuser rights');
  // Version 1 is the provisioned empty config; version 2 is the first change, which a node then reports running.
  assert.equal((await writeVersion(2)).version, 2);
  await recordHello(db.pool, tenantId, 'old-node', 'test');
  await recordAcks(db.pool, tenantId, [{ nodeId: 'old-node', version: 2, hash: 'a'.repeat(64) }], null);
  for (let n = 3; n <= 105; n++) assert.equal((await writeVersion(n)).version, n);
  assert.deepEqual(await storedVersions(), [2, ...range(6, 105)]);

  // The node moves on: at the next write version 2 is no longer anyone's and falls out with the rest.
  await recordAcks(db.pool, tenantId, [{ nodeId: 'old-node', version: 105, hash: 'b'.repeat(64) }], null);
  assert.equal((await writeVersion(106)).version, 106);
  assert.deepEqual(await storedVersions(), range(7, 106));
});
