// `npm run bench:hub-flood`: the floods of issue 12, item 5, against a real control-plane process. One gateway key
// sends `logs` as fast as it can for 15 s, then another acks as fast as it can for 15 s, then nacks for 10 s, and
// finally SIGTERM arrives during a flood. Prints the control plane's RSS, rows written against the plan quota,
// another tenant's admin p99 quiet and under each flood, the ack backlog, and the SIGTERM exit time. Asserts
// nothing. `--quick` shortens every flood to 5 s.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, TEST_REDIS_URL } from '../testing/database.js';
import { startControlPlaneProcess, type ControlPlaneProcess } from '../testing/control-plane-process.js';
import type { FloodMode, FloodReport } from '../testing/flood-client.js';
import { quotedTenantSchema } from '../tenancy/schema-name.js';
import { percentile } from './percentile.js';

const QUICK = process.argv.includes('--quick');
const LOGS_SECONDS = QUICK ? 5 : 15;
const ACKS_SECONDS = QUICK ? 5 : 15;
const NACKS_SECONDS = QUICK ? 5 : 10;
const FLOOD_CLIENT = fileURLToPath(new URL('../testing/flood-client-process.ts', import.meta.url));
const METRICS_PORT = 29_000 + Math.floor(Math.random() * 1000);
const MB = 1024 * 1024;

interface Tenant {
  id: string;
  token: string;
  key: string;
}

