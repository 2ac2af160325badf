// `npm run bench:tenant-role`: what running as the tenant's database role costs the database work of a route
// create (lock, plan check, insert, read back, config version) and of a route list read, measured A/B in one
// process, alternating the application role and the tenant role on the same tenants. Interleaving keeps a noisy,
// shared machine from favouring either side; the HTTP figures are bench:control-plane's.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { assertWithinPlan } from '../tenancy/plan-limits.js';
import { routes, services } from '../tenancy/entities.js';
import { lockTenantForConfigChange, recordConfigVersion } from '../tenancy/config-versions.js';
import { withTransaction } from '../db/pool.js';
import { provisionTenant } from '../tenancy/provision.js';
import { tenantSimpleQuery, withTenantTransaction } from '../tenancy/tenant-transaction.js';
import { createTestDatabase } from '../testing/database.js';
import { percentile } from './percentile.js';

const ROUNDS = process.argv.includes('--quick') ? 200 : 1_000;
const TENANTS = 20;
// Tenants that exist beside the measured ones (bench:control-plane has 1,000): each is a role the application
// is a member of, which PostgreSQL walks in some privilege checks.
const PRESENT = Number(/^--present=(\d+)$/.exec(process.argv.find((arg) => arg.startsWith('--present=')) ?? '')?.[1] ?? 1_000);

async function createRoute(client: pg.PoolClient, tenantId: string, n: number): Promise<void> {
  const tenant = await lockTenantForConfigChange(client, tenantId);
  if (tenant === null) throw new Error('tenant vanished');
  await assertWithinPlan(client, routes, tenantId, tenant.plan);
  const id = await routes.insert(client, tenantId, { name: `r${n}`, service: 'svc', paths: [`/r${n}`], methods: [], hosts: [], stripPrefix: false, auth: 'none' }, 'api');
  await client.query(`${routes.select(tenantId)} WHERE r.id = $1`, [id]);
  await recordConfigVersion(client, tenantId, { by: 'api' });
}

async function main(): Promise<void> {
  const db = await createTestDatabase();
  try {
    for (let i = TENANTS; i < PRESENT; i++) {
      await withTransaction(db.pool, (client) =>
        provisionTenant(client, { name: 'Filler', plan: 'free', ownerEmail: `${randomUUID()}@example.com`, passwordHash: null }),
      );
    }
    const tenants: string[] = [];
    for (let i = 0; i < TENANTS; i++) {
      const tenant = await withTransaction(db.pool, (client) =>
        provisionTenant(client, { name: 'Bench', plan: 'enterprise', ownerEmail: `${randomUUID()}@example.com`, passwordHash: null }),
      );
      await withTransaction(db.pool, (client) =>
        services.insert(client, tenant.id, { name: 'svc', url: 'http://svc:80', connectTimeoutMs: 1_000, timeoutMs: 1_000, retries: 0 }, 'api'),
      );
      tenants.push(tenant.id);
    }
    const samples = { createApp: [] as number[], createTenant: [] as number[], listApp: [] as number[], listTenant: [] as number[] };
    const time = async (into: number[], work: () => Promise<unknown>) => {
      const start = performance.now();
      await work();
      into.push(performance.now() - start);
    };
    for (let i = 0; i < ROUNDS; i++) {
      const tenantId = tenants[i % TENANTS] as string;
      const list = `${routes.select(tenantId)} ORDER BY r.position`;
      await time(samples.createApp, () => withTransaction(db.pool, (client) => createRoute(client, tenantId, 2 * i)));
      await time(samples.createTenant, () => withTenantTransaction(db.pool, tenantId, (client) => createRoute(client, tenantId, 2 * i + 1)));
      await time(samples.listApp, () => db.pool.query(list));
      await time(samples.listTenant, () => tenantSimpleQuery(db.pool, tenantId, list));
    }
    const row = (name: string, values: number[]) =>
      `${name.padEnd(36)}${percentile(values, 50).toFixed(2).padStart(8)}${percentile(values, 99).toFixed(2).padStart(8)}${(values.reduce((a, b) => a + b, 0) / values.length).toFixed(2).padStart(9)}`;
    console.log(`\nNovaGate tenant-role cost (${ROUNDS} rounds over ${TENANTS} tenants, one at a time; ${Math.max(PRESENT, TENANTS)} tenants present)\n`);
    console.log(`${'database work'.padEnd(36)}${'p50 ms'.padStart(8)}${'p99 ms'.padStart(8)}${'mean ms'.padStart(9)}`);
    console.log(row('route create, application role', samples.createApp));
    console.log(row('route create, tenant role', samples.createTenant));
    console.log(row('route list read, application role', samples.listApp));
    console.log(row('route list read, tenant role', samples.listTenant));
  } finally {
    await db.drop();
  }
}

await main();
