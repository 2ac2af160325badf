// The operator end to end (issue 7): real kubectl against the Kubernetes API test server, real PostgreSQL, the
// control plane's gateway hub, and a gateway protocol client that acks or nacks what it is pushed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import bcrypt from 'bcrypt';
import { newestConfigVersionNumber } from '@novagate/control-plane/tenancy';
import { tenantIdOfApiKey } from '@novagate/gateway/protocol';
import { helloGateway, type ProtocolClient } from '@novagate/control-plane/testing/gateway-client';
import type { Operator } from '@novagate/operator';
import { CRDS_DIR, answerConfigs, conditionOf, routeYaml, secretValue, startHarness, waitFor, within, type Harness } from './harness.js';

let h: Harness;
let operator: Operator;
let gateway: ProtocolClient;
let apiKey: string;
let tenantId: string;

before(async () => {
  h = await startHarness();
  operator = await h.startOperator();
});
after(async () => {
  gateway?.close();
  await h.close();
});

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');


test('kubectl apply of the examples makes the Tenant Ready with a provisioned schema and a key Secret it owns', async () => {
  await h.kubectlOk(['apply', '-f', `${CRDS_DIR}examples/tenant.yaml`]);
  const waited = await h.kubectl.run(['wait', '--for=condition=Ready', 'tenant/acme', '--timeout=60s']);
  assert.equal(waited.code, 0, waited.stderr);
  const tenant = (await h.object<{ metadata: { uid: string; finalizers: string[] }; status: Record<string, string> }>('tenants', 'acme'));
  assert.ok(tenant);
  tenantId = tenant.status.tenantId as string;
  assert.match(tenantId, /^[0-9a-f-]{36}$/);
  assert.equal(tenant.status.schema, `tenant_${tenantId.replaceAll('-', '_')}`);
  assert.equal(tenant.status.apiKeySecretName, 'acme-gateway-key');
  assert.deepEqual(tenant.metadata.finalizers, ['novagate.dev/cleanup']);
  const { rows } = await h.db.pool.query('SELECT plan, kubernetes_uid FROM public.tenants WHERE id = $1', [tenantId]);
  assert.deepEqual(rows, [{ plan: 'pro', kubernetes_uid: tenant.metadata.uid }]);
  const schema = await h.db.pool.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [tenant.status.schema]);
  assert.equal(schema.rowCount, 1);
  const secret = (await h.object<{ metadata: { ownerReferences: { uid: string; controller: boolean }[] } }>('secrets', 'acme-gateway-key'));
  assert.equal(secret?.metadata.ownerReferences[0]?.uid, tenant.metadata.uid);
  apiKey = secretValue(secret, 'apiKey');
  assert.equal(tenantIdOfApiKey(apiKey), tenantId);
});

test('a gateway started with the key from the Secret connects and receives the tenant config', async () => {
  gateway = await helloGateway(h.controlPlane.url, apiKey, { nodeId: 'gw-1' });
  answerConfigs(gateway);
  const first = await gateway.nextConfig();
  assert.equal(first.config.routes.length, 0);
});

