// `npm run bench:sync`: 200 gateway protocol connections over 20 tenants on one TLS control plane; the time
// from an admin-API write to the last ack of that tenant's gateways (p50/p99), and the control plane's memory
// per connection. The control plane and the 200 gateways (sync-gateways.ts) run in their own processes, as they
// would on their own machines; this process only writes and times. Prints a table; asserts nothing. With BENCH_CPU_PROFILE_DIR set, the control plane writes a V8
// CPU profile there and the bench prints the measured window for cpu-profile-summary.ts.
import { fork, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, fetch } from 'undici';
import { createTestDatabase } from '../testing/database.js';
import { createFolderMailReader, registrationTokenIn } from '../testing/mail-folder.js';
import { quotedTenantSchema } from '../tenancy/schema-name.js';
import { ensureDevTls } from '../tls/dev-certificates.js';
import { percentile } from './percentile.js';
import type { GatewaysReport, GatewaysSetup } from './sync-gateways.js';

const TENANTS = 20;
const PER_TENANT = 10;
const ROUNDS = process.argv.includes('--quick') ? 3 : 10;
/** `--services=N`: each tenant starts with N services, for the cost of large configs (gzip frames above 8 KiB). */
const SERVICES = Number(/^--services=(\d+)$/.exec(process.argv.find((a) => a.startsWith('--services=')) ?? '')?.[1] ?? 0);
const PORT = 19_080 + Math.floor(Math.random() * 1000);
const BASE = `https://localhost:${PORT}`;
const METRICS_PORT = PORT + 1000;
const PROFILE_DIR = process.env.BENCH_CPU_PROFILE_DIR;
/** Monotonic microseconds: the clock V8 CPU profiles use, shared by every process on the machine. */
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);
const monotonicMs = () => Number(process.hrtime.bigint()) / 1e6;


