// NovaGatePolicy (DESIGN §11, Gateway API policy attachment) on a real kube-apiserver (its CEL and validation) and a
// real PostgreSQL, with the chart's RBAC: a policy on an HTTPRoute or a Gateway puts auth and rate limits on exactly
// the routes it reaches in the tenant's config, route level over Gateway level, with status.ancestors saying
// Accepted / Conflicted / Invalid / TargetNotFound; and the config the operator wrote, served by a real gateway
// pipeline, answers 401 without a Consumer's key and 200 with it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { latestConfigVersion, readManagedEntities } from '@novagate/control-plane/tenancy';
import { createTestDatabase, type TestDatabase } from '@novagate/control-plane/testing/database';
import { startTestGateway } from '@novagate/gateway/testing/in-process-gateway';
import { startUpstream, type TestUpstream } from '@novagate/gateway/testing/upstream';
import { createLogger, gatewayListenerName, gatewayOwner, httpRouteNameStem, startOperator, type Operator } from '@novagate/operator';
import { kubectlFor, kubectlOk, type Kubectl } from '../kube-api/index.js';
import { skipReason, startRealApiServer, type RealApiServer } from '../kube-real/real-api-server.js';
import { CRDS_DIR, waitFor } from './harness.js';
import { loadKubeConfig, operatorKubeConfig } from './real-kube.js';

const GATEWAY_API_CRDS = '/work/shared/gateway-api/standard-install.yaml';
const CONTROLLER = 'novagate.dev/gateway-controller';
const CONSUMER_KEY = 'policy-e2e-key-0123456789abcdef0123';

let server: RealApiServer | undefined;
let kubectl: Kubectl;
let db: TestDatabase;
let operator: Operator | undefined;
let upstream: TestUpstream | undefined;
let tenantId = '';

const apply = (object: unknown) => kubectlOk(kubectl, ['apply', '-f', '-'], JSON.stringify(object));
const remove = (kind: string, namespace: string, name: string) => kubectlOk(kubectl, ['delete', kind, '-n', namespace, name, '--wait=true']);

const httpRoute = (name: string, rules?: Record<string, unknown>[]) => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { namespace: 'apps', name },
  spec: { parentRefs: [{ name: 'gw', namespace: 'default' }], rules: rules ?? [{ matches: [{ path: { type: 'PathPrefix', value: `/${name}` } }], backendRefs: [{ name: 'echo', port: 8080 }] }] },
});
const targetRef = (kind: 'HTTPRoute' | 'Gateway', name: string) => ({ group: 'gateway.networking.k8s.io', kind, name });
const policy = (namespace: string, name: string, targetRefs: Record<string, unknown>[], fields: Record<string, unknown>) => ({
  apiVersion: 'novagate.dev/v1alpha1',
  kind: 'NovaGatePolicy',
  metadata: { namespace, name },
  spec: { targetRefs, ...fields },
});