test('an applied Route becomes Programmed once the gateway acks the config version holding it', async () => {
  await h.kubectlOk(['apply', '-f', `${CRDS_DIR}examples/route.yaml`]);
  const waited = await h.kubectl.run(['wait', '--for=condition=Programmed', 'route/users', 'route/orders', '--timeout=60s']);
  assert.equal(waited.code, 0, waited.stderr);
  const route = (await h.object<{ status: { configVersion: number; observedGeneration: number } }>('routes', 'users'));
  assert.equal(conditionOf(route, 'Accepted')?.status, 'True');
  assert.equal(route?.status.observedGeneration, 1);
  const ordersVersion = (await h.object<{ status: { configVersion: number } }>('routes', 'orders'))?.status.configVersion ?? Infinity;
  // The two Routes may have entered the config in two versions: the newer one holds both.
  const newest = Math.max(route?.status.configVersion ?? Infinity, ordersVersion);
  const pushed = await gateway.nextConfig((config) => config.version >= newest);
  const users = pushed.config.routes.find((r) => r.name === 'k8s.default.users') as unknown as Record<string, unknown>;
  assert.deepEqual(
    { service: users.service, paths: users.paths, methods: users.methods, auth: users.auth, rateLimit: users.rateLimit },
    { service: 'k8s.default.users', paths: ['/users/:id', '/users'], methods: ['GET'], auth: 'none', rateLimit: { limit: 100, windowSeconds: 60, by: 'ip' } },
  );
  const orders = pushed.config.routes.find((r) => r.name === 'k8s.default.orders') as unknown as Record<string, unknown>;
  assert.equal(orders.auth, 'key-auth');
  const { rows } = await h.db.pool.query(`SELECT name, managed_by FROM "tenant_${tenantId.replaceAll('-', '_')}".routes ORDER BY name`);
  assert.deepEqual(rows, [
    { name: 'k8s.default.orders', managed_by: 'kubernetes' },
    { name: 'k8s.default.users', managed_by: 'kubernetes' },
  ]);
  const printed = await h.kubectlOk(['get', 'routes']);
  assert.match(printed, /users\s+acme\s+\["\/users\/:id","\/users"\]\s+True\s+True/);
});

test('a Consumer whose key Secret exists reaches the gateway as the key hash, and a Secret change replaces it', async () => {
  await h.kubectlOk(['apply', '-f', `${CRDS_DIR}examples/consumer.yaml`]);
  const waited = await h.kubectl.run(['wait', '--for=condition=Programmed', 'consumer/mobile-app', '--timeout=60s']);
  assert.equal(waited.code, 0, waited.stderr);
  const oldHash = sha256('change-me-0123456789abcdef0123456789');
  const hasHash = (hash: string) => (config: { config: { consumers: unknown[] } }) =>
    (config.config.consumers as { username: string; apiKeyHashes: string[] }[]).some((c) => c.username === 'mobile-app' && c.apiKeyHashes.includes(hash));
  await gateway.nextConfig(hasHash(oldHash));
  await h.kubectlOk(['create', 'secret', 'generic', 'mobile-app-key', '--from-literal=apiKey=rotated-key-abcdef0123456789', '--dry-run=client', '-o', 'yaml'])
    .then((yaml) => h.kubectlOk(['apply', '-f', '-'], yaml));
  const newHash = sha256('rotated-key-abcdef0123456789');
  const rotated = await gateway.nextConfig(hasHash(newHash));
  const consumer = (rotated.config.consumers as { username: string; apiKeyHashes: string[] }[]).find((c) => c.username === 'mobile-app');
  assert.deepEqual(consumer?.apiKeyHashes, [newHash], 'the old key no longer works');
  const text = JSON.stringify(rotated.config);
  assert.ok(!text.includes('rotated-key'), 'the plaintext key never leaves the operator');
});

type PushedConsumer = { username: string; groups?: string[]; basicAuth?: { username: string; passwordHash: string }[] };
const pushedConsumer = (config: { config: { consumers: unknown[] } }, username: string) =>
  (config.config.consumers as PushedConsumer[]).find((consumer) => consumer.username === username);

/** Reconciles of `kind` that succeeded so far, from the operator's metrics. */
async function reconciles(of: Operator, kind: string): Promise<number> {
  const text = await of.metrics.registry.metrics();
  return Number(new RegExp(`novagate_reconcile_total\\{kind="${kind}",result="success"\\} (\\d+)`).exec(text)?.[1] ?? 0);
}

