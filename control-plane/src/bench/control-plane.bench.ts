// `npm run bench:control-plane`: registration latency and throughput (both steps: the 202 with its bcrypt, and
// the confirmation with schema provisioning), event-loop responsiveness under registration load, and admin-API latency with 1,000 tenants.
// Prints a table; no thresholds are asserted here (machines are shared and noisy).
import { spawn } from 'node:child_process';
import { hasCommand, runWrk, type WrkResult } from '@novagate/gateway/testing/wrk';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Pool as HttpPool } from 'undici';
import { hashPassword } from '../auth/passwords.js';
import { createPlatformTokens } from '../auth/platform-token.js';
import { withTransaction } from '../db/pool.js';
import { provisionTenant } from '../tenancy/provision.js';
import { createTestDatabase } from '../testing/database.js';
import { createFolderMailReader, registrationTokenIn } from '../testing/mail-folder.js';
import { percentile } from './percentile.js';

const SECRET = 'bench-platform-secret-0123456789abcdef0123';
const PORT = 18_080 + Math.floor(Math.random() * 1000);
const BASE = `http://127.0.0.1:${PORT}`;
const quick = process.argv.includes('--quick');
// Registration mail (with its confirmation link) goes to the folder mailer: no SMTP_URL here.
const MAIL_DIR = mkdtempSync(join(tmpdir(), 'novagate-bench-mail-'));
const mailReader = createFolderMailReader(MAIL_DIR);
const TENANTS_PRESENT = quick ? 100 : 1_000;
// undici's pooled request API: fetch() costs the load generator more CPU than the server spends per request.
const http = new HttpPool(BASE, { connections: 64, pipelining: 1 });


async function timed<T>(work: () => Promise<T>): Promise<[number, T]> {
  const start = performance.now();
  const result = await work();
  return [performance.now() - start, result];
}