before(async () => {
  if (skipReason !== false) return;
  [server, db, upstream] = await Promise.all([startRealApiServer(), createTestDatabase(), startUpstream()]);
  kubectl = kubectlFor(server.kubeconfigPath);
  await kubectlOk(kubectl, ['apply', '-f', CRDS_DIR]);
  await kubectlOk(kubectl, ['apply', '--server-side', '-f', GATEWAY_API_CRDS]);
  await kubectlOk(kubectl, ['wait', '--for=condition=Established', '--timeout=60s', 'crd/tenants.novagate.dev', 'crd/novagatepolicies.novagate.dev', 'crd/httproutes.gateway.networking.k8s.io', 'crd/gateways.gateway.networking.k8s.io']);
  operator = await startOperator({
    kubeConfig: await operatorKubeConfig(kubectl, loadKubeConfig(server.kubeconfigPath)),
    pool: db.pool,
    log: createLogger('warn'),
    leaderElection: null,
    metricsPort: null,
  });
  await kubectlOk(kubectl, ['apply', '-f', `${CRDS_DIR}examples/tenant.yaml`]);
  await kubectlOk(kubectl, ['wait', '--for=condition=Ready', 'tenant/acme', '--timeout=60s']);
  tenantId = (JSON.parse(await kubectlOk(kubectl, ['get', 'tenant', 'acme', '-o', 'json'])) as { status: { tenantId: string } }).status.tenantId;
  await apply({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'novagate' }, spec: { controllerName: CONTROLLER, parametersRef: { group: 'novagate.dev', kind: 'Tenant', namespace: 'default', name: 'acme' } } });
  await kubectlOk(kubectl, ['wait', '--for=condition=Accepted', 'gatewayclass/novagate', '--timeout=30s']);
  await apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'apps' } });
  await apply({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { namespace: 'default', name: 'gw' },
    spec: { gatewayClassName: 'novagate', listeners: [{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } }] },
  });
  await waitFor(async () => {
    const listeners = (await readManagedEntities(db.pool, tenantId)).listeners;
    return listeners.get(gatewayListenerName('default', 'gw', 'http'))?.config.gateway === gatewayOwner('default', 'gw') ? true : undefined;
  }, "the Gateway's listener in the tenant's config");
  // The Service's one endpoint (the API server refuses loopback addresses in EndpointSlices; the in-process gateway
  // below sends this service's traffic to the test's upstream instead).
  await apply({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'apps', name: 'echo' }, spec: { ports: [{ name: 'http', port: 8080, targetPort: 9000 }] } });
  await apply({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace: 'apps', name: 'echo-1', labels: { 'kubernetes.io/service-name': 'echo', 'endpointslice.kubernetes.io/managed-by': 'e2e.novagate.dev' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['198.18.0.1'], conditions: { ready: true } }],
    ports: [{ name: 'http', port: 9000, protocol: 'TCP' }],
  });
  // A Consumer of the class's Tenant with an API key.
  await apply({ apiVersion: 'v1', kind: 'Secret', metadata: { namespace: 'default', name: 'partner-key' }, stringData: { apiKey: CONSUMER_KEY } });
  await apply({ apiVersion: 'novagate.dev/v1alpha1', kind: 'Consumer', metadata: { namespace: 'default', name: 'partner' }, spec: { tenantRef: { name: 'acme' }, username: 'partner', apiKeySecretRef: { name: 'partner-key', key: 'apiKey' } } });
  for (const name of ['secured', 'open']) await apply(httpRoute(name));
});
after(async () => {
  await operator?.stop();
  kubectl?.dispose();
  await server?.stop();
  await upstream?.close();
  await db?.drop();
});

const skip = { skip: skipReason };

interface RouteConfigView {
  auth?: string;
  rateLimit?: { limit: number };
  ipRestriction?: unknown;
  acl?: unknown;
  backends?: unknown[];
}

/** The config routes of an HTTPRoute, by `<rule>.<match>`. */
async function configRoutesOf(name: string): Promise<Map<string, RouteConfigView>> {
  const stem = `${httpRouteNameStem('apps', name)}.`;
  const routes = [...(await readManagedEntities(db.pool, tenantId)).routes].filter(([routeName]) => routeName.startsWith(stem));
  return new Map(routes.map(([routeName, row]) => [routeName.slice(stem.length), row.config as RouteConfigView]));
}

/** Waits until the first route of the HTTPRoute has this auth (and, when given, this rate limit). */
const authOf = (name: string, auth: string, limit?: number) =>
  waitFor(
    async () => {
      const route = (await configRoutesOf(name)).get('0.0');
      return route?.auth === auth && (limit === undefined || route.rateLimit?.limit === limit) ? route : undefined;
    },
    `HTTPRoute ${name}: auth ${auth}${limit === undefined ? '' : `, rate limit ${limit}`} in the tenant config`,
    30_000,
  );

interface AncestorView {
  ancestorRef: { group?: string; kind?: string; namespace?: string; name: string };
  controllerName: string;
  conditions: { type: string; status: string; reason: string; message: string; observedGeneration: number }[];
}

/** Waits until our status.ancestors of the policy say these reasons (by ancestor name), at the policy's generation. */
/**
 * Waits until a policy created now would be younger than `namespace/name` by the API server's clock, whose
 * creationTimestamp has whole seconds: two policies made in the same second are ordered by namespace/name instead
 * (Gateway API's tie-break), which a test about age must not leave to how fast the steps before it ran.
 */
async function waitPastCreationOf(namespace: string, name: string): Promise<void> {
  const view = JSON.parse(await kubectlOk(kubectl, ['get', 'novagatepolicy', '-n', namespace, name, '-o', 'json'])) as { metadata: { creationTimestamp: string } };
  const wait = Date.parse(view.metadata.creationTimestamp) + 1_100 - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}