test('a Consumer with groups and basicAuth reaches the gateway as bcrypt hashes only; resyncs and a restart make no new version, a password change makes one', async () => {
  const [secretYaml = '', consumerYaml = ''] = readFileSync(`${CRDS_DIR}examples/consumer-basic-auth.yaml`, 'utf8').split('\n---\n');
  // The Consumer before its Secret: kept (groups, no basicAuth), ResolvedRefs=False naming the Secret.
  await h.kubectlOk(['apply', '-f', '-'], consumerYaml);
  const unresolved = await waitFor(async () => {
    const consumer = await h.object('consumers', 'partner-acme');
    const refs = conditionOf(consumer, 'ResolvedRefs');
    return refs?.status === 'False' && conditionOf(consumer, 'Accepted')?.status === 'True' ? refs : undefined;
  }, 'ResolvedRefs=False with the consumer Accepted');
  assert.equal(unresolved.reason, 'SecretNotFound');
  assert.match(unresolved.message, /^spec\.basicAuth\[0\]\.passwordSecretRef: Secret "partner-acme-password" does not exist in namespace "default"$/);
  const withoutPassword = await gateway.nextConfig((config) => pushedConsumer(config, 'partner-acme') !== undefined);
  assert.deepEqual(pushedConsumer(withoutPassword, 'partner-acme'), { username: 'partner-acme', apiKeyHashes: [], groups: ['partners'] });

  await h.kubectlOk(['apply', '-f', '-'], secretYaml);
  const hashed = await gateway.nextConfig((config) => pushedConsumer(config, 'partner-acme')?.basicAuth !== undefined);
  const [credential] = pushedConsumer(hashed, 'partner-acme')?.basicAuth ?? [];
  assert.equal(credential?.username, 'partner-acme');
  assert.match(credential?.passwordHash ?? '', /^\$2b\$10\$/);
  assert.ok(await bcrypt.compare('change-me-long-random-password', credential?.passwordHash ?? ''));
  assert.ok(!JSON.stringify(hashed.config).includes('change-me-long-random-password'), 'the plaintext password never leaves the operator');
  await waitFor(async () => conditionOf(await h.object('consumers', 'partner-acme'), 'ResolvedRefs')?.status === 'True', 'ResolvedRefs=True');
  assert.ok(!h.logLines.some((line) => line.includes('change-me-long-random-password') || line.includes(credential?.passwordHash ?? '\u0000')), 'neither password nor hash is logged');

  // A restarted operator resyncing every 200 ms recomputes the hashes again and again: the config stays put.
  const before = await newestConfigVersionNumber(h.db.pool, tenantId);
  await operator.stop();
  const resyncing = await h.startOperator({ resyncMs: 200 });
  try {
    await waitFor(async () => ((await reconciles(resyncing, 'consumer')) >= 10 ? true : undefined), 'ten consumer reconciles');
    assert.equal(await newestConfigVersionNumber(h.db.pool, tenantId), before, 'no new config version');
  } finally {
    await resyncing.stop();
  }
  operator = await h.startOperator();

  // A new password: a new hash, in exactly one new version.
  await h.kubectlOk(['apply', '-f', '-'], secretYaml.replace('change-me-long-random-password', 'rotated-long-random-password'));
  const rotated = await gateway.nextConfig((config) => {
    const hash = pushedConsumer(config, 'partner-acme')?.basicAuth?.[0]?.passwordHash;
    return hash !== undefined && hash !== credential?.passwordHash;
  });
  assert.equal(rotated.version, (before ?? 0) + 1);
  assert.ok(await bcrypt.compare('rotated-long-random-password', pushedConsumer(rotated, 'partner-acme')?.basicAuth?.[0]?.passwordHash ?? ''));
  await h.kubectlOk(['delete', '-f', '-'], secretYaml);
  await h.kubectlOk(['delete', 'consumer', 'partner-acme']);
});

