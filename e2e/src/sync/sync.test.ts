// Control plane ⇄ gateway, whole system: a real control-plane process (TLS, PostgreSQL, Redis), real gateway
// processes and a real upstream, all on loopback.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Agent, fetch } from 'undici';
import { createTestDatabase, TEST_REDIS_URL, type TestDatabase } from '@novagate/control-plane/testing/database';
import { ensureDevTls, type DevTls } from '@novagate/control-plane/tls/dev-certificates';
import { createFolderMailReader, registrationTokenIn } from '@novagate/control-plane/testing/mail-folder';
import { createApiKey, lockTenantForConfigChange, quotedTenantSchema, recordConfigVersion, withTransaction } from '@novagate/control-plane/tenancy';
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
      await recordConfigVersion(client, tenant.id, { by: 'api' });
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

/** A port free on loopback right now (for a listener the config names before any gateway opens it). */
/** `count` distinct free ports: every probe stays open until all have theirs (a port just freed can come back at once). */
async function freePorts(count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createNetServer().listen(0, '127.0.0.1'));
  await Promise.all(servers.map((server) => once(server, 'listening')));
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  return ports;
}

async function statusOn(listenerPort: number, path: string): Promise<number> {
  try {
    const response = await fetch(`http://127.0.0.1:${listenerPort}${path}`, { signal: AbortSignal.timeout(5_000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

async function unhealthyTargetsOf(tenant: Tenant): Promise<string[] | undefined> {
  const node = (await api('GET', `/tenants/${tenant.id}/gateways`, undefined, tenant.token)).body.data[0];
  return node?.unhealthyTargets.map((t: { service: string; target: string }) => `${t.service}/${t.target}`);
}

/** Polls `check` every 50 ms until it holds; returns how long that took, or fails naming `what`. */
async function timeUntil(check: () => Promise<boolean>, what: string, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (await check()) return performance.now() - started;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not happen within ${timeoutMs} ms`);
}

test('a pool of three upstreams behind a config listener: served on its port, balanced, and a killed target is reported unhealthy then healthy again', async () => {
  const tenant = await registerTenant();
  const pool = await Promise.all([startUpstream(), startUpstream(), startUpstream()]);
  const [mainPort, extraPort] = (await freePorts(2)) as [number, number];
  const active = { path: '/healthz', intervalMs: 1_000, timeoutMs: 200, healthyThreshold: 1, unhealthyThreshold: 1 };
  const call = async (method: string, path: string, body: unknown, expected: number) => {
    const response = await api(method, `/tenants/${tenant.id}${path}`, body, tenant.token);
    assert.equal(response.status, expected, `${method} ${path}: ${JSON.stringify(response.body)}`);
  };
  await call('POST', '/listeners', { name: 'main', port: mainPort, protocol: 'HTTP' }, 201);
  await call('POST', '/listeners', { name: 'extra', port: extraPort, protocol: 'HTTP' }, 201);
  await call('POST', '/services', {
    name: 'pool',
    targets: pool.map((u) => ({ url: u.url })),
    healthChecks: { active, passive: { consecutiveFailures: 1, ejectionMs: 1_000, maxEjectionPercent: 50 } },
  }, 201);
  await call('POST', '/routes', { name: 'pooled', service: 'pool', paths: ['/pool'], listeners: ['extra'], retry: { attempts: 2, on: ['connect-failure', 'reset'], backoffMs: 0 } }, 201);
  await call('POST', '/routes', { name: 'main-only', service: 'pool', paths: ['/main'], listeners: ['main'] }, 201);
  const gateway = await startGateway(tenant);
  let downTarget = pool[1] as TestUpstream;
  try {
    await timeUntil(async () => (await statusOn(extraPort, '/pool')) === 200, 'the pooled route served on the extra listener', 15_000);
    assert.equal(await statusOn(extraPort, '/main'), 404, 'a route attached only to the main listener is not served on the extra one');
    assert.equal(await statusOn(mainPort, '/main'), 200);
    assert.equal(await statusOn(mainPort, '/pool'), 404, 'a route attached only to the extra listener is not served on the main one');

    const before = pool.map((u) => u.received.filter((r) => r.url === '/pool').length);
    for (let i = 0; i < 300; i++) assert.equal(await statusOn(extraPort, '/pool'), 200);
    const share = pool.map((u, i) => u.received.filter((r) => r.url === '/pool').length - (before[i] as number));
    assert.equal(share.reduce((a, b) => a + b, 0), 300);
    for (const count of share) assert.ok(count >= 80 && count <= 120, `round-robin over 3 targets within ±20% of 100 per target: ${share.join(', ')}`);

    const downName = `pool/127.0.0.1:${downTarget.port}`;
    await downTarget.close();
    // Requests keep succeeding while the target is down (retry on connect-failure, then ejection and probes).
    const statuses: number[] = [];
    const reported = await timeUntil(async () => {
      statuses.push(await statusOn(extraPort, '/pool'));
      return (await unhealthyTargetsOf(tenant))?.includes(downName) === true;
    }, 'the killed target in GET /gateways unhealthyTargets', 10_000);
    assert.deepEqual(await unhealthyTargetsOf(tenant), [downName], 'only the killed target is listed');
    const targetMetric = `novagate_upstream_target_healthy{service="pool",target="127.0.0.1:${downTarget.port}"}`;
    const metrics = await fetch(`http://127.0.0.1:${gateway.metricsPort}/metrics`).then((r) => r.text());
    assert.ok(metrics.includes(`${targetMetric} 0`), `the gateway's own metric shows the killed target down: ${targetMetric}`);
    assert.deepEqual(statuses.filter((s) => s !== 200), [], `${statuses.length} requests while the target was down`);

    downTarget = await startUpstream(undefined, downTarget.port);
    pool[1] = downTarget;
    // Back in rotation within healthyThreshold × intervalMs + timeoutMs, plus one health message (≤ 1 s) and slack.
    const recovered = await timeUntil(async () => (await unhealthyTargetsOf(tenant))?.length === 0, 'the revived target to leave unhealthyTargets', 8_000);
    await timeUntil(async () => {
      await statusOn(extraPort, '/pool');
      return downTarget.received.some((r) => r.url === '/pool');
    }, 'the revived target to take traffic again', 5_000);
    process.stdout.write(
      `# pool of 3 over 300 requests: ${share.join('/')}; killed target listed after ${reported.toFixed(0)} ms, ` +
        `revived one cleared after ${recovered.toFixed(0)} ms; ${statuses.length} requests meanwhile, 0 failed\n`,
    );
  } finally {
    await gateway.stop();
    await Promise.all(pool.map((u) => u.close().catch(() => undefined)));
  }
});

test("a gateway process whose key is bound to a Gateway serves that Gateway's routes from its slice and acks the tenant's version; another Gateway's routes never reach it", async () => {
  const tenant = await registerTenant();
  // Two distinct ports: one shared by both listeners would make team/b's listener answer.
  const [aPort, bPort] = (await freePorts(2)) as [number, number];
  const put = await api('PUT', `/tenants/${tenant.id}/config`, {
    config: {
      listeners: [
        { name: 'a-http', port: aPort, protocol: 'HTTP', gateway: 'infra/a' },
        { name: 'b-http', port: bPort, protocol: 'HTTP', gateway: 'team/b' },
      ],
      services: [{ name: 'echo', url: upstream.url, retries: 0 }],
      routes: [
        { name: 'a-route', service: 'echo', paths: ['/a'], listeners: ['a-http'] },
        { name: 'b-route', service: 'echo', paths: ['/b'], listeners: ['b-http'] },
      ],
    },
  }, tenant.token);
  assert.equal(put.status, 200, JSON.stringify(put.body));
  // As the operator makes a Gateway's key: bound to it.
  const bound = await createApiKey(db.pool, tenant.id, 'kubernetes-gateway:infra/a', undefined, 'infra/a');
  // GATEWAY_NAME=team/b on a key bound to infra/a: whatever the process claims, it gets infra/a's slice only.
  const gateway = await startGateway({ ...tenant, key: bound.plaintext }, { GATEWAY_NAME: 'team/b', NODE_ID: 'misnamed' });
  const honest = await startGateway({ ...tenant, key: bound.plaintext }, { GATEWAY_NAME: 'infra/a', NODE_ID: 'honest' });
  try {
    await timeUntil(async () => (await statusOn(aPort, '/a')) === 200, "infra/a's route served on its listener", 15_000);
    await timeUntil(async () => {
      const data = (await api('GET', `/tenants/${tenant.id}/gateways`, undefined, tenant.token)).body.data as { nodeId: string; configVersion: number | null }[];
      return data.length === 2 && data.every((node) => node.configVersion === put.body.version);
    }, 'both processes acking the tenant version', 10_000);
    const listed = (await api('GET', `/tenants/${tenant.id}/gateways`, undefined, tenant.token)).body.data as { configHash: string }[];
    assert.ok(listed.every((node) => node.configHash !== put.body.hash), 'they run a slice, not the whole config');
    assert.equal(await statusOn(aPort, '/b'), 404, "another Gateway's route is not in the slice");
    assert.equal(await statusOn(bPort, '/b'), 0, "no process binds team/b's listener: it is in no slice these keys get");
  } finally {
    await Promise.all([gateway.stop(), honest.stop()]);
  }
});
