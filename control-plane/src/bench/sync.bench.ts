// `npm run bench:sync`: 200 gateway protocol connections over 20 tenants on one TLS control plane; the time
// from an admin-API write to the last ack of that tenant's gateways (p50/p99), and the control plane's memory
// per connection. Prints a table; asserts nothing. With BENCH_CPU_PROFILE_DIR set, the control plane writes a V8
// CPU profile there and the bench prints the measured window for cpu-profile-summary.ts.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { gunzipSync } from 'node:zlib';
import { Agent, fetch } from 'undici';
import WebSocket from 'ws';
import { createTestDatabase } from '../testing/database.js';
import { ensureDevTls } from '../tls/dev-certificates.js';

const TENANTS = 20;
const PER_TENANT = 10;
const ROUNDS = process.argv.includes('--quick') ? 3 : 10;
const PORT = 19_080 + Math.floor(Math.random() * 1000);
const BASE = `https://localhost:${PORT}`;
const PROFILE_DIR = process.env.BENCH_CPU_PROFILE_DIR;
/** Monotonic microseconds: the clock V8 CPU profiles use, shared by every process on the machine. */
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function main(): Promise<void> {
  const db = await createTestDatabase();
  const tls = ensureDevTls(mkdtempSync(join(tmpdir(), 'novagate-bench-tls-')));
  const ca = readFileSync(tls.caFile, 'utf8');
  const dispatcher = new Agent({ connect: { ca } });
  const server = spawn(process.execPath, ['--expose-gc', ...(PROFILE_DIR === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`]), '--import', 'tsx', fileURLToPath(new URL('../main.ts', import.meta.url))], {
    env: {
      ...process.env,
      DATABASE_URL: db.url,
      PLATFORM_JWT_SECRET: 'bench-platform-secret-0123456789abcdef0123',
      PORT: String(PORT),
      TLS_CERT_FILE: tls.certFile,
      TLS_KEY_FILE: tls.keyFile,
      TRUSTED_PROXIES: '127.0.0.1,::1',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const sockets: WebSocket[] = [];
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
      const text = await fetch(`${BASE}/metrics`, { dispatcher }).then((r) => r.text());
      const read = (name: string) => Number(new RegExp(`^${name} ([0-9.e+]+)`, 'm').exec(text)?.[1] ?? NaN);
      return { rss: read('process_resident_memory_bytes'), heap: read('nodejs_heap_size_used_bytes') };
    };

    const tenants: { id: string; token: string; key: string }[] = [];
    for (let i = 0; i < TENANTS; i++) {
      const body = (await api('POST', '/api/v1/auth/register', { email: `sync-${i}-${Date.now()}@example.com`, password: 'benchmark password', tenantName: `Sync ${i}` }, undefined, `10.9.0.${i + 1}`)) as {
        tenant: { id: string };
        token: string;
        gatewayApiKey: string;
      };
      tenants.push({ id: body.tenant.id, token: body.token, key: body.gatewayApiKey });
    }
    await db.pool.query("UPDATE public.tenants SET plan = 'enterprise'");
    await new Promise((r) => setTimeout(r, 500));
    const before = await memory();

    // Every connection acks each config it receives; `acked` records when each tenant's version was acked by each node.
    const acked = new Map<string, Map<number, number[]>>();
    for (const tenant of tenants) {
      acked.set(tenant.id, new Map());
      for (let n = 0; n < PER_TENANT; n++) {
        const socket = new WebSocket(`wss://localhost:${PORT}/gateway/v1/connect`, { headers: { authorization: `Bearer ${tenant.key}` }, ca, perMessageDeflate: false });
        await new Promise<void>((resolve, reject) => {
          socket.once('open', () => resolve());
          socket.once('error', reject);
        });
        socket.on('message', (data: Buffer, isBinary) => {
          const message = JSON.parse(isBinary ? gunzipSync(data).toString() : data.toString()) as { type: string; version: number; hash: string };
          if (message.type !== 'config') return;
          socket.send(JSON.stringify({ type: 'ack', version: message.version, hash: message.hash }));
          const byVersion = acked.get(tenant.id) as Map<number, number[]>;
          byVersion.set(message.version, [...(byVersion.get(message.version) ?? []), performance.now()]);
        });
        socket.send(JSON.stringify({ type: 'hello', nodeId: `bench-${n}`, version: 'bench', configVersion: null, configHash: null }));
        sockets.push(socket);
      }
    }
    await new Promise((r) => setTimeout(r, 1_000));
    const after = await memory();

    const latencies: number[] = [];
    const writes: number[] = [];
    const windowFrom = monotonicUs();
    for (let round = 0; round < ROUNDS; round++) {
      await Promise.all(
        tenants.map(async (tenant) => {
          const started = performance.now();
          await api('POST', `/api/v1/tenants/${tenant.id}/services`, { name: `svc-${round}`, url: 'http://upstream:8080' }, tenant.token);
          writes.push(performance.now() - started);
          const version = round + 2;
          const deadline = Date.now() + 30_000;
          const byVersion = acked.get(tenant.id) as Map<number, number[]>;
          while ((byVersion.get(version)?.length ?? 0) < PER_TENANT && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
          const times = byVersion.get(version) ?? [];
          if (times.length < PER_TENANT) throw new Error(`tenant ${tenant.id}: only ${times.length} acks for version ${version}`);
          latencies.push(Math.max(...times) - started);
        }),
      );
    }

    const windowTo = monotonicUs();
    const connections = TENANTS * PER_TENANT;
    console.log(`\nNovaGate config sync benchmark: ${connections} gateway connections (TLS) over ${TENANTS} tenants, ${ROUNDS} rounds of one write per tenant\n`);
    console.log(`admin write answered             p50 ${percentile(writes, 50).toFixed(1)} ms   p99 ${percentile(writes, 99).toFixed(1)} ms`);
    console.log(`write → last ack of the tenant   p50 ${percentile(latencies, 50).toFixed(1)} ms   p99 ${percentile(latencies, 99).toFixed(1)} ms   (${latencies.length} samples)`);
    console.log(`memory per connection            rss ${((after.rss - before.rss) / connections / 1024).toFixed(1)} KB   heap ${((after.heap - before.heap) / connections / 1024).toFixed(1)} KB`);
    console.log('\ntargets: p99 <= 250 ms; <= 100 KB per connection');
    if (PROFILE_DIR !== undefined) {
      console.log(`\nCPU profile of the control plane in ${PROFILE_DIR}; the measured rounds (${writes.length} writes, ${writes.length * PER_TENANT} acks):`);
      console.log(`  npx tsx src/bench/cpu-profile-summary.ts ${PROFILE_DIR}/<file>.cpuprofile ${windowFrom} ${windowTo} ${writes.length}`);
    }
  } finally {
    for (const socket of sockets) socket.terminate();
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    await dispatcher.close();
    await db.drop();
  }
}

await main();