test('a Route with acl, ipRestriction, cors and header edits reaches the gateway with the policies under the same names', async () => {
  const [reportsYaml = ''] = readFileSync(`${CRDS_DIR}examples/route-policies.yaml`, 'utf8').split('\n---\n');
  await h.kubectlOk(['apply', '-f', '-'], reportsYaml);
  const waited = await h.kubectl.run(['wait', '--for=condition=Programmed', 'route/reports', '--timeout=60s']);
  assert.equal(waited.code, 0, waited.stderr);
  const version = (await h.object<{ status: { configVersion: number } }>('routes', 'reports'))?.status.configVersion ?? Infinity;
  const pushed = await gateway.nextConfig((config) => config.version >= version);
  const reports = pushed.config.routes.find((r) => r.name === 'k8s.default.reports') as unknown as Record<string, unknown>;
  assert.deepEqual(reports.acl, { allow: ['partners'] });
  assert.deepEqual(reports.ipRestriction, { allow: ['10.0.0.0/8', '2001:db8::/32'], deny: ['10.66.0.0/16'] });
  assert.deepEqual(reports.cors, {
    allowOrigins: ['https://app.example.com', 'https://*.example.com'],
    allowMethods: ['GET', 'POST'],
    allowHeaders: ['Authorization', 'Content-Type'],
    exposeHeaders: ['X-Total-Count'],
    allowCredentials: true,
    maxAgeSeconds: 600,
  });
  assert.deepEqual(reports.requestHeaders, { set: { 'X-Env': 'production' }, remove: ['Cookie'] });
  assert.deepEqual(reports.responseHeaders, { remove: ['Server'] });
  assert.equal(reports.maxBodyBytes, 1048576);
  await h.kubectlOk(['delete', 'route', 'reports']);
  await gateway.nextConfig((config) => !config.config.routes.some((r) => r.name === 'k8s.default.reports'));
});

test('an invalid Route is refused by the schema with a message naming the field', async () => {
  const result = await h.kubectl.run(['apply', '-f', '-'], routeYaml('bad-url', 'acme', '/bad', '').replace('http://bad-url.default.svc:8080', 'ftp://nowhere'));
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /spec\.upstream\.url/);
});

test('a Route naming a missing tenant is Accepted=False while the tenant\'s other Routes stay Programmed', async () => {
  await h.kubectlOk(['apply', '-f', '-'], routeYaml('orphan', 'no-such-tenant', '/orphan'));
  const orphan = await waitFor(async () => {
    const accepted = conditionOf((await h.object('routes', 'orphan')), 'Accepted');
    return accepted?.status === 'False' ? accepted : undefined;
  }, 'the orphan route to be refused');
  assert.equal(orphan.reason, 'TenantNotFound');
  assert.match(orphan.message, /Tenant "no-such-tenant" does not exist in namespace "default"/);
  assert.equal(conditionOf((await h.object('routes', 'orphan')), 'Programmed')?.reason, 'NotAccepted');
  assert.equal(conditionOf((await h.object('routes', 'users')), 'Programmed')?.status, 'True');
  assert.equal(conditionOf((await h.object('routes', 'orders')), 'Programmed')?.status, 'True');
});

test('-o wide shows the cause in REASON while a Route is not Accepted, and CONFIG VERSION leaves with the config', async () => {
  const wide = async (name: string) => (await h.kubectlOk(['get', 'route', name, '-o', 'wide', '--no-headers'])).trim().split(/\s+/);
  assert.equal((await wide('orphan'))[5], 'TenantNotFound', 'not the Programmed reason NotAccepted');
  await h.kubectlOk(['apply', '-f', '-'], routeYaml('leaver', 'acme', '/leaver'));
  const before = await waitFor(async () => (await h.object<{ status: { configVersion?: number } }>('routes', 'leaver'))?.status.configVersion, 'leaver to enter the config');
  assert.ok(before > 0);
  await waitFor(async () => (await wide('leaver'))[7] === String(before), 'CONFIG VERSION to show it');
  // Valid for the CRD schema, refused by the gateway's: the Route leaves the config.
  await h.kubectlOk(['apply', '-f', '-'], routeYaml('leaver', 'acme', '/a/*/b'));
  await waitFor(async () => conditionOf(await h.object('routes', 'leaver'), 'Accepted')?.reason === 'Invalid', 'leaver to be Invalid');
  await waitFor(async () => (await h.object<{ status: { configVersion?: number } }>('routes', 'leaver'))?.status.configVersion === undefined, 'configVersion to go');
  const columns = await wide('leaver');
  assert.equal(columns[5], 'Invalid');
  // An empty cell (`<none>` or nothing, by kubectl version): no number left in the row after UPSTREAM.
  assert.ok(!columns.slice(7).some((cell) => /^\d+$/.test(cell)), `CONFIG VERSION: ${columns.join(' ')}`);
  await h.kubectlOk(['delete', 'route', 'leaver']);
});

