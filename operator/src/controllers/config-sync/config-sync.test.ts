// Against real PostgreSQL: the operator's config writes go through the admin API's entity functions, under the
// tenant lock, with one config version per change and none when nothing changed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@novagate/control-plane/testing/database';
import { createSecretBox, provisionTenant, quotedTenantSchema, withTransaction } from '@novagate/control-plane/tenancy';
import type { RouteConfig, ServiceConfig } from '@novagate/gateway/config';
import { gatewayListenerName, serviceEntityName } from '../../gateway-api/names.js';
import type { HttpRouteResource, TenantResource } from '../../kube/resources.js';
import { cachesOf } from '../../testing/caches.js';
import { addGatewayListeners } from '../gateway/gateway-tenant.js';
import { GATEWAY_CONTROLLER_NAME } from '../gatewayclass/gatewayclass-decisions.js';
import { applyTenantConfig } from './config-sync.js';
import { emptyDesired, type DesiredConfig } from './plan.js';
import { desiredTenantConfig } from './tenant-config.js';

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase();
});
after(async () => {
  await db.drop();
});

async function newTenant(plan: string): Promise<string> {
  const tenant = await withTransaction(db.pool, (client) =>
    provisionTenant(client, { name: 'T', plan, ownerEmail: `${Math.random().toString(36).slice(2)}@example.com`, passwordHash: null }),
  );
  return tenant.id;
}

function desiredRoutes(count: number): DesiredConfig {
  const desired = emptyDesired();
  for (let i = 0; i < count; i += 1) {
    const id = String(i).padStart(2, '0');
    const name = `k8s.ns.r${id}`;
    const service: ServiceConfig = { name, url: 'http://up:80', connectTimeoutMs: 2000, timeoutMs: 10000, retries: 1 };
    const route: RouteConfig = { name, service: name, paths: [`/r${id}`], methods: [], hosts: [], stripPrefix: false, auth: 'none' };
    desired.services.set(name, { config: service, owner: `ns/r${id}` });
    desired.routes.set(name, { config: route, owner: `ns/r${id}` });
  }
  return desired;
}

test('managed rows are written as managedBy kubernetes in one new config version, and an unchanged sync writes none', async () => {
  const tenantId = await newTenant('pro');
  await db.pool.query(`INSERT INTO ${quotedTenantSchema(tenantId)}.services (name, url, connect_timeout_ms, timeout_ms, retries) VALUES ('api-made', 'http://x:1', 1, 1, 0)`);
  const first = await applyTenantConfig(db.pool, tenantId, desiredRoutes(3));
  assert.ok(first);
  assert.equal(first.changed, true);
  assert.equal(first.problems.size, 0);
  const { rows } = await db.pool.query(`SELECT name, managed_by FROM ${quotedTenantSchema(tenantId)}.services ORDER BY name`);
  assert.deepEqual(rows, [
    { name: 'api-made', managed_by: 'api' },
    { name: 'k8s.ns.r00', managed_by: 'kubernetes' },
    { name: 'k8s.ns.r01', managed_by: 'kubernetes' },
    { name: 'k8s.ns.r02', managed_by: 'kubernetes' },
  ]);
  const again = await applyTenantConfig(db.pool, tenantId, desiredRoutes(3));
  assert.deepEqual({ version: again?.version, changed: again?.changed }, { version: first.version, changed: false });
  const fewer = await applyTenantConfig(db.pool, tenantId, desiredRoutes(1));
  assert.equal(fewer?.version, first.version + 1);
  const left = await db.pool.query(`SELECT name FROM ${quotedTenantSchema(tenantId)}.services ORDER BY name`);
  assert.deepEqual(left.rows.map((row) => row.name), ['api-made', 'k8s.ns.r00'], 'rows made through the API are never touched');
  const pending = await db.pool.query('SELECT count(*)::int AS n FROM public.pending_config_updates WHERE tenant_id = $1', [tenantId]);
  assert.equal(pending.rows[0].n, 3, 'provisioning, then two changes');
  const history = await db.pool.query(`SELECT version, changed_by FROM ${quotedTenantSchema(tenantId)}.config_versions WHERE version >= $1 ORDER BY version`, [first.version]);
  assert.deepEqual(history.rows.map((row) => [Number(row.version), row.changed_by]), [[first.version, 'operator'], [first.version + 1, 'operator']], 'the history says the operator made them');
});