async function ancestorsOf(namespace: string, name: string, reasons: Record<string, string>): Promise<AncestorView[]> {
  return waitFor(
    async () => {
      const view = JSON.parse(await kubectlOk(kubectl, ['get', 'novagatepolicy', '-n', namespace, name, '-o', 'json'])) as { metadata: { generation: number }; status?: { ancestors?: AncestorView[] } };
      const ours = (view.status?.ancestors ?? []).filter((ancestor) => ancestor.controllerName === CONTROLLER);
      const seen = Object.fromEntries(
        ours.map((ancestor) => [ancestor.ancestorRef.name, ancestor.conditions.find((condition) => condition.type === 'Accepted' && condition.observedGeneration === view.metadata.generation)?.reason]),
      );
      if (JSON.stringify(seen) === JSON.stringify(reasons)) return ours;
      // What the policy says instead: waitFor's timeout message carries the last one.
      throw new Error(`generation ${view.metadata.generation}, ancestors ${JSON.stringify(view.status?.ancestors ?? [])}`);
    },
    `NovaGatePolicy ${namespace}/${name}: ${JSON.stringify(reasons)}`,
    30_000,
  );
}

test('a policy on an HTTPRoute makes exactly its routes require key-auth in the tenant config, and a real gateway on that config answers 401, then 200 with the Consumer\'s key', skip, async () => {
  await authOf('open', 'none');
  await apply(policy('apps', 'secured-key', [targetRef('HTTPRoute', 'secured')], { auth: 'key-auth' }));
  const started = Date.now();
  await authOf('secured', 'key-auth');
  console.log(`# policy applied to the tenant config after ${Date.now() - started} ms`);
  assert.equal((await configRoutesOf('open')).get('0.0')?.auth, 'none', 'the other HTTPRoute on the same Gateway is untouched');
  const [ancestor] = await ancestorsOf('apps', 'secured-key', { gw: 'Accepted' });
  assert.deepEqual(ancestor?.ancestorRef, { group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'default', name: 'gw' });

  // The config as the operator wrote it (routes with their policies, consumers), served by the gateway's own
  // pipeline. Two changes only: the listener ownership is dropped (the in-process gateway serves one unowned
  // listener on a free port) and the Service's endpoint becomes the test's upstream.
  const snapshot = (await latestConfigVersion(db.pool, tenantId))?.config as unknown as { routes: Record<string, unknown>[]; services: Record<string, unknown>[]; listeners?: unknown; [key: string]: unknown };
  const { listeners: _listeners, ...rest } = snapshot;
  const config = {
    ...rest,
    routes: snapshot.routes.map(({ listeners: _routeListeners, ...route }) => route),
    services: snapshot.services.map((service) => ({ ...service, targets: [{ url: upstream?.url ?? '' }] })),
  };
  const gateway = await startTestGateway(config);
  try {
    const securedUrl = `${gateway.url}/secured`;
    assert.equal((await fetch(securedUrl)).status, 401);
    assert.equal((await fetch(securedUrl, { headers: { apikey: 'wrong-key-0123456789abcdef01234567' } })).status, 401);
    const allowed = await fetch(securedUrl, { headers: { apikey: CONSUMER_KEY } });
    assert.equal(allowed.status, 200);
    assert.equal(((await allowed.json()) as { headers: Record<string, string> }).headers['x-consumer-username'], 'partner');
    assert.equal((await fetch(`${gateway.url}/open`)).status, 200, 'the route without a policy stays open');
  } finally {
    await gateway.close();
  }
});

test('a Gateway-level default applies to every route attached to it; the HTTPRoute-level policy overrides it per field group', skip, async () => {
  await apply(policy('default', 'gw-defaults', [targetRef('Gateway', 'gw')], { auth: 'basic-auth', rateLimit: { limit: 7, windowSeconds: 60 } }));
  await authOf('open', 'basic-auth', 7);
  await authOf('secured', 'key-auth', 7); // the route's auth wins, the Gateway's rate limit still holds
  await ancestorsOf('default', 'gw-defaults', { gw: 'Accepted' });
});