async function main(): Promise<void> {
  const db = await createTestDatabase();
  const controlPlane = await startControlPlaneProcess({
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    PLATFORM_JWT_SECRET: 'bench-platform-secret-0123456789abcdef0123',
    TRUSTED_PROXIES: '127.0.0.1,::1',
    METRICS_PORT: String(METRICS_PORT),
  });
  const rows: [string, string][] = [];
  const row = (name: string, value: string) => {
    rows.push([name, value]);
    process.stderr.write(`  ${name}: ${value}\n`);
  };
  try {
    const api = async (method: string, path: string, body?: unknown, token?: string) => {
      const response = await fetch(`${controlPlane.url}/api/v1${path}`, {
        method,
        headers: {
          'content-type': 'application/json',
          ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
          'x-forwarded-for': `10.3.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as Record<string, any>) }; // eslint-disable-line @typescript-eslint/no-explicit-any -- bench reads JSON freely
    };
    const register = async (name: string): Promise<Tenant> => {
      const tenant = await controlPlane.registerTenant(name, `10.3.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`);
      return { id: tenant.id, token: tenant.token, key: tenant.gatewayApiKey };
    };
    const quiet = await register('quiet');
    await api('POST', `/tenants/${quiet.id}/services`, { name: 'users', url: 'http://users:8080' }, quiet.token);

    /** The quiet tenant's GET /services latencies, 4 requests at a time, for `seconds`. */
    const adminLatencies = async (seconds: number): Promise<number[]> => {
      const samples: number[] = [];
      const endAt = performance.now() + seconds * 1000;
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (performance.now() < endAt) {
            const started = performance.now();
            const response = await api('GET', `/tenants/${quiet.id}/services`, undefined, quiet.token);
            samples.push(performance.now() - started);
            if (response.status !== 200) throw new Error(`admin request answered ${response.status}`);
            await new Promise((r) => setTimeout(r, 20));
          }
        }),
      );
      return samples;
    };
    const metrics = async (): Promise<string> => {
      const response = await fetch(`http://127.0.0.1:${METRICS_PORT}/metrics`).catch(() => undefined);
      return response?.ok === true ? response.text() : '';
    };
    const metric = (text: string, name: string, labels = ''): number => {
      let sum = 0;
      for (const line of text.split('\n')) if (line.startsWith(`${name}${labels === '' ? '' : `{${labels}}`} `) || (labels === '' && line.startsWith(`${name}{`))) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
      return sum;
    };
    const flood = (key: string, mode: FloodMode, seconds: number): Promise<FloodReport> => {
      const child = spawn(process.execPath, ['--import', 'tsx', FLOOD_CLIENT, controlPlane.url, key, mode, String(seconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
      return new Promise((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as FloodReport) : reject(new Error(`flood client exited with ${code}`)))));
    };
    /** Samples RSS every 100 ms until stopped; answers the highest sample. */
    const rssSampler = (cp: ControlPlaneProcess) => {
      let peak = cp.memory().rss;
      const timer = setInterval(() => (peak = Math.max(peak, cp.memory().rss)), 100);
      return () => {
        clearInterval(timer);
        return peak;
      };
    };
    const ms = (value: number) => `${value.toFixed(1)} ms`;
    const count = async (sql: string) => Number((await db.pool.query<{ n: string }>(sql)).rows[0]?.n ?? 0);

    row('control-plane RSS at rest', `${(controlPlane.memory().rss / MB).toFixed(0)} MB`);
    const quietSamples = await adminLatencies(5);
    row('admin GET /services quiet p50 / p99', `${ms(percentile(quietSamples, 50))} / ${ms(percentile(quietSamples, 99))} (${quietSamples.length} requests)`);

    // 1. logs
    const logsTenant = await register('logs');
    const quota = await count(`SELECT telemetry_rows_per_day AS n FROM public.plans WHERE name = 'free'`);
    let stopRss = rssSampler(controlPlane);
    const logsFlood = flood(logsTenant.key, 'logs', LOGS_SECONDS);
    await new Promise((r) => setTimeout(r, 1_000));
    const logsAdmin = await adminLatencies(LOGS_SECONDS - 2);
    const logsReport = await logsFlood;
    await new Promise((r) => setTimeout(r, 1_000));
    const logsPeak = stopRss();
    const written = await count(`SELECT count(*) AS n FROM ${quotedTenantSchema(logsTenant.id)}.request_logs`);
    let text = await metrics();
    row(`logs flood ${LOGS_SECONDS} s: offered`, `${logsReport.sent} messages, ${logsReport.entries} entries (${(logsReport.entries / logsReport.seconds).toFixed(0)}/s)`);
    row('logs flood: rows written / free quota', `${written} / ${quota}`);
    row(
      'logs flood: entries dropped (connection rate / tenant rate / quota)',
      ['connection_rate', 'tenant_rate', 'quota'].map((r) => metric(text, 'novagate_hub_log_entries_dropped_total', `reason="${r}"`)).join(' / '),
    );
    row('logs flood: control-plane RSS peak (sampled)', `${(logsPeak / MB).toFixed(0)} MB`);
    row('logs flood: admin p50 / p99', `${ms(percentile(logsAdmin, 50))} / ${ms(percentile(logsAdmin, 99))} (${logsAdmin.length} requests)`);

    // 2. acks
    const acksTenant = await register('acks');
    const coalescedBefore = metric(text, 'novagate_hub_reports_coalesced_total', 'type="ack"');
    const writtenBefore = metric(text, 'novagate_hub_reports_written_total', 'type="ack"');
    stopRss = rssSampler(controlPlane);
    const acksFlood = flood(acksTenant.key, 'acks', ACKS_SECONDS);
    await new Promise((r) => setTimeout(r, 1_000));
    const acksAdmin = await adminLatencies(ACKS_SECONDS - 2);
    const acksReport = await acksFlood;
    const floodEnded = performance.now();
    // The backlog is what the hub still handles after the flood: until its ack counters stop moving for 2 s. (The
    // flood client's last acks may never arrive: its socket is reset when it exits, dropping what the kernel held.)
    const handledAcks = async () => {
      const now = await metrics();
      return metric(now, 'novagate_hub_reports_coalesced_total', 'type="ack"') + metric(now, 'novagate_hub_reports_written_total', 'type="ack"');
    };
    let lastHandled = await handledAcks();
    let lastChange = performance.now();
    while (performance.now() - lastChange < 2_000 && performance.now() - floodEnded < 180_000) {
      await new Promise((r) => setTimeout(r, 250));
      const handled = await handledAcks();
      if (handled !== lastHandled) {
        lastHandled = handled;
        lastChange = performance.now();
      }
    }
    const drainedMs = Math.max(0, lastChange - floodEnded);
    const acksPeak = stopRss();
    text = await metrics();
    const coalesced = metric(text, 'novagate_hub_reports_coalesced_total', 'type="ack"') - coalescedBefore;
    const ackWrites = metric(text, 'novagate_hub_reports_written_total', 'type="ack"') - writtenBefore;
    row(`ack flood ${ACKS_SECONDS} s: acks sent`, `${acksReport.sent} (${(acksReport.sent / acksReport.seconds).toFixed(0)}/s)`);
    row('ack flood: acks handled / database writes', `${ackWrites + coalesced} / ${ackWrites}`);
    row('ack flood: backlog handled after the flood ended', ms(drainedMs));
    row('ack flood: control-plane RSS peak (sampled)', `${(acksPeak / MB).toFixed(0)} MB`);
    row('ack flood: admin p50 / p99', `${ms(percentile(acksAdmin, 50))} / ${ms(percentile(acksAdmin, 99))} (${acksAdmin.length} requests)`);

    // 3. nacks
    const nacksTenant = await register('nacks');
    const nacksBefore = metric(text, 'novagate_config_nacks_total');
    stopRss = rssSampler(controlPlane);
    const nacksReport = await flood(nacksTenant.key, 'nacks', NACKS_SECONDS);
    await new Promise((r) => setTimeout(r, 1_000));
    const nacksPeak = stopRss();
    text = await metrics();
    row(`nack flood ${NACKS_SECONDS} s: nacks sent / counted and logged`, `${nacksReport.sent} / ${metric(text, 'novagate_config_nacks_total') - nacksBefore}`);
    row('nack flood: control-plane RSS peak (sampled)', `${(nacksPeak / MB).toFixed(0)} MB`);

    // The machine may be shared: a second quiet measurement shows how much of the difference is noise.
    const quietAgain = await adminLatencies(5);
    row('admin GET /services quiet again p50 / p99', `${ms(percentile(quietAgain, 50))} / ${ms(percentile(quietAgain, 99))} (${quietAgain.length} requests)`);

    // 4. SIGTERM during a logs flood
    const lastTenant = await register('sigterm');
    const lastFlood = flood(lastTenant.key, 'logs', 30);
    await new Promise((r) => setTimeout(r, 3_000));
    const peakEver = controlPlane.memory().peak;
    const stopped = await controlPlane.stop('SIGTERM');
    await lastFlood.catch(() => undefined);
    row('SIGTERM during a logs flood: exit after', `${ms(stopped.exitMs)} (code ${stopped.code})`);
    row('control-plane RSS peak over the whole run (VmHWM)', `${(peakEver / MB).toFixed(0)} MB`);
  } finally {
    await controlPlane.kill();
    await db.drop();
  }
  const width = Math.max(...rows.map(([name]) => name.length));
  process.stdout.write(`\nhub flood (issue 12, item 5)\n${rows.map(([name, value]) => `${name.padEnd(width)}  ${value}`).join('\n')}\n`);
}

await main();