let ipCounter = 0;
async function post(path: string, body: unknown): Promise<Response> {
  ipCounter += 1;
  return fetch(`${BASE}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      // A distinct client address per request (the control plane trusts 127.0.0.1 as a proxy here),
      // so the per-IP /auth throttle does not stop the benchmark.
      'x-forwarded-for': `10.${(ipCounter >> 16) & 255}.${(ipCounter >> 8) & 255}.${ipCounter & 255}`,
    },
    body: JSON.stringify(body),
  });
}

/**
 * Both steps of a registration: POST /auth/register (202; bcrypt), the token from the folder mailer, then
 * POST /auth/register/confirm (201; provisioning). `ms` holds the two requests' latencies, not the mail wait.
 */
async function register(): Promise<{ id: string; token: string; ms: [number, number] }> {
  const email = `bench-${randomUUID()}@example.com`;
  const [askMs, asked] = await timed(() => post('/api/v1/auth/register', { email, password: 'benchmark password', tenantName: 'Bench' }));
  await asked.arrayBuffer();
  if (asked.status !== 202) throw new Error(`registration answered ${asked.status}`);
  const token = registrationTokenIn(await mailReader.waitFor(email));
  if (token === null) throw new Error('the registration mail holds no link');
  const [confirmMs, confirmed] = await timed(() => post('/api/v1/auth/register/confirm', { token }));
  const body = (await confirmed.json()) as { tenant: { id: string }; token: string };
  if (confirmed.status !== 201) throw new Error(`registration confirm answered ${confirmed.status}`);
  return { id: body.tenant.id, token: body.token, ms: [askMs, confirmMs] };
}

/** Runs `total` calls of `work` with `concurrency` in flight; returns latencies and wall time. */
async function load(total: number, concurrency: number, work: (i: number) => Promise<void>): Promise<{ latencies: number[]; seconds: number }> {
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const [ms] = await timed(() => work(i));
        latencies.push(ms);
      }
    }),
  );
  return { latencies, seconds: (performance.now() - start) / 1000 };
}

/**
 * GET `/api/v1/tenants/<id><path>` round-robin over the clients with wrk (50 connections, one thread): a load
 * generator in C takes far less of the shared CPU than this process does, so the server's own latency shows.
 */
function listWithWrk(clients: { id: string; token: string }[], path: string, seconds: number): WrkResult {
  const requests = clients.map((c) => ({ path: `/api/v1/tenants/${c.id}${path}`, headers: { Authorization: `Bearer ${c.token}` } }));
  const result = runWrk(BASE, { connections: 50, seconds, requests });
  if (result.non2xx > 0) throw new Error(`wrk saw ${result.non2xx} failed responses`);
  return result;
}

const rows: [string, string, string, string][] = [];
function report(name: string, latencies: number[], seconds?: number): void {
  rows.push([
    name,
    percentile(latencies, 50).toFixed(1),
    percentile(latencies, 99).toFixed(1),
    seconds === undefined ? '' : (latencies.length / seconds).toFixed(1),
  ]);
}

async function main(): Promise<void> {
  const db = await createTestDatabase();
  const profile = process.env.BENCH_CPU_PROFILE_DIR;
  const server = spawn(process.execPath, [...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []), '--import', 'tsx', fileURLToPath(new URL('../main.ts', import.meta.url))], {
    env: {
      ...process.env,
      DATABASE_URL: db.url,
      PLATFORM_JWT_SECRET: SECRET,
      PORT: String(PORT),
      METRICS_PORT: '0',
      MAIL_DIR: MAIL_DIR,
      TRUSTED_PROXIES: '127.0.0.1',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    let up = false;
    for (let i = 0; i < 300 && !up && server.exitCode === null; i++) {
      up = await fetch(`${BASE}/healthz`).then((r) => r.ok, () => false);
      if (!up) await new Promise((r) => setTimeout(r, 100));
    }
    if (!up) throw new Error('the control plane did not start');
    await register(); // warm-up

    // 1. One at a time.
    const asks: number[] = [];
    const confirms: number[] = [];
    for (let i = 0; i < (quick ? 20 : 100); i++) {
      const { ms } = await register();
      asks.push(ms[0]);
      confirms.push(ms[1]);
    }
    report('register (202, bcrypt), one at a time', asks);
    report('register/confirm (201, provisioning), one at a time', confirms);

    // 2. 50 concurrent, with /healthz probed alongside.
    const healthz: number[] = [];
    let loading = true;
    const probe = (async () => {
      while (loading) {
        healthz.push((await timed(() => http.request({ method: 'GET', path: '/healthz' }).then((r) => r.body.arrayBuffer())))[0]);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const concurrentSteps: number[] = [];
    const concurrent = await load(quick ? 100 : 300, 50, async () => {
      const { ms } = await register();
      concurrentSteps.push(ms[0] + ms[1]);
    });
    loading = false;
    await probe;
    // Latency: the two requests of each registration summed (the folder-mail wait left out); rate: whole registrations.
    report('register + confirm, 50 concurrent', concurrentSteps, concurrent.seconds);
    report('/healthz during that load', healthz);

    // 3. Bring the tenant count to TENANTS_PRESENT (provisioned directly: bcrypt is not what this part measures).
    const passwordHash = await hashPassword('benchmark password');
    const { rows: counted } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM public.tenants');
    const missing = Math.max(0, TENANTS_PRESENT - (counted[0]?.n ?? 0));
    await load(missing, 8, async () => {
      await withTransaction(db.pool, (client) =>
        provisionTenant(client, { name: 'Filler', plan: 'free', ownerEmail: `filler-${randomUUID()}@example.com`, passwordHash }),
      );
    });

    // 4. Admin API at 50 concurrent clients, each on its own tenant (enterprise plan: no limits in the way).
    const tokens = createPlatformTokens(SECRET);
    const { rows: tenants } = await db.pool.query<{ id: string }>('SELECT id FROM public.tenants ORDER BY random() LIMIT 50');
    await db.pool.query("UPDATE public.tenants SET plan = 'enterprise' WHERE id = ANY($1::uuid[])", [tenants.map((t) => t.id)]);
    const clients = await Promise.all(
      tenants.map(async ({ id }) => ({ id, token: await tokens.issue({ tenantId: id, tokenVersion: 1 }) })),
    );
    const call = async (client: { id: string; token: string }, method: 'GET' | 'POST', path: string, body?: unknown) => {
      const response = await http.request({
        method,
        path: `/api/v1/tenants/${client.id}${path}`,
        headers: { authorization: `Bearer ${client.token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      await response.body.arrayBuffer();
      if (response.statusCode >= 400) throw new Error(`${method} ${path} answered ${response.statusCode}`);
    };
    await Promise.all(clients.map((c) => call(c, 'POST', '/services', { name: 'svc', url: 'http://upstream:8080' })));
    const creates = await load(quick ? 200 : 1_000, 50, async (i) => {
      const client = clients[i % clients.length] as { id: string; token: string };
      await call(client, 'POST', '/routes', { name: `route-${i}`, service: 'svc', paths: [`/r${i}/:id`], methods: ['GET'] });
    });
    report('route create, 50 concurrent', creates.latencies, creates.seconds);
    // The first pass right after the creates finds every tenant's list uncached and the code paths cold; the
    // second is the steady state the target is about. Both are printed.
    const listRoutes = async (i: number) => {
      await call(clients[i % clients.length] as { id: string; token: string }, 'GET', '/routes');
    };
    const firstPass = await load(quick ? 1_000 : 5_000, 50, listRoutes);
    report('route list, 50 concurrent, first pass', firstPass.latencies, firstPass.seconds);
    const steady = await load(quick ? 5_000 : 20_000, 50, listRoutes);
    report('route list, 50 concurrent, steady', steady.latencies, steady.seconds);
    if (hasCommand('wrk')) {
      const wrk = listWithWrk(clients, '/routes', quick ? 3 : 10);
      rows.push(['route list, 50 concurrent, steady (wrk)', wrk.p50ms.toFixed(1), wrk.p99ms.toFixed(1), wrk.rps.toFixed(1)]);
    } else {
      console.error('wrk is not installed: the route list is measured with this process as the load generator only');
    }
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    await http.close();
    await db.drop();
    rmSync(MAIL_DIR, { recursive: true, force: true });
  }

  console.log(`\nNovaGate control plane benchmark (${TENANTS_PRESENT} tenants present for the admin API rows)\n`);
  const header: [string, string, string, string] = ['scenario', 'p50 ms', 'p99 ms', 'ops/s'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  for (const row of [header, ...rows]) console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  '));
  console.log('\ntargets: register p99 <= 250 ms one at a time; /healthz p99 <= 20 ms under registration load; route list p99 <= 15 ms (steady)');
}

await main();
