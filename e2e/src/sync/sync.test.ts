// Control plane ⇄ gateway, whole system: a real control-plane process (TLS, PostgreSQL, Redis), real gateway
// processes and a real upstream, all on loopback.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, fetch } from 'undici';
import { createTestDatabase, TEST_REDIS_URL, type TestDatabase } from '@novagate/control-plane/testing/database';
import { ensureDevTls, type DevTls } from '@novagate/control-plane/tls/dev-certificates';
import { createFolderMailReader, registrationTokenIn } from '@novagate/control-plane/testing/mail-folder';
import { lockTenantForConfigChange, quotedTenantSchema, recordConfigVersion, withTransaction } from '@novagate/control-plane/tenancy';
import { startGatewayProcess, type GatewayProcess } from '@novagate/gateway/testing/gateway-process';
import { formatApiKey } from '@novagate/gateway/protocol';
import { startUpstream, type TestUpstream } from '@novagate/gateway/testing/upstream';

const CONTROL_PLANE_MAIN = fileURLToPath(new URL('../../../control-plane/src/main.ts', import.meta.url));
const JWT_SECRET = 'e2e-gateway-jwt-secret-0123456789abcdef';

let db: TestDatabase;
let tls: DevTls;
const mailDir = mkdtempSync(join(tmpdir(), 'novagate-e2e-mail-'));
const mail = createFolderMailReader(mailDir);
let dispatcher: Agent;
let upstream: TestUpstream;
const port = 20_000 + Math.floor(Math.random() * 20_000);
const base = `https://localhost:${port}`;

interface ControlPlaneProcess {
  child: ChildProcess;
  kill(): Promise<void>;
}

async function startControlPlane(): Promise<ControlPlaneProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', CONTROL_PLANE_MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      PLATFORM_JWT_SECRET: 'e2e-platform-secret-0123456789abcdef012',
      PORT: String(port),
      METRICS_PORT: '0',
      MAIL_DIR: mailDir,
      TLS_CERT_FILE: tls.certFile,
      TLS_KEY_FILE: tls.keyFile,
      TRUSTED_PROXIES: '127.0.0.1,::1',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 300 && child.exitCode === null; i++) {
    const up = await fetch(`${base}/healthz`, { dispatcher }).then((r) => r.ok, () => false);
    if (up) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    async kill() {
      if (child.exitCode !== null) return;
      child.kill('SIGKILL');
      await once(child, 'exit');
    },
  };
}

async function api(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any -- test reads JSON freely
  const response = await fetch(`${base}/api/v1${path}`, {
    method,
    dispatcher,
    headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), 'x-forwarded-for': `10.1.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
}

interface Tenant {
  id: string;
  token: string;
  key: string;
}

/** Registers through both steps: the control plane's folder mailer (no SMTP_URL) holds the link's token. */
async function registerTenant(): Promise<Tenant> {
  const email = `e2e-${Math.random().toString(36).slice(2)}@example.com`;
  const response = await api('POST', '/auth/register', { email, password: 'e2e password 123', tenantName: 'E2E' });
  assert.equal(response.status, 202);
  const token = registrationTokenIn(await mail.waitFor(email));
  assert.ok(token !== null, 'the registration mail holds a link');
  const confirmed = await api('POST', '/auth/register/confirm', { token });
  assert.equal(confirmed.status, 201);
  return { id: confirmed.body.tenant.id, token: confirmed.body.token, key: confirmed.body.gatewayApiKey };
}

/** Starts a gateway in control-plane mode; an `extra` value of '' removes that variable. */
function startGateway(tenant: Tenant, extra: Record<string, string> = {}): Promise<GatewayProcess> {
  const env: Record<string, string> = {
    CONTROL_PLANE_URL: `wss://localhost:${port}`,
    CONTROL_PLANE_CA_FILE: tls.caFile,
    GATEWAY_API_KEY: tenant.key,
    JWT_SECRET,
    ...extra,
  };
  return startGatewayProcess(Object.fromEntries(Object.entries(env).filter(([, value]) => value !== '')));
}

