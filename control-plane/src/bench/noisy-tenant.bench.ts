// `npm run bench:noisy-tenant`: tenant A's GET /routes/:id latency, quiet and while tenant B runs 500
// concurrent clients of admin requests (creates, updates, reads, deletes) against the same control plane, and
// what B gets back. Prints a table; no thresholds are asserted here (machines are shared and noisy).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Pool as HttpPool } from 'undici';
import { createPlatformTokens } from '../auth/platform-token.js';
import { withTransaction } from '../db/pool.js';
import { provisionTenant } from '../tenancy/provision.js';
import { createTestDatabase } from '../testing/database.js';
import { percentile } from './percentile.js';

const SECRET = 'bench-platform-secret-0123456789abcdef0123';
const PORT = 19_080 + Math.floor(Math.random() * 1000);
const BASE = `http://127.0.0.1:${PORT}`;
const quick = process.argv.includes('--quick');
const SECONDS = quick ? 4 : 10;
const STORM_CLIENTS = 500; // in tenant-storm.ts

interface Client {
  id: string;
  token: string;
}

async function request(http: HttpPool, client: Client, method: string, path: string, body?: unknown): Promise<{ status: number; body: string }> {
  const response = await http.request({
    method: method as 'GET',
    path: `/api/v1/tenants/${client.id}${path}`,
    headers: { authorization: `Bearer ${client.token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.statusCode, body: await response.body.text() };
}

/** A's reads one after another until `until`; latencies in ms. */
async function readLoop(http: HttpPool, a: Client, routeId: string, until: () => boolean): Promise<{ latencies: number[]; failures: number }> {
  const latencies: number[] = [];
  let failures = 0;
  while (!until()) {
    const start = performance.now();
    const { status } = await request(http, a, 'GET', `/routes/${routeId}`);
    latencies.push(performance.now() - start);
    if (status !== 200) failures += 1;
  }
  return { latencies, failures };
}

async function main(): Promise<void> {
  const db = await createTestDatabase();
  const profile = process.env.BENCH_CPU_PROFILE_DIR;
  const server = spawn(process.execPath, [...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []), '--import', 'tsx', fileURLToPath(new URL('../main.ts', import.meta.url))], {
    env: { ...process.env, DATABASE_URL: db.url, PLATFORM_JWT_SECRET: SECRET, PORT: String(PORT), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const quietHttp = new HttpPool(BASE, { connections: 1 });
  try {
    let up = false;
    for (let i = 0; i < 300 && !up && server.exitCode === null; i++) {
      up = await fetch(`${BASE}/healthz`).then((r) => r.ok, () => false);
      if (!up) await new Promise((r) => setTimeout(r, 100));
    }
    if (!up) throw new Error('the control plane did not start');

    const tokens = createPlatformTokens(SECRET);
    const provision = async (name: string, plan: string): Promise<Client> => {
      const tenant = await withTransaction(db.pool, (client) =>
        provisionTenant(client, { name, plan, ownerEmail: `${randomUUID()}@example.com`, passwordHash: null }),
      );
      return { id: tenant.id, token: await tokens.issue({ tenantId: tenant.id, tokenVersion: 1 }) };
    };
    const a = await provision('Quiet A', 'free');
    const b = await provision('Noisy B', 'enterprise');
    for (const tenant of [a, b]) await request(quietHttp, tenant, 'POST', '/services', { name: 'svc', url: 'http://svc:80' });
    const aRoute = JSON.parse((await request(quietHttp, a, 'POST', '/routes', { name: 'r', service: 'svc', paths: ['/r'] })).body) as { id: string };
    const bService = JSON.parse((await request(quietHttp, b, 'GET', '/services')).body) as { data: { id: string }[] };
    const bServiceId = bService.data[0]?.id as string;
    await request(quietHttp, b, 'POST', '/routes', { name: 'r', service: 'svc', paths: ['/r'] });

    // Warm-up, then quiet.
    let end = performance.now() + 1_000;
    await readLoop(quietHttp, a, aRoute.id, () => performance.now() > end);
    end = performance.now() + SECONDS * 1_000;
    const quiet = await readLoop(quietHttp, a, aRoute.id, () => performance.now() > end);

    // B's storm (another process) with A reading beside it: clients that ignore Retry-After (hostile), then
    // clients that wait for it.
    let nextName = 0;
    const stormOf = async (honourRetryAfter: boolean) => {
      const storm = spawn(
        process.execPath,
        ['--import', 'tsx', fileURLToPath(new URL('./tenant-storm.ts', import.meta.url)), BASE, b.id, b.token, bServiceId, String(SECONDS), honourRetryAfter ? 'yes' : 'no', String(nextName)],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let output = '';
      storm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      const exited = new Promise((r) => storm.once('exit', r));
      // A starts reading once the storm has started (its process takes a moment to load).
      await new Promise((r) => setTimeout(r, 1_500));
      const stormRunning = () => storm.exitCode !== null;
      const reads = await readLoop(quietHttp, a, aRoute.id, stormRunning);
      await exited;
      const result = JSON.parse(output) as { statuses: Record<string, number>; seconds: number; sent: number };
      nextName = result.sent;
      return { reads, statuses: new Map(Object.entries(result.statuses).map(([status, n]) => [Number(status), n])), seconds: result.seconds };
    };
    const hostile = await stormOf(false);
    const polite = await stormOf(true);

    const rows: string[][] = [['scenario', 'reads', 'p50 ms', 'p99 ms', 'max ms', 'failed']];
    for (const [name, run] of [
      ['A: GET /routes/:id, quiet', quiet],
      [`A: … B storming, ${STORM_CLIENTS} clients ignoring Retry-After`, hostile.reads],
      [`A: … B storming, ${STORM_CLIENTS} clients waiting Retry-After`, polite.reads],
    ] as const) {
      rows.push([name, String(run.latencies.length), percentile(run.latencies, 50).toFixed(1), percentile(run.latencies, 99).toFixed(1), Math.max(...run.latencies).toFixed(1), String(run.failures)]);
    }
    const widths = (rows[0] as string[]).map((_, i) => Math.max(...rows.map((row) => (row[i] as string).length)));
    console.log(`\nNovaGate noisy-tenant benchmark (${SECONDS} s per phase)\n`);
    for (const row of rows) console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number))).join('  '));
    console.log('');
    for (const [name, run] of [['ignoring Retry-After', hostile], ['waiting Retry-After', polite]] as const) {
      const total = [...run.statuses.values()].reduce((sum, n) => sum + n, 0);
      const byStatus = [...run.statuses].sort(([x], [y]) => x - y).map(([status, n]) => `${status}: ${n}`).join(', ');
      console.log(`B's answers, ${name}: ${total} in ${run.seconds.toFixed(1)} s (${(total / run.seconds).toFixed(0)}/s): ${byStatus}`);
    }
    console.log('\ntarget: A p99 <= 50 ms while B storms; B gets only 2xx, 429 or 503 (404 is B reading a route id that does not exist)');
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    await quietHttp.close();
    await db.drop();
  }
}

await main();