test('pool and retry values the CRD schema lets through but the gateway refuses make the Route Accepted=False/Invalid naming the field', async () => {
  const route = (name: string, spec: string) => `apiVersion: novagate.dev/v1alpha1
kind: Route
metadata: {name: ${name}, namespace: default}
spec:
  tenantRef: {name: acme}
${spec}`;
  const cases: [string, string, RegExp][] = [
    ['mixed-schemes', '  upstream: {targets: [{url: "http://a:1"}, {url: "https://b:1"}]}\n  match: {paths: ["/mixed"]}\n', /^spec\.upstream\.targets: all targets of a service must use the same scheme/],
    ['post-retry', '  upstream: {url: "http://a:1"}\n  match: {paths: ["/orders"], methods: [POST]}\n  retry: {attempts: 2, "on": ["503"]}\n', /^spec\.retry\.on: methods POST are not idempotent/],
  ];
  for (const [name, spec, message] of cases) {
    await h.kubectlOk(['apply', '-f', '-'], route(name, spec));
    const accepted = await waitFor(async () => {
      const condition = conditionOf(await h.object('routes', name), 'Accepted');
      return condition?.status === 'False' ? condition : undefined;
    }, `${name} to be refused`);
    assert.equal(accepted.reason, 'Invalid');
    assert.match(accepted.message, message);
    await h.kubectlOk(['delete', 'route', name]);
  }
});

test('a younger Route claiming the same requests as an older one is Accepted=False/Conflicted naming it, and never pushed', async () => {
  const twin = routeYaml('users-twin', 'acme', '/users/:name').replace('match: {paths: ["/users/:name"]}', 'match: {paths: ["/users/:name"], methods: [GET, POST]}');
  await h.kubectlOk(['apply', '-f', '-'], twin);
  const accepted = await waitFor(async () => {
    const condition = conditionOf(await h.object('routes', 'users-twin'), 'Accepted');
    return condition?.status === 'False' ? condition : undefined;
  }, 'the twin to be refused');
  assert.equal(accepted.reason, 'Conflicted');
  assert.match(accepted.message, /^Route "users" is older and claims the same requests \(any host, path \/users\/:name, GET\)/);
  assert.equal(conditionOf(await h.object('routes', 'users'), 'Accepted')?.status, 'True');
  const { rows } = await h.db.pool.query(`SELECT name FROM "tenant_${tenantId.replaceAll('-', '_')}".routes WHERE name = 'k8s.default.users-twin'`);
  assert.equal(rows.length, 0);
  assert.equal((await h.kubectlOk(['get', 'route', 'users-twin', '-o', 'wide', '--no-headers'])).trim().split(/\s+/)[5], 'Conflicted');
  await h.kubectlOk(['delete', 'route', 'users-twin']);
});

test('a nack from the gateway makes Programmed False with reason Rejected and the gateway\'s message', async () => {
  gateway.close();
  await within(gateway.closed, 'the first gateway connection to close');
  gateway = await helloGateway(h.controlPlane.url, apiKey, { nodeId: 'gw-1' });
  answerConfigs(gateway, (config) => (config.config.routes.some((r) => r.name === 'k8s.default.refused') ? 'upstream k8s.default.refused is not allowed here' : null));
  await h.kubectlOk(['apply', '-f', '-'], routeYaml('refused', 'acme', '/refused'));
  const programmed = await waitFor(async () => {
    const condition = conditionOf((await h.object('routes', 'refused')), 'Programmed');
    return condition?.reason === 'Rejected' ? condition : undefined;
  }, 'the nacked route to be Rejected');
  assert.equal(programmed.status, 'False');
  assert.match(programmed.message, /gateway gw-1 rejected config version \d+: upstream k8s.default.refused is not allowed here/);
});

test('deleting a Route removes it from the config the gateway receives', async () => {
  await h.kubectlOk(['delete', 'route', 'refused', 'users']);
  const pushed = await gateway.nextConfig((config) => !config.config.routes.some((r) => r.name === 'k8s.default.users' || r.name === 'k8s.default.refused'));
  assert.deepEqual(pushed.config.routes.map((r) => r.name), ['k8s.default.orders']);
});