test('beyond the plan limit only the Routes that do not fit are refused, with PlanLimitExceeded', async () => {
  const tenantId = await newTenant('free');
  const result = await applyTenantConfig(db.pool, tenantId, desiredRoutes(12));
  assert.ok(result);
  assert.deepEqual([...result.problems.keys()].sort(), ['ns/r10', 'ns/r11'].sort());
  assert.equal(result.problems.get('ns/r10')?.reason, 'PlanLimitExceeded');
  assert.match(result.problems.get('ns/r10')?.message ?? '', /free plan allows at most 10 services/);
  const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM ${quotedTenantSchema(tenantId)}.routes`);
  assert.equal(rows[0].n, 10);
});

test('a consumer whose key hash another consumer already has is refused with Conflict; the rest is written', async () => {
  const tenantId = await newTenant('pro');
  const hash = 'a'.repeat(64);
  const desired = emptyDesired();
  desired.consumers.set('one', { config: { username: 'one', apiKeyHashes: [hash] }, owner: 'ns/one' });
  desired.consumers.set('two', { config: { username: 'two', apiKeyHashes: [hash] }, owner: 'ns/two' });
  const result = await applyTenantConfig(db.pool, tenantId, desired);
  assert.equal(result?.problems.get('ns/two')?.reason, 'Conflict');
  assert.equal(result?.problems.has('ns/one'), false);
});

test('a tenant that does not exist yields null, not an error', async () => {
  const missing = '00000000-0000-4000-8000-000000000000';
  assert.equal(await applyTenantConfig(db.pool, missing, emptyDesired()), null);
});

test('a Route\'s caseInsensitive is written, read back equal (no sync loop), and turned off again', async () => {
  const tenantId = await newTenant('pro');
  const desired = desiredRoutes(1);
  const entry = desired.routes.get('k8s.ns.r00');
  assert.ok(entry);
  entry.config = { ...entry.config, caseInsensitive: true };
  const first = await applyTenantConfig(db.pool, tenantId, desired);
  assert.equal(first?.changed, true);
  const stored = await db.pool.query(`SELECT case_insensitive FROM ${quotedTenantSchema(tenantId)}.routes`);
  assert.deepEqual(stored.rows, [{ case_insensitive: true }]);
  const again = await applyTenantConfig(db.pool, tenantId, desired);
  assert.equal(again?.changed, false, 'what was written reads back as the desired route');
  const off = await applyTenantConfig(db.pool, tenantId, desiredRoutes(1));
  assert.equal(off?.changed, true);
  const cleared = await db.pool.query(`SELECT case_insensitive FROM ${quotedTenantSchema(tenantId)}.routes`);
  assert.deepEqual(cleared.rows, [{ case_insensitive: false }]);
});

test('a Route claiming what an API-managed route already claims is left out with Conflicted naming that route', async () => {
  const tenantId = await newTenant('pro');
  const schema = quotedTenantSchema(tenantId);
  await db.pool.query(`INSERT INTO ${schema}.services (name, url, connect_timeout_ms, timeout_ms, retries) VALUES ('api-made', 'http://x:1', 1, 1, 0)`);
  await db.pool.query(`INSERT INTO ${schema}.routes (name, service_id, paths) SELECT 'api-route', id, '{/r01}' FROM ${schema}.services WHERE name = 'api-made'`);
  const applied = await applyTenantConfig(db.pool, tenantId, desiredRoutes(2));
  assert.ok(applied);
  assert.equal(applied.problems.get('ns/r01')?.reason, 'Conflicted');
  assert.match(applied.problems.get('ns/r01')?.message ?? '', /claims the same requests as route 'api-route'/);
  assert.equal(applied.problems.has('ns/r00'), false);
  const { rows } = await db.pool.query(`SELECT name FROM ${schema}.routes ORDER BY name`);
  assert.deepEqual(rows.map((row) => row.name), ['api-route', 'k8s.ns.r00']);
  const services = await db.pool.query(`SELECT name FROM ${schema}.services ORDER BY name`);
  assert.deepEqual(services.rows.map((row) => row.name), ['api-made', 'k8s.ns.r00'], 'no service is written for the refused Route');
});

test('a Route\'s service that an admin-API route names in backends or mirrors is kept when the Route goes, and deleted once unused', async () => {
  const tenantId = await newTenant('pro');
  const schema = quotedTenantSchema(tenantId);
  await applyTenantConfig(db.pool, tenantId, desiredRoutes(2));
  await db.pool.query(
    `INSERT INTO ${schema}.routes (name, service_id, paths, options) VALUES ('api-split', NULL, '{/split}', $1), ('api-mirror', NULL, '{/mirror}', $2)`,
    [JSON.stringify({ backends: [{ service: 'k8s.ns.r00', weight: 1 }] }), JSON.stringify({ backends: [{ invalid: true, weight: 1 }], mirrors: [{ service: 'k8s.ns.r01' }] })],
  );
  const gone = await applyTenantConfig(db.pool, tenantId, emptyDesired());
  assert.ok(gone);
  assert.deepEqual(gone.kept.sort(), ['k8s.ns.r00', 'k8s.ns.r01']);
  const routes = await db.pool.query(`SELECT name FROM ${schema}.routes ORDER BY name`);
  assert.deepEqual(routes.rows.map((row) => row.name), ['api-mirror', 'api-split'], 'the Routes\' own routes are gone');
  const kept = await db.pool.query(`SELECT name FROM ${schema}.services ORDER BY name`);
  assert.deepEqual(kept.rows.map((row) => row.name), ['k8s.ns.r00', 'k8s.ns.r01'], 'services still named stay, so the config stays valid');
  await db.pool.query(`DELETE FROM ${schema}.routes WHERE name = 'api-split'`);
  const later = await applyTenantConfig(db.pool, tenantId, emptyDesired());
  assert.deepEqual(later?.kept, ['k8s.ns.r01']);
  const left = await db.pool.query(`SELECT name FROM ${schema}.services ORDER BY name`);
  assert.deepEqual(left.rows.map((row) => row.name), ['k8s.ns.r01']);
});

test('Gateway listeners are written as managed rows; while the Gateways are not loaded they are kept, not removed; a clash with an admin-API listener is refused on its owner', async () => {
  const tenantId = await newTenant('pro');
  const schema = quotedTenantSchema(tenantId);
  await db.pool.query(`INSERT INTO ${schema}.listeners (name, spec) VALUES ('api-https', $1)`, [{ name: 'api-https', port: 9443, protocol: 'HTTPS', tls: { certificates: ['x'] } }]);
  const withListeners = (): DesiredConfig => {
    const desired = emptyDesired();
    desired.listeners.set('gwapi.web.edge.h.http', { config: { name: 'gwapi.web.edge.h.http', port: 80, bindPort: 10080, protocol: 'HTTP', gateway: 'web/edge' }, owner: 'Gateway:web/edge#http' });
    desired.listeners.set('gwapi.web.edge.h.clash', { config: { name: 'gwapi.web.edge.h.clash', port: 9443, protocol: 'HTTP' }, owner: 'Gateway:web/edge#clash' });
    return desired;
  };
  const first = await applyTenantConfig(db.pool, tenantId, withListeners());
  assert.ok(first);
  assert.equal(first.problems.get('Gateway:web/edge#clash')?.reason, 'Refused');
  assert.match(first.problems.get('Gateway:web/edge#clash')?.message ?? '', /9443 is already HTTPS/);
  const names = async () => (await db.pool.query<{ name: string; managed_by: string }>(`SELECT name, managed_by FROM ${schema}.listeners ORDER BY name`)).rows;
  assert.deepEqual(await names(), [
    { name: 'api-https', managed_by: 'api' },
    { name: 'gwapi.web.edge.h.http', managed_by: 'kubernetes' },
  ]);
  const loading = emptyDesired();
  loading.keepListeners = true;
  const kept = await applyTenantConfig(db.pool, tenantId, loading);
  assert.equal(kept?.changed, false, 'no new config version while the Gateways load');
  assert.equal((await names()).length, 2);
  const removed = await applyTenantConfig(db.pool, tenantId, emptyDesired());
  assert.equal(removed?.changed, true);
  assert.deepEqual(await names(), [{ name: 'api-https', managed_by: 'api' }]);
});

test("a certificate a kept listener still names is not deleted (an admin-API route names the listener); it goes once the listener goes", async () => {
  const tenantId = await newTenant('pro');
  const schema = quotedTenantSchema(tenantId);
  const dir = mkdtempSync(join(tmpdir(), 'config-sync-cert-'));
  let pem: { cert: string; key: string };
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', '/CN=kept.example.com', '-addext', 'subjectAltName=DNS:kept.example.com', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: ['ignore', 'ignore', 'pipe'] });
    pem = { cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const box = createSecretBox(randomBytes(32).toString('hex'));
  const listener = 'gwapi.web.edge.h.https';
  const certificate = 'gwapi.cert.web.tls';
  const desired = emptyDesired();
  desired.listeners.set(listener, { config: { name: listener, port: 443, bindPort: 10443, protocol: 'HTTPS', gateway: 'web/edge', tls: { certificates: [certificate] } }, owner: 'Gateway:web/edge#https' });
  desired.certificates.set(certificate, { config: { name: certificate, ...pem }, owner: 'Gateway:web/edge#https' });
  const first = await applyTenantConfig(db.pool, tenantId, desired, box);
  assert.equal(first?.problems.size, 0);
  await db.pool.query(`INSERT INTO ${schema}.routes (name, service_id, paths, options) VALUES ('api-on-gateway', NULL, '{/x}', $1)`, [JSON.stringify({ backends: [{ invalid: true, weight: 1 }], listeners: [listener] })]);
  const gone = await applyTenantConfig(db.pool, tenantId, emptyDesired(), box);
  assert.deepEqual(gone?.kept, [listener], 'the listener stays: an admin-API route names it');
  const certificates = async () => (await db.pool.query<{ name: string }>(`SELECT name FROM ${schema}.certificates ORDER BY name`)).rows.map((row) => row.name);
  assert.deepEqual(await certificates(), [certificate], 'the certificate the kept listener names stays');
  await db.pool.query(`DELETE FROM ${schema}.routes WHERE name = 'api-on-gateway'`);
  await applyTenantConfig(db.pool, tenantId, emptyDesired(), box);
  assert.deepEqual(await certificates(), [], 'unused, it goes');
});

test('an HTTPRoute refused as Conflicted does not keep the Service port it shares with a younger HTTPRoute out of the config', async () => {
  const tenantId = await newTenant('pro');
  const schema = quotedTenantSchema(tenantId);
  const tenant: TenantResource = { metadata: { namespace: 'infra', name: 'acme' }, spec: { displayName: 'Acme', plan: 'pro', ownerEmail: 'a@example.com', deletionPolicy: 'Retain' } };
  const accepted = [{ type: 'Accepted', status: 'True' as const, reason: 'Accepted', message: '', lastTransitionTime: '2026-11-30T00:00:00Z', observedGeneration: 1 }];
  const listener = gatewayListenerName('infra', 'gw', 'http');
  const route = (name: string, path: string, created: string): HttpRouteResource => ({
    metadata: { namespace: 'apps', name, creationTimestamp: created },
    spec: { parentRefs: [{ name: 'gw', namespace: 'infra' }], rules: [{ matches: [{ path: { type: 'PathPrefix', value: path } }], backendRefs: [{ name: 'echo', port: 8080 }] }] },
  });
  const caches = cachesOf({
    tenants: [tenant],
    gatewayclasses: [{ metadata: { name: 'acme' }, spec: { controllerName: GATEWAY_CONTROLLER_NAME, parametersRef: { group: 'novagate.dev', kind: 'Tenant', namespace: 'infra', name: 'acme' } }, status: { conditions: accepted } }],
    gateways: [{ metadata: { namespace: 'infra', name: 'gw' }, spec: { gatewayClassName: 'acme', listeners: [{ name: 'http', port: 8080, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } }] } }],
    namespaces: [{ metadata: { name: 'apps' } }, { metadata: { name: 'infra' } }],
    services: [{ metadata: { namespace: 'apps', name: 'echo' }, spec: { ports: [{ name: 'http', port: 8080 }] } }],
    endpointslices: [{ metadata: { namespace: 'apps', name: 'echo-1', labels: { 'kubernetes.io/service-name': 'echo' } }, addressType: 'IPv4', endpoints: [{ addresses: ['198.18.0.1'], conditions: { ready: true } }], ports: [{ name: 'http', port: 9000 }] }],
    httproutes: [route('older', '/taken', '2026-11-30T01:00:00Z'), route('younger', '/free', '2026-11-30T02:00:00Z')],
  });
  const { desired } = desiredTenantConfig(tenant, [], [], () => undefined, () => [], caches);
  addGatewayListeners(desired, 'infra/acme', caches, { bindPrivilegedPorts: false, pushCertificates: false });
  await applyTenantConfig(db.pool, tenantId, { ...emptyDesired(), listeners: desired.listeners });
  // An admin-API route on the Gateway's listener already claims the older HTTPRoute's path.
  await db.pool.query(`INSERT INTO ${schema}.routes (name, service_id, paths, options) VALUES ('api-taken', NULL, $2, $1)`, [
    JSON.stringify({ backends: [{ invalid: true, weight: 1 }], listeners: [listener] }),
    [JSON.stringify({ type: 'PathPrefix', value: '/taken' })],
  ]);
  const applied = await applyTenantConfig(db.pool, tenantId, desired);
  assert.equal(applied?.problems.get('HTTPRoute:apps/older')?.reason, 'Conflicted');
  assert.equal(applied?.problems.get('HTTPRoute:apps/younger'), undefined);
  const services = await db.pool.query<{ name: string }>(`SELECT name FROM ${schema}.services`);
  assert.deepEqual(services.rows.map((row) => row.name), [serviceEntityName('apps', 'echo', 8080)]);
  const routes = await db.pool.query<{ name: string }>(`SELECT name FROM ${schema}.routes WHERE managed_by = 'kubernetes'`);
  assert.equal(routes.rows.length, 1, "the younger route is written with the shared service");
});