async function main(): Promise<void> {
  const db = await createTestDatabase();
  const tls = ensureDevTls(mkdtempSync(join(tmpdir(), 'novagate-bench-tls-')));
  const ca = readFileSync(tls.caFile, 'utf8');
  const dispatcher = new Agent({ connect: { ca } });
  // Registration links come from the folder mailer (no SMTP_URL).
  const mailDir = mkdtempSync(join(tmpdir(), 'novagate-bench-mail-'));
  const mailReader = createFolderMailReader(mailDir);
  const server = spawn(process.execPath, ['--expose-gc', ...(PROFILE_DIR === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`]), '--import', 'tsx', '--import', fileURLToPath(new URL('./collect-garbage-on-signal.ts', import.meta.url)), fileURLToPath(new URL('../main.ts', import.meta.url))], {
    env: {
      ...process.env,
      DATABASE_URL: db.url,
      PLATFORM_JWT_SECRET: 'bench-platform-secret-0123456789abcdef0123',
      PORT: String(PORT),
      METRICS_PORT: String(METRICS_PORT),
      MAIL_DIR: mailDir,
      TLS_CERT_FILE: tls.certFile,
      TLS_KEY_FILE: tls.keyFile,
      TRUSTED_PROXIES: '127.0.0.1,::1',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const gateways = fork(fileURLToPath(new URL('./sync-gateways.ts', import.meta.url)), { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const api = async (method: string, path: string, body?: unknown, token?: string, ip?: string) => {
      const response = await fetch(`${BASE}${path}`, {
        method,
        dispatcher,
        headers: {
          'content-type': 'application/json',
          ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
          ...(ip === undefined ? {} : { 'x-forwarded-for': ip }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      if (response.status >= 400) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
      return text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>);
    };
    let up = false;
    for (let i = 0; i < 300 && !up && server.exitCode === null; i++) {
      up = await api('GET', '/healthz').then(() => true, () => false);
      if (!up) await new Promise((r) => setTimeout(r, 100));
    }
    if (!up) throw new Error('the control plane did not start');

    const memory = async () => {
      const text = await fetch(`https://localhost:${METRICS_PORT}/metrics`, { dispatcher }).then((r) => r.text());
      const read = (name: string) => Number(new RegExp(`^${name} ([0-9.e+]+)`, 'm').exec(text)?.[1] ?? NaN);
      return {
        rss: read('process_resident_memory_bytes'),
        heap: read('nodejs_heap_size_used_bytes'),
        cpuSeconds: read('process_cpu_user_seconds_total') + read('process_cpu_system_seconds_total'),
      };
    };
    /** Memory after a full garbage collection in the control plane (collect-garbage-on-signal.ts). */
    const collectedMemory = async () => {
      server.kill('SIGUSR2');
      await new Promise((r) => setTimeout(r, 300));
      return memory();
    };
    // CPU time (user + system) of the PostgreSQL backends serving the bench database, by pid, from /proc:
    // on a shared machine, latencies are noisy but CPU seconds are not.
    const databaseCpu = async () => {
      const { rows } = await db.pool.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database()');
      const byPid = new Map<number, number>();
      for (const { pid } of rows) {
        try {
          const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
          byPid.set(pid, (Number(fields[11]) + Number(fields[12])) / 100);
        } catch {
          // PostgreSQL on another machine, or the backend just ended: no figure.
        }
      }
      return byPid;
    };

    const tenants: { id: string; token: string; key: string }[] = [];
    for (let i = 0; i < TENANTS; i++) {
      const email = `sync-${i}-${Date.now()}@example.com`;
      await api('POST', '/api/v1/auth/register', { email, password: 'benchmark password', tenantName: `Sync ${i}` }, undefined, `10.9.0.${i + 1}`);
      const body = (await api('POST', '/api/v1/auth/register/confirm', { token: registrationTokenIn(await mailReader.waitFor(email)) }, undefined, `10.9.1.${i + 1}`)) as {
        tenant: { id: string };
        token: string;
        gatewayApiKey: string;
      };
      tenants.push({ id: body.tenant.id, token: body.token, key: body.gatewayApiKey });
    }
    await db.pool.query("UPDATE public.tenants SET plan = 'enterprise'");
    // The version each tenant's gateways start from: 1, or the one holding the --services preload.
    let firstVersion = 1;
    if (SERVICES > 0) {
      const services = Array.from({ length: SERVICES }, (_, i) => ({ name: `preloaded-${i}`, url: `http://preloaded-${i}.internal:8080`, timeoutMs: 5000 }));
      for (const tenant of tenants) {
        const applied = (await api('PUT', `/api/v1/tenants/${tenant.id}/config`, { config: { services } }, tenant.token)) as { version: number };
        firstVersion = applied.version;
      }
    }
    await new Promise((r) => setTimeout(r, 500));
    const before = await memory();
    const beforeCollected = await collectedMemory();

    // When each node of each tenant acked each version (reported by the gateways' process), and who waits for a version.
    const acked = new Map<string, Map<number, number[]>>(tenants.map((t) => [t.id, new Map()]));
    const waiting = new Map<string, { version: number; resolve: (times: number[]) => void }>();
    let gatewaysCpuWaiter: ((seconds: number) => void) | undefined;
    const gatewaysCpu = () =>
      new Promise<number>((resolve) => {
        gatewaysCpuWaiter = resolve;
        gateways.send('cpu');
      });
    const ready = new Promise<void>((resolve, reject) => {
      gateways.on('message', (message: GatewaysReport) => {
        if (message.type === 'ready') return resolve();
        if (message.type === 'cpu') return gatewaysCpuWaiter?.(message.seconds);
        const byVersion = acked.get(message.tenantId) as Map<number, number[]>;
        const times = byVersion.get(message.version) ?? [];
        times.push(message.atMs);
        byVersion.set(message.version, times);
        const waiter = waiting.get(message.tenantId);
        if (waiter?.version === message.version && times.length === PER_TENANT) waiter.resolve(times);
      });
      gateways.once('exit', (code) => reject(new Error(`the gateways' process exited with ${code}`)));
    });
    const allAcked = (tenantId: string, version: number) =>
      new Promise<number[]>((resolve, reject) => {
        const times = acked.get(tenantId)?.get(version) ?? [];
        if (times.length >= PER_TENANT) return resolve(times);
        const timer = setTimeout(() => reject(new Error(`tenant ${tenantId}: only ${times.length} acks for version ${version}`)), 30_000);
        waiting.set(tenantId, { version, resolve: (all) => (clearTimeout(timer), resolve(all)) });
      });
    const setup: GatewaysSetup = { url: `wss://localhost:${PORT}`, ca, tenants: tenants.map((t) => ({ id: t.id, key: t.key })), perTenant: PER_TENANT };
    gateways.send(setup);
    await ready;
    await Promise.all(tenants.map((tenant) => allAcked(tenant.id, firstVersion)));
    await new Promise((r) => setTimeout(r, 1_000));
    const after = await memory();
    const afterCollected = await collectedMemory();

    /** One write per tenant, all at once; resolves to each tenant's [write answered, last ack] in ms. */
    const round = (index: number) =>
      Promise.all(
        tenants.map(async (tenant) => {
          const started = monotonicMs();
          await api('POST', `/api/v1/tenants/${tenant.id}/services`, { name: `svc-${index}`, url: 'http://upstream:8080' }, tenant.token);
          const answered = monotonicMs() - started;
          const times = await allAcked(tenant.id, firstVersion + 1 + index);
          return [answered, Math.max(...times) - started] as const;
        }),
      );
    // Round 0 warms up: the admin client opens its 20 TLS connections, the control plane compiles its write path.
    // It is shown on its own line, not mixed into the percentiles of the steady state.
    const warmup = await round(0);
    const latencies: number[] = [];
    const writes: number[] = [];
    const cpuFrom = { server: (await memory()).cpuSeconds, database: await databaseCpu(), gateways: await gatewaysCpu() };
    const windowFrom = monotonicUs();
    for (let index = 1; index <= ROUNDS; index++) {
      for (const [answered, lastAck] of await round(index)) {
        writes.push(answered);
        latencies.push(lastAck);
      }
    }
    const windowTo = monotonicUs();
    const serverCpu = (await memory()).cpuSeconds - cpuFrom.server;
    const gatewaysCpuSeconds = (await gatewaysCpu()) - cpuFrom.gateways;
    let databaseCpuSeconds = 0;
    for (const [pid, seconds] of await databaseCpu()) databaseCpuSeconds += seconds - (cpuFrom.database.get(pid) ?? 0);

    // Not timed: every ack must also have reached the control plane's gateway_nodes table.
    const finalVersion = firstVersion + 1 + ROUNDS;
    let recorded = 0;
    for (let attempt = 0; attempt < 50; attempt++) {
      recorded = 0;
      for (const tenant of tenants) {
        const { rows } = await db.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM ${quotedTenantSchema(tenant.id)}.gateway_nodes WHERE acked_version = $1`,
          [finalVersion],
        );
        recorded += rows[0]?.n ?? 0;
      }
      if (recorded === TENANTS * PER_TENANT) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const connections = TENANTS * PER_TENANT;
    console.log(`\nNovaGate config sync benchmark: ${connections} gateway connections (TLS) over ${TENANTS} tenants, ${ROUNDS} rounds (after one warm-up round) of one write per tenant${SERVICES > 0 ? `, ${SERVICES} services preloaded per tenant` : ''}\n`);
    console.log(`admin write answered             p50 ${percentile(writes, 50).toFixed(1)} ms   p99 ${percentile(writes, 99).toFixed(1)} ms`);
    console.log(`warm-up round (not in the above) write max ${Math.max(...warmup.map((w) => w[0])).toFixed(1)} ms   last ack max ${Math.max(...warmup.map((w) => w[1])).toFixed(1)} ms`);
    console.log(`write → last ack of the tenant   p50 ${percentile(latencies, 50).toFixed(1)} ms   p99 ${percentile(latencies, 99).toFixed(1)} ms   (${latencies.length} samples)`);
    const perWrite = (seconds: number) => ((seconds * 1000) / writes.length).toFixed(2);
    console.log(`CPU per write (incl. its acks)   control plane ${perWrite(serverCpu)} ms   PostgreSQL ${perWrite(databaseCpuSeconds)} ms   (the 10 bench gateways: ${perWrite(gatewaysCpuSeconds)} ms)`);
    console.log(`acks of the last version recorded in gateway_nodes: ${recorded}/${connections}`);
    console.log(`memory per connection            rss ${((after.rss - before.rss) / connections / 1024).toFixed(1)} KB   heap ${((after.heap - before.heap) / connections / 1024).toFixed(1)} KB`);
    console.log(`  after a full GC                rss ${((afterCollected.rss - beforeCollected.rss) / connections / 1024).toFixed(1)} KB   heap ${((afterCollected.heap - beforeCollected.heap) / connections / 1024).toFixed(1)} KB`);
    console.log('\ntargets: p99 <= 250 ms; <= 100 KB per connection');
    if (PROFILE_DIR !== undefined) {
      console.log(`\nCPU profile of the control plane in ${PROFILE_DIR}; the measured rounds (${writes.length} writes, ${writes.length * PER_TENANT} acks):`);
      console.log(`  npx tsx src/bench/cpu-profile-summary.ts ${PROFILE_DIR}/<file>.cpuprofile ${windowFrom} ${windowTo} ${writes.length}`);
    }
  } finally {
    if (gateways.connected) gateways.disconnect();
    if (gateways.exitCode === null) await new Promise((r) => gateways.once('exit', r));
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    await dispatcher.close();
    await db.drop();
    rmSync(mailDir, { recursive: true, force: true });
  }
}

await main();