test('events record the condition transitions of a Route, with a MicroTime eventTime the API server accepts', async () => {
  const list = await h.kubectlOk(['get', 'events', '--field-selector', 'involvedObject.name=orphan', '-o', 'json']);
  const events = (JSON.parse(list) as { items: { reason: string; type: string; eventTime?: string }[] }).items;
  assert.ok(events.some((event) => event.reason === 'TenantNotFound' && event.type === 'Warning'), JSON.stringify(events));
  for (const event of events) assert.match(event.eventTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  const described = await h.kubectlOk(['events', '--for', 'route/orphan']);
  assert.match(described, /TenantNotFound/);
  assert.doesNotMatch(await operator.metrics.registry.metrics(), /novagate_events_failed_total\{/);
});

test('metrics count reconciles by kind and result and show the work-queue depth', async () => {
  const text = await operator.metrics.registry.metrics();
  assert.match(text, /novagate_reconcile_total\{kind="route",result="success"\} [1-9]/);
  assert.match(text, /novagate_workqueue_depth\{kind="tenant"\} \d+/);
  assert.match(text, /novagate_reconcile_duration_seconds_bucket\{le="[^"]+",kind="consumer"\}/);
});

test('a plan change reaches the tenant account, and a second Tenant with a taken owner email is Ready=False/OwnerEmailTaken', async () => {
  await h.kubectlOk(['patch', 'tenant', 'acme', '--type', 'merge', '-p', '{"spec":{"plan":"enterprise"}}']);
  await waitFor(async () => {
    const { rows } = await h.db.pool.query('SELECT plan FROM public.tenants WHERE id = $1', [tenantId]);
    return rows[0]?.plan === 'enterprise';
  }, 'the plan to change');
  await h.kubectlOk(['apply', '-f', '-'], `
apiVersion: novagate.dev/v1alpha1
kind: Tenant
metadata: {name: copycat, namespace: default}
spec: {displayName: Copycat, ownerEmail: PLATFORM@acme.example.com}
`);
  const ready = await waitFor(async () => {
    const condition = conditionOf((await h.object('tenants', 'copycat')), 'Ready');
    return condition?.status === 'False' ? condition : undefined;
  }, 'the copycat to be refused');
  assert.equal(ready.reason, 'OwnerEmailTaken');
  assert.match(ready.message, /choose another spec\.ownerEmail/);
  await h.kubectlOk(['delete', 'tenant', 'copycat', '--timeout=60s']);
  const { rows } = await h.db.pool.query("SELECT count(*)::int AS n FROM public.tenants WHERE lower(owner_email) = 'platform@acme.example.com'");
  assert.equal(rows[0].n, 1);
});

test('deleting a Tenant with deletionPolicy Delete revokes its key, disconnects its gateway and drops its schema', async (t) => {
  await h.kubectlOk(['patch', 'tenant', 'acme', '--type', 'merge', '-p', '{"spec":{"deletionPolicy":"Delete"}}']);
  await waitFor(async () => ((await h.object<{ metadata: { generation: number }; status: { observedGeneration: number } }>('tenants', 'acme'))?.status.observedGeneration === 3 ? true : undefined), 'the policy change to be observed');
  await h.kubectlOk(['delete', 'tenant', 'acme', '--timeout=60s']);
  assert.equal((await h.object('tenants', 'acme')), null);
  const closed = await within(gateway.closed, 'the gateway to be disconnected when its key is revoked');
  assert.deepEqual(closed, { code: 4401, reason: 'API key revoked' });
  const tenants = await h.db.pool.query('SELECT 1 FROM public.tenants WHERE id = $1', [tenantId]);
  assert.equal(tenants.rowCount, 0);
  const schema = await h.db.pool.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [`tenant_${tenantId.replaceAll('-', '_')}`]);
  assert.equal(schema.rowCount, 0);
  // The owned Secret goes with its Tenant by garbage collection, which only a controller-manager does.
  if (h.controllers) await waitFor(async () => (await h.object('secrets', 'acme-gateway-key')) === null, 'the owned Secret to be garbage-collected');
  else t.diagnostic('skipped on the real API server: the garbage collection of the owned Secret (no controller-manager)');
  const orders = await waitFor(async () => {
    const accepted = conditionOf((await h.object('routes', 'orders')), 'Accepted');
    return accepted?.status === 'False' ? accepted : undefined;
  }, 'the remaining route to lose its tenant');
  assert.equal(orders.reason, 'TenantNotFound');
});

test('a Tenant with deletionPolicy Retain keeps its schema and is adopted again by a new Tenant of the same owner', async () => {
  const tenantYaml = `
apiVersion: novagate.dev/v1alpha1
kind: Tenant
metadata: {name: keeper, namespace: default}
spec: {displayName: Keeper, ownerEmail: keeper@example.com}
`;
  await h.kubectlOk(['apply', '-f', '-'], tenantYaml);
  await h.kubectlOk(['wait', '--for=condition=Ready', 'tenant/keeper', '--timeout=60s']);
  const first = (await h.object<{ status: { tenantId: string }; spec: { deletionPolicy: string; plan: string } }>('tenants', 'keeper'));
  assert.equal(first?.spec.deletionPolicy, 'Retain');
  assert.equal(first?.spec.plan, 'free');
  await h.kubectlOk(['delete', 'tenant', 'keeper', '--timeout=60s']);
  const keys = await h.db.pool.query('SELECT count(*)::int AS active FROM public.api_keys WHERE tenant_id = $1 AND revoked_at IS NULL', [first?.status.tenantId]);
  assert.equal(keys.rows[0].active, 0);
  const schema = await h.db.pool.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [`tenant_${first?.status.tenantId.replaceAll('-', '_')}`]);
  assert.equal(schema.rowCount, 1, 'Retain keeps the schema');
  // The garbage collector deletes the Secret the deleted Tenant owned; a real API server without a
  // controller-manager keeps it, so the test does the collector's work there.
  if (!h.controllers) await h.kubectlOk(['delete', 'secret', 'keeper-gateway-key']);
  await h.kubectlOk(['apply', '-f', '-'], tenantYaml);
  await h.kubectlOk(['wait', '--for=condition=Ready', 'tenant/keeper', '--timeout=60s']);
  assert.equal((await h.object<{ status: { tenantId: string } }>('tenants', 'keeper'))?.status.tenantId, first?.status.tenantId);
});

test('Routes beyond the plan limit are Accepted=False/PlanLimitExceeded and get in as soon as a slot frees', async () => {
  await h.kubectlOk(['apply', '-f', '-'], `
apiVersion: novagate.dev/v1alpha1
kind: Tenant
metadata: {name: small, namespace: default}
spec: {displayName: Small, plan: free, ownerEmail: small@example.com}
`);
  await h.kubectlOk(['wait', '--for=condition=Ready', 'tenant/small', '--timeout=60s']);
  const names = Array.from({ length: 11 }, (_, i) => `small-${String(i).padStart(2, '0')}`);
  await h.kubectlOk(['apply', '-f', '-'], names.map((name) => routeYaml(name, 'small', `/${name}`)).join('---'));
  const verdicts = await waitFor(async () => {
    const accepted = await Promise.all(names.map(async (name) => ({ name, condition: conditionOf(await h.object('routes', name), 'Accepted') })));
    return accepted.every(({ condition }) => condition !== undefined) ? accepted : undefined;
  }, 'a verdict on all 11 routes');
  const refused = verdicts.filter(({ condition }) => condition?.status === 'False');
  assert.equal(refused.length, 1, JSON.stringify(verdicts));
  assert.equal(refused[0]?.condition?.reason, 'PlanLimitExceeded');
  assert.match(refused[0]?.condition?.message ?? '', /the free plan allows at most 10/);
  const victim = verdicts.find(({ condition }) => condition?.status === 'True')?.name as string;
  await h.kubectlOk(['delete', 'route', victim]);
  await waitFor(async () => conditionOf((await h.object('routes', refused[0]?.name as string)), 'Accepted')?.status === 'True', 'the refused route to get the freed slot');
});