async function gatewayGet(gateway: GatewayProcess, path: string): Promise<number> {
  try {
    const response = await fetch(`http://127.0.0.1:${gateway.port}${path}`, { signal: AbortSignal.timeout(5_000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

/** Polls until the gateway answers `path` with `status`; returns how long that took. */
async function waitForStatus(gateway: GatewayProcess, path: string, status: number, timeoutMs = 20_000): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if ((await gatewayGet(gateway, path)) === status) return performance.now() - started;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`gateway did not answer ${status} on ${path} within ${timeoutMs} ms`);
}

async function gatewayMetric(gateway: GatewayProcess, name: string): Promise<number> {
  const text = await fetch(`http://127.0.0.1:${gateway.metricsPort}/metrics`).then((r) => r.text());
  return Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(text)?.[1] ?? NaN);
}

let controlPlane: ControlPlaneProcess;

before(async () => {
  db = await createTestDatabase();
  tls = ensureDevTls(mkdtempSync(join(tmpdir(), 'novagate-e2e-tls-')));
  dispatcher = new Agent({ connect: { ca: readFileSync(tls.caFile, 'utf8') } });
  upstream = await startUpstream();
  controlPlane = await startControlPlane();
});
after(async () => {
  await controlPlane.kill();
  await upstream.close();
  await dispatcher.close();
  await db.drop();
  rmSync(mailDir, { recursive: true, force: true });
});

async function routeTo(tenant: Tenant, name: string, path: string, extra: Record<string, unknown> = {}): Promise<void> {
  const services = await api('GET', `/tenants/${tenant.id}/services`, undefined, tenant.token);
  if (!services.body.data.some((s: { name: string }) => s.name === 'echo')) {
    const created = await api('POST', `/tenants/${tenant.id}/services`, { name: 'echo', url: upstream.url, retries: 0 }, tenant.token);
    assert.equal(created.status, 201, JSON.stringify(created.body));
  }
  const route = await api('POST', `/tenants/${tenant.id}/routes`, { name, service: 'echo', paths: [path], ...extra }, tenant.token);
  assert.equal(route.status, 201, JSON.stringify(route.body));
}

test('an admin API change is served by the connected gateway (time measured, not slept)', async () => {
  const tenant = await registerTenant();
  const gateway = await startGateway(tenant);
  try {
    await waitForStatus(gateway, '/anything', 404);
    const started = performance.now();
    await routeTo(tenant, 'hello', '/hello');
    await waitForStatus(gateway, '/hello', 200);
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 20_000);
    assert.equal(await gatewayMetric(gateway, 'novagate_control_plane_connected'), 1);
    const nodes = await api('GET', `/tenants/${tenant.id}/gateways`, undefined, tenant.token);
    assert.equal(nodes.body.data.length, 1);
    const config = await api('GET', `/tenants/${tenant.id}/config`, undefined, tenant.token);
    for (let i = 0; i < 100; i++) {
      const node = (await api('GET', `/tenants/${tenant.id}/gateways`, undefined, tenant.token)).body.data[0];
      if (node.configVersion === config.body.version) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const node = (await api('GET', `/tenants/${tenant.id}/gateways`, undefined, tenant.token)).body.data[0];
    assert.equal(node.configVersion, config.body.version, 'the gateway acked the newest version');
    assert.equal(node.configHash, config.body.hash, "the gateway's hash equals the control plane's");
    process.stdout.write(`# admin change → served by the gateway in ${elapsed.toFixed(0)} ms\n`);
  } finally {
    await gateway.stop();
  }
});

test('request logs reach the API without query strings or raw paths, only in their own tenant', async () => {
  const a = await registerTenant();
  const b = await registerTenant();
  await routeTo(a, 'user', '/users/:id');
  const gateway = await startGateway(a);
  try {
    await waitForStatus(gateway, '/users/12345?token=secret', 200);
    let logs: { pathTemplate: string; route: string; status: number }[] = [];
    for (let i = 0; i < 200 && logs.length === 0; i++) {
      logs = (await api('GET', `/tenants/${a.id}/request-logs?route=user`, undefined, a.token)).body.data;
      if (logs.length === 0) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(logs.length > 0, 'no request log arrived');
    assert.equal(logs[0]?.pathTemplate, '/users/:id');
    assert.doesNotMatch(JSON.stringify(logs), /12345|secret/);
    assert.deepEqual((await api('GET', `/tenants/${b.id}/request-logs`, undefined, b.token)).body.data, []);
  } finally {
    await gateway.stop();
  }
});

test('a config the gateway refuses is nacked and recorded, and the old routes keep serving', async () => {
  const tenant = await registerTenant();
  await routeTo(tenant, 'open', '/open');
  const gateway = await startGateway(tenant, { JWT_SECRET: '' });
  try {
    await waitForStatus(gateway, '/open', 200);
    // This gateway has no JWT_SECRET, so a jwt route cannot compile on it.
    await routeTo(tenant, 'secured', '/secured', { auth: 'jwt' });
    let lastNack: { version: number; message: string } | null = null;
    for (let i = 0; i < 200 && lastNack === null; i++) {
      lastNack = (await api('GET', `/tenants/${tenant.id}/gateways`, undefined, tenant.token)).body.data[0]?.lastNack ?? null;
      if (lastNack === null) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(lastNack !== null, 'no nack recorded');
    assert.match(lastNack.message, /JWT_SECRET/);
    assert.equal(await gatewayGet(gateway, '/open'), 200, 'the last good config keeps serving');
    assert.equal(await gatewayGet(gateway, '/secured'), 404);
  } finally {
    await gateway.stop();
  }
});

test('control plane killed under load: zero failed requests, and a change written meanwhile arrives when it returns', async () => {
  const tenant = await registerTenant();
  await routeTo(tenant, 'steady', '/steady');
  const cacheDir = mkdtempSync(join(tmpdir(), 'novagate-e2e-cache-'));
  const gateway = await startGateway(tenant, { CONFIG_CACHE_FILE: join(cacheDir, 'config.json') });
  try {
    await waitForStatus(gateway, '/steady', 200);
    let running = true;
    let sent = 0;
    const failures: number[] = [];
    const load = Promise.all(
      Array.from({ length: 4 }, async () => {
        while (running) {
          const status = await gatewayGet(gateway, '/steady');
          sent += 1;
          if (status !== 200) failures.push(status);
        }
      }),
    );
    await new Promise((r) => setTimeout(r, 300));
    await controlPlane.kill();
    for (let i = 0; i < 100 && (await gatewayMetric(gateway, 'novagate_control_plane_connected')) !== 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(await gatewayMetric(gateway, 'novagate_control_plane_connected'), 0);
    // Written straight to the database while no control plane runs.
    await withTransaction(db.pool, async (client) => {
      await lockTenantForConfigChange(client, tenant.id);
      const schema = quotedTenantSchema(tenant.id);
      await client.query(
        `INSERT INTO ${schema}.routes (name, service_id, paths) SELECT 'late', id, ARRAY['/late'] FROM ${schema}.services WHERE name = 'echo'`,
      );
      await recordConfigVersion(client, tenant.id);
    });
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await gatewayGet(gateway, '/late'), 404);
    controlPlane = await startControlPlane();
    const waited = await waitForStatus(gateway, '/late', 200, 45_000);
    running = false;
    await load;
    assert.ok(sent > 50, `only ${sent} requests were sent`);
    assert.deepEqual(failures, [], `${failures.length} of ${sent} requests failed`);
    process.stdout.write(`# ${sent} requests during the outage, 0 failed; the change arrived ${waited.toFixed(0)} ms after the restart\n`);
  } finally {
    await gateway.stop();
  }
});

test('a gateway restarted while the control plane is down serves from its cached config', async () => {
  const tenant = await registerTenant();
  await routeTo(tenant, 'cached', '/cached');
  const cacheFile = join(mkdtempSync(join(tmpdir(), 'novagate-e2e-cache-')), 'config.json');
  const first = await startGateway(tenant, { CONFIG_CACHE_FILE: cacheFile });
  await waitForStatus(first, '/cached', 200);
  await first.stop();
  await controlPlane.kill();
  try {
    const second = await startGateway(tenant, { CONFIG_CACHE_FILE: cacheFile });
    try {
      await waitForStatus(second, '/cached', 200, 15_000);
      assert.equal(await gatewayMetric(second, 'novagate_control_plane_connected'), 0);
    } finally {
      await second.stop();
    }
    // The same cache file under another tenant's key is not used.
    const other = await registerTenantOffline();
    const stranger = await startGateway(other, { CONFIG_CACHE_FILE: cacheFile });
    try {
      await new Promise((r) => setTimeout(r, 4_000));
      assert.notEqual(await gatewayGet(stranger, '/cached'), 200, "another tenant's cached config must never be served");
    } finally {
      await stranger.stop();
    }
  } finally {
    controlPlane = await startControlPlane();
  }
});

/** A syntactically valid key of a tenant that does not exist, for a gateway that cannot reach the control plane. */
async function registerTenantOffline(): Promise<Tenant> {
  const id = '00000000-0000-4000-8000-000000000001';
  return { id, token: '', key: formatApiKey(id, 'a'.repeat(32)) };
}

test('a revoked key disconnects the gateway and its reconnects are refused; it keeps serving its config', async () => {
  const tenant = await registerTenant();
  await routeTo(tenant, 'keep', '/keep');
  const gateway = await startGateway(tenant);
  try {
    await waitForStatus(gateway, '/keep', 200);
    const keys = await api('GET', `/tenants/${tenant.id}/api-keys`, undefined, tenant.token);
    await api('DELETE', `/tenants/${tenant.id}/api-keys/${keys.body.data[0].id}`, undefined, tenant.token);
    for (let i = 0; i < 100 && (await gatewayMetric(gateway, 'novagate_control_plane_connected')) !== 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(await gatewayMetric(gateway, 'novagate_control_plane_connected'), 0);
    await new Promise((r) => setTimeout(r, 2_000));
    assert.equal(await gatewayMetric(gateway, 'novagate_control_plane_connected'), 0, 'reconnects with a revoked key are refused');
    assert.equal(await gatewayGet(gateway, '/keep'), 200);
  } finally {
    await gateway.stop();
  }
});