test('a second policy on the same HTTPRoute is Conflicted and changes nothing; deleting the older one lets it apply', skip, async () => {
  await waitPastCreationOf('apps', 'secured-key');
  await apply(policy('apps', 'secured-jwt', [targetRef('HTTPRoute', 'secured')], { auth: 'jwt' }));
  const [conflicted] = await ancestorsOf('apps', 'secured-jwt', { gw: 'Conflicted' });
  assert.match(conflicted?.conditions[0]?.message ?? '', /NovaGatePolicy apps\/secured-key is older/);
  assert.equal(conflicted?.conditions[0]?.status, 'False');
  assert.equal((await configRoutesOf('secured')).get('0.0')?.auth, 'key-auth');
  await remove('novagatepolicy', 'apps', 'secured-key');
  await authOf('secured', 'jwt', 7);
  await ancestorsOf('apps', 'secured-jwt', { gw: 'Accepted' });
});

test('a policy targeting a missing HTTPRoute is TargetNotFound until the route appears, then applies to it', skip, async () => {
  await apply(policy('apps', 'later-key', [targetRef('HTTPRoute', 'later')], { auth: 'key-auth' }));
  const [missing] = await ancestorsOf('apps', 'later-key', { later: 'TargetNotFound' });
  assert.equal(missing?.ancestorRef.kind, 'HTTPRoute');
  assert.match(missing?.conditions[0]?.message ?? '', /HTTPRoute apps\/later does not exist/);
  await apply(httpRoute('later'));
  await authOf('later', 'key-auth', 7);
  await ancestorsOf('apps', 'later-key', { gw: 'Accepted' });
});

test('an ExtensionRef to a missing policy makes that rule answer 500 and ResolvedRefs say so; creating the policy applies it to that rule only', skip, async () => {
  await apply(
    httpRoute('mixed', [
      { matches: [{ path: { type: 'PathPrefix', value: '/mixed/public' } }], backendRefs: [{ name: 'echo', port: 8080 }] },
      { matches: [{ path: { type: 'PathPrefix', value: '/mixed/admin' } }], filters: [{ type: 'ExtensionRef', extensionRef: { group: 'novagate.dev', kind: 'NovaGatePolicy', name: 'admins' } }], backendRefs: [{ name: 'echo', port: 8080 }] },
    ]),
  );
  const resolvedRefs = async (reason: string) =>
    waitFor(
      async () => {
        const view = JSON.parse(await kubectlOk(kubectl, ['get', 'httproute', '-n', 'apps', 'mixed', '-o', 'json'])) as { status?: { parents?: { controllerName: string; conditions: { type: string; reason: string; message: string }[] }[] } };
        const condition = view.status?.parents?.find((parent) => parent.controllerName === CONTROLLER)?.conditions.find((candidate) => candidate.type === 'ResolvedRefs');
        return condition?.reason === reason ? condition : undefined;
      },
      `HTTPRoute mixed ResolvedRefs ${reason}`,
      30_000,
    );
  assert.match((await resolvedRefs('BackendNotFound')).message, /NovaGatePolicy apps\/admins: it does not exist/);
  const broken = await waitFor(async () => ((await configRoutesOf('mixed')).size === 2 ? configRoutesOf('mixed') : undefined), 'both rules in the config');
  assert.equal(broken.get('1.0')?.backends, undefined, 'the rule naming the missing policy has no destination: 500');
  assert.ok(broken.get('0.0')?.backends !== undefined);
  // targetRefs needs at least one target: this one names another HTTPRoute, where the older later-key wins
  // (Conflicted there), which never keeps an ExtensionRef from using the policy.
  await waitPastCreationOf('apps', 'later-key');
  await apply(policy('apps', 'admins', [targetRef('HTTPRoute', 'later')], { auth: 'key-auth', acl: { allow: ['admins'] } }));
  await resolvedRefs('ResolvedRefs');
  const fixed = await waitFor(async () => {
    const routes = await configRoutesOf('mixed');
    return routes.get('1.0')?.backends !== undefined ? routes : undefined;
  }, 'the admin rule to get its backends back');
  assert.deepEqual(fixed.get('1.0')?.acl, { allow: ['admins'] });
  assert.equal(fixed.get('1.0')?.auth, 'key-auth');
  assert.equal(fixed.get('1.0')?.rateLimit?.limit, 7, 'a field group the policy leaves out still comes from the Gateway');
  assert.equal(fixed.get('0.0')?.auth, 'basic-auth', 'the other rule keeps the Gateway default');
  assert.equal(fixed.get('0.0')?.acl, undefined);
  await ancestorsOf('apps', 'admins', { gw: 'Conflicted' });
  assert.equal((await configRoutesOf('later')).get('0.0')?.acl, undefined, 'the older policy of HTTPRoute later still applies there');
});

