// `npm run bench:sizing`: PostgreSQL figures docs/production.md sizes with: bytes and catalog relations per tenant
// schema (provisioning N tenants into a fresh database) and the time a start-up migration takes per lagging
// tenant schema. Prints a table; asserts nothing. `--quick`: 50 tenants instead of 200.
import { createTestDatabase } from '../testing/database.js';
import { provisionTenant } from '../tenancy/provision.js';
import { withTransaction } from '../db/pool.js';
import { migrate, tenantMigrations } from '../db/migrate.js';

const TENANTS = process.argv.includes('--quick') ? 50 : 200;

async function databaseFigures(): Promise<Record<string, string>> {
  const db = await createTestDatabase();
  try {
    const size = async () => Number((await db.pool.query<{ n: string }>('SELECT pg_database_size(current_database()) AS n')).rows[0]!.n);
    const relations = async () => Number((await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM pg_class')).rows[0]!.n);
    const [size0, rel0] = [await size(), await relations()];
    const started = performance.now();
    for (let i = 0; i < TENANTS; i++) {
      await withTransaction(db.pool, (client) => provisionTenant(client, { name: `Sizing ${i}`, plan: 'free', ownerEmail: `sizing-${i}@example.com`, passwordHash: null }));
    }
    const provisionMs = (performance.now() - started) / TENANTS;
    await db.pool.query('CHECKPOINT');
    const [size1, rel1] = [await size(), await relations()];
    // A release adding one tenant migration: what a start-up costs per lagging schema.
    const probe = { id: '999_sizing_probe', sql: 'CREATE TABLE sizing_probe (id int PRIMARY KEY, note text)' };
    (tenantMigrations as { id: string; sql: string }[]).push(probe);
    const migrateStarted = performance.now();
    await migrate(db.pool);
    const migrateMs = (performance.now() - migrateStarted) / TENANTS;
    (tenantMigrations as { id: string; sql: string }[]).pop();
    return {
      'tenant schemas provisioned': String(TENANTS),
      'disk per empty tenant schema': `${Math.round((size1 - size0) / TENANTS / 1024)} KiB`,
      'catalog relations per tenant schema': String(Math.round((rel1 - rel0) / TENANTS)),
      'provisioning time per tenant': `${provisionMs.toFixed(1)} ms`,
      'start-up migration per lagging schema (one CREATE TABLE)': `${migrateMs.toFixed(1)} ms`,
    };
  } finally {
    await db.drop();
  }
}

const rows = await databaseFigures();
const width = Math.max(...Object.keys(rows).map((key) => key.length));
for (const [key, value] of Object.entries(rows)) console.log(`${key.padEnd(width)}  ${value}`);
