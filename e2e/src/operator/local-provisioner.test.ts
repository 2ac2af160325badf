// The local provisioner (DESIGN §11) with a real control plane and real gateway processes: each Gateway gets a
// process on its own loopback address that serves only that Gateway's listeners, the same process while the key
// stays, a new one when the key changes or the process dies, none after release, and none after the operator exits.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@novagate/control-plane/testing/database';
import { registerTenantApi, startTestServer, type TestServer } from '@novagate/control-plane/testing/server';
import { createLogger } from '@novagate/operator';
import { createLocalProvisioner, type LocalProvisioner, type ProvisionedGateway } from '@novagate/operator/provisioner';
import { startUpstream, type TestUpstream } from '@novagate/gateway/testing/upstream';
import { waitFor } from './harness.js';

const logDir = mkdtempSync(join(tmpdir(), 'novagate-local-provisioner-'));
// Below the ephemeral range (32768+), where each process's METRICS_PORT=0 picks its port on every address.
const port = 20_000 + Math.floor(Math.random() * 12_000);
let db: TestDatabase;
let server: TestServer;
let upstream: TestUpstream;
let provisioner: LocalProvisioner;
let api: Awaited<ReturnType<typeof registerTenantApi>>;
const operatorLog: string[] = [];

const gateway = (namespace: string, name: string): ProvisionedGateway => ({
  metadata: { namespace, name },
  spec: { gatewayClassName: 'novagate', listeners: [{ name: 'http', port, protocol: 'HTTP' }] },
});
const gatewayA = gateway('infra', 'a');
const gatewayB = gateway('infra', 'b');

before(async () => {
  db = await createTestDatabase();
  server = await startTestServer({ db });
  upstream = await startUpstream();
  api = await registerTenantApi(server, 'Local');
  const created = async (path: string, body: unknown) => {
    const response = await api.call('POST', path, { body });
    assert.equal(response.status, 201, `${path}: ${response.text}`);
  };
  await created('/services', { name: 'echo', url: upstream.url, retries: 0 });
  // Two Gateways on the same port, told apart only by their owner (and the address their process listens on).
  await created('/listeners', { name: 'gw-a', port, protocol: 'HTTP', hostname: 'a.example.com', gateway: 'infra/a' });
  await created('/listeners', { name: 'gw-b', port, protocol: 'HTTP', hostname: 'b.example.com', gateway: 'infra/b' });
  await created('/routes', { name: 'on-a', service: 'echo', paths: ['/a'], listeners: ['gw-a'] });
  await created('/routes', { name: 'on-b', service: 'echo', paths: ['/b'], listeners: ['gw-b'] });
  provisioner = createLocalProvisioner({
    controlPlaneUrl: server.url.replace(/^http/, 'ws'),
    allowInsecureControlPlane: true,
    logDir,
    log: createLogger('debug', (line) => operatorLog.push(line)),
    restartDelayMs: 100,
    stopTimeoutMs: 10_000,
  });
});
after(async () => {
  await provisioner?.stopAll();
  await server?.close();
  await upstream?.close();
  await db?.drop();
  rmSync(logDir, { recursive: true, force: true });
});

/** The status a request gets from `address`:`port` for `host` (node:http: fetch may not send a Host of its own); 0 when nothing answers. */
function statusAt(address: string, host: string, path: string): Promise<number> {
  return new Promise((resolve) => {
    const request = httpRequest({ host: address, port, path, headers: { host }, timeout: 3_000 }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(0));
    request.end();
  });
}

/** Waits for the answer; on a timeout the error carries the end of every gateway process's log. */
async function serves(address: string, host: string, path: string, status: number): Promise<void> {
  try {
    await waitFor(async () => (await statusAt(address, host, path)) === status, `${address} ${host}${path} → ${status}`, 30_000);
  } catch (error) {
    const logs = readdirSync(logDir).map((file) => `${file}:\n${readFileSync(join(logDir, file), 'utf8').slice(-2_000)}`);
    throw new Error(`${(error as Error).message}\n${logs.join('\n')}`);
  }
}