test('the API server refuses a cross-namespace targetRef, another kind, no targets or more than 16, and a sectionName on an HTTPRoute, in words', skip, async () => {
  const refused = async (object: unknown, message: RegExp) => {
    const result = await kubectl.run(['apply', '-f', '-'], JSON.stringify(object));
    assert.notEqual(result.code, 0, JSON.stringify(object));
    assert.match(result.stderr, message);
  };
  await refused(policy('apps', 'sneaky', [{ ...targetRef('Gateway', 'gw'), namespace: 'default' }], { auth: 'none' }), /targetRefs are local/);
  await refused(policy('apps', 'odd', [{ group: '', kind: 'Service', name: 'echo' }], { auth: 'none' }), /spec\.targetRefs\[0\]\.(group|kind)/);
  await refused(policy('apps', 'empty', [], { auth: 'none' }), /spec\.targetRefs/);
  await refused(policy('apps', 'many', Array.from({ length: 17 }, (_, index) => targetRef('HTTPRoute', `r${index}`)), { auth: 'none' }), /spec\.targetRefs: Too many/);
  await refused(policy('apps', 'twice', [targetRef('HTTPRoute', 'open'), targetRef('HTTPRoute', 'open')], { auth: 'none' }), /each target may be named once/);
  await refused(policy('apps', 'section', [{ ...targetRef('HTTPRoute', 'open'), sectionName: 'http' }], { auth: 'none' }), /sectionName names a listener/);
  await refused(policy('apps', 'nothing', [targetRef('HTTPRoute', 'open')], {}), /sets at least one of auth/);
  await refused(policy('apps', 'jwt-no-auth', [targetRef('HTTPRoute', 'open')], { jwt: { providers: [{ name: 'idp', issuer: 'https://idp/', jwksUri: 'https://idp/jwks', algorithms: ['RS256'] }] } }), /jwt\.providers needs auth jwt/);
});

test('a policy the gateway schema refuses is Invalid naming the field, and the route it targets answers 500 (fail closed) with ResolvedRefs saying why, until it is deleted', skip, async () => {
  await apply(policy('apps', 'bad-range', [targetRef('HTTPRoute', 'open')], { auth: 'key-auth', ipRestriction: { allow: ['10.0.0.300/8'] } }));
  const [invalid] = await ancestorsOf('apps', 'bad-range', { gw: 'Invalid' });
  assert.match(invalid?.conditions[0]?.message ?? '', /spec\.ipRestriction\.allow\[0\]/);
  const refused = await waitFor(async () => {
    const route = (await configRoutesOf('open')).get('0.0');
    return route !== undefined && route.backends === undefined ? route : undefined;
  }, 'HTTPRoute open to lose its destination (500)');
  assert.equal(refused.ipRestriction, undefined, 'none of the Invalid policy\'s fields applied');
  assert.notEqual(refused.auth, 'basic-auth', 'not the Gateway default either: the route answers 500 instead of falling back');
  const resolvedRefs = await waitFor(async () => {
    const view = JSON.parse(await kubectlOk(kubectl, ['get', 'httproute', '-n', 'apps', 'open', '-o', 'json'])) as { status?: { parents?: { controllerName: string; conditions: { type: string; status: string; reason: string; message: string }[] }[] } };
    const condition = view.status?.parents?.find((parent) => parent.controllerName === CONTROLLER)?.conditions.find((candidate) => candidate.type === 'ResolvedRefs');
    return condition?.status === 'False' ? condition : undefined;
  }, 'HTTPRoute open ResolvedRefs False', 30_000);
  assert.equal(resolvedRefs?.status, 'False');
  assert.equal(resolvedRefs?.reason, 'BackendNotFound');
  assert.match(resolvedRefs?.message ?? '', /NovaGatePolicy apps\/bad-range targets HTTPRoute apps\/open and is Invalid \(spec\.ipRestriction\.allow\[0\]/);
  await remove('novagatepolicy', 'apps', 'bad-range');
  const back = await authOf('open', 'basic-auth', 7);
  assert.ok(back.backends !== undefined, 'deleting the Invalid policy gives the route its destination and the Gateway default back');
});

test('deleting the policies removes the auth and the rate limit from the routes', skip, async () => {
  await remove('novagatepolicy', 'default', 'gw-defaults');
  await authOf('open', 'none');
  await remove('novagatepolicy', 'apps', 'secured-jwt');
  const secured = await authOf('secured', 'none');
  assert.equal(secured.rateLimit, undefined);
});