function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('each Gateway gets a process on its own 127.0.10.x address that serves only its own listeners', { timeout: 90_000 }, async () => {
  const a = await provisioner.ensure(gatewayA, { apiKey: api.tenant.gatewayApiKey, gatewayName: 'infra/a' });
  const b = await provisioner.ensure(gatewayB, { apiKey: api.tenant.gatewayApiKey, gatewayName: 'infra/b' });
  assert.deepEqual(a.addresses, [{ type: 'IPAddress', value: '127.0.10.1' }]);
  assert.deepEqual(b.addresses, [{ type: 'IPAddress', value: '127.0.10.2' }]);
  await serves('127.0.10.1', 'a.example.com', '/a', 200);
  await serves('127.0.10.2', 'b.example.com', '/b', 200);
  // Gateway a's process has no listener of b: b's host and route are not served there, and a's not on b's address.
  assert.equal(await statusAt('127.0.10.1', 'b.example.com', '/b'), 404);
  assert.equal(await statusAt('127.0.10.2', 'a.example.com', '/a'), 404);
  // Nothing listens on that port at the plain loopback address: each process binds its own address only.
  assert.equal(await statusAt('127.0.0.1', 'a.example.com', '/a'), 0);
  const log = readFileSync(provisioner.processOf('infra/a')?.logFile ?? '', 'utf8');
  assert.match(log, /listening/, 'the process logs to its file');
});

test('ensure is idempotent while the key stays, and restarts the process when the key changes', { timeout: 90_000 }, async () => {
  const first = provisioner.processOf('infra/a')?.pid;
  await provisioner.ensure(gatewayA, { apiKey: api.tenant.gatewayApiKey, gatewayName: 'infra/a' });
  assert.equal(provisioner.processOf('infra/a')?.pid, first, 'the same process');
  const created = await api.call('POST', '/api-keys', { body: { name: 'rotated' } });
  assert.equal(created.status, 201, created.text);
  const again = await provisioner.ensure(gatewayA, { apiKey: created.body.key as string, gatewayName: 'infra/a' });
  assert.deepEqual(again.addresses, [{ type: 'IPAddress', value: '127.0.10.1' }], 'the same address');
  const second = provisioner.processOf('infra/a')?.pid;
  assert.notEqual(second, first);
  assert.equal(alive(first), false, 'the old process was stopped');
  await serves('127.0.10.1', 'a.example.com', '/a', 200);
});

test('a process that dies is restarted on the same address', { timeout: 90_000 }, async () => {
  const pid = provisioner.processOf('infra/b')?.pid;
  assert.ok(pid !== undefined);
  process.kill(pid, 'SIGKILL');
  await waitFor(() => { const now = provisioner.processOf('infra/b')?.pid; return now !== undefined && now !== pid; }, 'a new process for infra/b', 10_000);
  await serves('127.0.10.2', 'b.example.com', '/b', 200);
});

test('release stops the process (SIGTERM, waited for) and frees its address for the next Gateway', { timeout: 90_000 }, async () => {
  const pid = provisioner.processOf('infra/b')?.pid;
  await provisioner.release(gatewayB);
  assert.equal(alive(pid), false);
  assert.equal(provisioner.processOf('infra/b'), undefined);
  assert.equal(await statusAt('127.0.10.2', 'b.example.com', '/b'), 0);
  await provisioner.release(gatewayB); // releasing twice is harmless
  const c = await provisioner.ensure(gateway('other', 'c'), { apiKey: api.tenant.gatewayApiKey, gatewayName: 'other/c' });
  assert.deepEqual(c.addresses, [{ type: 'IPAddress', value: '127.0.10.2' }]);
  await provisioner.release(gateway('other', 'c'));
});

test('the gateway processes die with the operator process (no orphans)', { timeout: 90_000 }, async () => {
  const script = fileURLToPath(new URL('./local-provisioner-child.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { PATH: process.env.PATH ?? '', CONTROL_PLANE_URL: server.url.replace(/^http/, 'ws'), GATEWAY_API_KEY: api.tenant.gatewayApiKey, LOG_DIR: logDir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 0, output);
  const pid = Number(/gateway pid (\d+)/.exec(output)?.[1]);
  assert.ok(pid > 0, output);
  await waitFor(() => !alive(pid), 'the orphaned gateway process to be gone', 5_000);
});
