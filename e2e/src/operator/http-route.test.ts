// The HTTPRoute controller on a real kube-apiserver (the Gateway API CRDs' CEL needs it) and a real PostgreSQL, with
// the chart's RBAC: HTTPRoutes attached to a Gateway of ours become routes and gwapi.svc services in the tenant's
// config (targets from EndpointSlices), with status.parents Accepted/ResolvedRefs. The Gateway's listener row is
// written here through the data layer, as the Gateway controller would.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { newestConfigVersionNumber, readManagedEntities } from '@novagate/control-plane/tenancy';
import { createTestDatabase, type TestDatabase } from '@novagate/control-plane/testing/database';
import { createLogger, gatewayListenerName, gatewayOwner, httpRouteNameStem, serviceEntityName, startOperator, type Operator } from '@novagate/operator';
import { kubectlFor, kubectlOk, type Kubectl } from '../kube-api/index.js';
import { skipReason, startRealApiServer, type RealApiServer } from '../kube-real/real-api-server.js';
import { CRDS_DIR, waitFor } from './harness.js';
import { loadKubeConfig, operatorKubeConfig } from './real-kube.js';

const GATEWAY_API_CRDS = '/work/shared/gateway-api/standard-install.yaml';
const CONTROLLER = 'novagate.dev/gateway-controller';

let server: RealApiServer | undefined;
let kubectl: Kubectl;
let db: TestDatabase;
let operator: Operator | undefined;
let tenantId = '';

const apply = (object: unknown) => kubectlOk(kubectl, ['apply', '-f', '-'], JSON.stringify(object));

const service = (namespace: string, name: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { namespace, name }, spec: { ports: [{ name: 'http', port: 8080, targetPort: 9000 }] } });
const endpointSlice = (namespace: string, serviceName: string, addresses: string[]) => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { namespace, name: `${serviceName}-1`, labels: { 'kubernetes.io/service-name': serviceName, 'endpointslice.kubernetes.io/managed-by': 'e2e.novagate.dev' } },
  addressType: 'IPv4',
  endpoints: addresses.map((address) => ({ addresses: [address], conditions: { ready: true } })),
  ports: [{ name: 'http', port: 9000, protocol: 'TCP' }],
});
const httpRoute = (name: string, backendRefs: Record<string, unknown>[], extra: Record<string, unknown> = {}) => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { namespace: 'apps', name },
  spec: { parentRefs: [{ name: 'gw', namespace: 'default' }], rules: [{ matches: [{ path: { type: 'PathPrefix', value: `/${name}` } }], backendRefs }], ...extra },
});

before(async () => {
  if (skipReason !== false) return;
  [server, db] = await Promise.all([startRealApiServer(), createTestDatabase()]);
  kubectl = kubectlFor(server.kubeconfigPath);
  await kubectlOk(kubectl, ['apply', '-f', CRDS_DIR]);
  await kubectlOk(kubectl, ['apply', '--server-side', '-f', GATEWAY_API_CRDS]);
  await kubectlOk(kubectl, ['wait', '--for=condition=Established', '--timeout=60s', 'crd/tenants.novagate.dev', 'crd/httproutes.gateway.networking.k8s.io', 'crd/gateways.gateway.networking.k8s.io', 'crd/referencegrants.gateway.networking.k8s.io']);
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
  for (const name of ['apps', 'backends']) await apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  await apply({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { namespace: 'default', name: 'gw' },
    spec: { gatewayClassName: 'novagate', listeners: [{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } }] },
  });
  // The Gateway controller writes the listener row the routes name (written by hand here, it raced the operator's
  // own syncs of the tenant: a deadlock).
  await waitFor(async () => {
    const listeners = (await readManagedEntities(db.pool, tenantId)).listeners;
    return listeners.get(gatewayListenerName('default', 'gw', 'http'))?.config.gateway === gatewayOwner('default', 'gw') ? true : undefined;
  }, "the Gateway's listener in the tenant's config");
  await apply(service('apps', 'echo'));
  await apply(endpointSlice('apps', 'echo', ['198.18.0.1']));
});
after(async () => {
  await operator?.stop();
  kubectl?.dispose();
  await server?.stop();
  await db?.drop();
});

const skip = { skip: skipReason };

interface ParentView {
  parentRef: { name: string; namespace?: string };
  controllerName: string;
  conditions: { type: string; status: string; reason: string; message: string; observedGeneration: number }[];
}

async function routeView(name: string): Promise<{ metadata: { generation: number }; status?: { parents?: ParentView[] } }> {
  return JSON.parse(await kubectlOk(kubectl, ['get', 'httproute', '-n', 'apps', name, '-o', 'json'])) as { metadata: { generation: number }; status?: { parents?: ParentView[] } };
}

/** Waits until our entry for the route says Accepted and ResolvedRefs with these reasons, at the route's generation. */
async function ourParent(name: string, accepted: string, resolvedRefs: string): Promise<ParentView> {
  return waitFor(
    async () => {
      const view = await routeView(name);
      const ours = view.status?.parents?.find((parent) => parent.controllerName === CONTROLLER);
      const reasonOf = (type: string) => ours?.conditions.find((condition) => condition.type === type && condition.observedGeneration === view.metadata.generation)?.reason;
      return reasonOf('Accepted') === accepted && reasonOf('ResolvedRefs') === resolvedRefs ? ours : undefined;
    },
    `HTTPRoute ${name}: Accepted ${accepted}, ResolvedRefs ${resolvedRefs}`,
    30_000,
  );
}

const configRoutesOf = async (name: string) => [...(await readManagedEntities(db.pool, tenantId)).routes].filter(([routeName]) => routeName.startsWith(`${httpRouteNameStem('apps', name)}.`)).map(([, row]) => row.config);
const targetsOf = async (serviceName: string) => ((await readManagedEntities(db.pool, tenantId)).services.get(serviceName)?.config.targets ?? []).map((target) => target.url);

test('an HTTPRoute to a Gateway of ours becomes a route on its listener with a gwapi.svc service whose targets are the ready endpoints; Accepted and ResolvedRefs', skip, async () => {
  const started = Date.now();
  await apply(httpRoute('one', [{ name: 'echo', port: 8080 }]));
  const parent = await ourParent('one', 'Accepted', 'ResolvedRefs');
  console.log(`# first HTTPRoute Accepted after ${Date.now() - started} ms`);
  const written = (JSON.parse(await kubectlOk(kubectl, ['get', 'httproute', '-n', 'apps', 'one', '-o', 'json'])) as { spec: { parentRefs: unknown[] } }).spec.parentRefs[0];
  assert.deepEqual(parent.parentRef, written, 'the parentRef as written (with the API server\'s defaults)');
  assert.ok(parent.conditions.every((condition) => condition.status === 'True'));
  const [route] = await configRoutesOf('one');
  assert.ok(route, 'the route is in the tenant config');
  assert.deepEqual(route.listeners, [gatewayListenerName('default', 'gw', 'http')]);
  assert.deepEqual(route.backends, [{ service: serviceEntityName('apps', 'echo', 8080), weight: 1 }]);
  assert.deepEqual(await targetsOf(serviceEntityName('apps', 'echo', 8080)), ['http://198.18.0.1:9000']);
});

test('a missing backend Service is an invalid backend in the config and ResolvedRefs=False/BackendNotFound', skip, async () => {
  await apply(httpRoute('missing', [{ name: 'nowhere', port: 8080 }]));
  const parent = await ourParent('missing', 'Accepted', 'BackendNotFound');
  assert.match(parent.conditions.find((condition) => condition.type === 'ResolvedRefs')?.message ?? '', /Service apps\/nowhere does not exist/);
  const [route] = await waitFor(async () => ((await configRoutesOf('missing')).length > 0 ? configRoutesOf('missing') : undefined), 'the route with an invalid backend');
  assert.deepEqual(route?.backends, [{ invalid: true, weight: 1 }]);
  // The Service appearing resolves it.
  await apply(service('apps', 'nowhere'));
  await ourParent('missing', 'Accepted', 'ResolvedRefs');
  await waitFor(async () => (await configRoutesOf('missing'))[0]?.backends?.[0]?.service === serviceEntityName('apps', 'nowhere', 8080), 'the backend to name the service');
});

test('a backend in another namespace is RefNotPermitted until a ReferenceGrant there allows HTTPRoutes of the route namespace', skip, async () => {
  await apply(service('backends', 'shared'));
  await apply(endpointSlice('backends', 'shared', ['198.18.1.1']));
  await apply(httpRoute('cross', [{ name: 'shared', namespace: 'backends', port: 8080 }]));
  await ourParent('cross', 'Accepted', 'RefNotPermitted');
  assert.deepEqual((await configRoutesOf('cross'))[0]?.backends, [{ invalid: true, weight: 1 }]);
  await apply({
    apiVersion: 'gateway.networking.k8s.io/v1beta1',
    kind: 'ReferenceGrant',
    metadata: { namespace: 'backends', name: 'from-apps' },
    spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'apps' }], to: [{ group: '', kind: 'Service' }] },
  });
  await ourParent('cross', 'Accepted', 'ResolvedRefs');
  await waitFor(async () => (await targetsOf(serviceEntityName('backends', 'shared', 8080))).join() === 'http://198.18.1.1:9000', 'the cross-namespace service with its target');
});

test('EndpointSlice changes reach the targets within a few seconds, a burst coalesced into few config versions', skip, async () => {
  const name = serviceEntityName('apps', 'echo', 8080);
  await waitFor(async () => (await targetsOf(name)).length === 1, 'the first target');
  const before = await newestConfigVersionNumber(db.pool, tenantId);
  const started = Date.now();
  const bursts = [['198.18.0.1', '198.18.0.2'], ['198.18.0.1', '198.18.0.2', '198.18.0.3'], ['198.18.0.2', '198.18.0.3'], ['198.18.0.2', '198.18.0.3', '198.18.0.4']];
  for (const addresses of bursts) await apply(endpointSlice('apps', 'echo', addresses));
  await waitFor(async () => (await targetsOf(name)).join() === 'http://198.18.0.2:9000,http://198.18.0.3:9000,http://198.18.0.4:9000', 'the final targets', 10_000);
  const elapsed = Date.now() - started;
  const versions = ((await newestConfigVersionNumber(db.pool, tenantId)) ?? 0) - (before ?? 0);
  assert.ok(elapsed < 5_000, `targets updated in ${elapsed} ms`);
  assert.ok(versions <= 2, `${bursts.length} EndpointSlice changes made ${versions} config versions`);
  console.log(`# EndpointSlice burst of ${bursts.length}: final targets after ${elapsed} ms, ${versions} config version(s)`);
});

test("another controller's status.parents entry is kept when ours is rewritten", skip, async () => {
  const view = await routeView('one');
  const theirs: ParentView = {
    parentRef: { name: 'elsewhere', namespace: 'default' },
    controllerName: 'example.com/other-controller',
    conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted', message: 'theirs', observedGeneration: view.metadata.generation, lastTransitionTime: '2026-11-30T00:00:00Z' } as ParentView['conditions'][number]],
  };
  await kubectlOk(kubectl, ['patch', 'httproute', '-n', 'apps', 'one', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { parents: [...(view.status?.parents ?? []), theirs] } })]);
  // A spec change: our entry is rewritten for the new generation (a hostname no listener refuses).
  await kubectlOk(kubectl, ['patch', 'httproute', '-n', 'apps', 'one', '--type=merge', '-p', JSON.stringify({ spec: { hostnames: ['one.example.com'] } })]);
  await ourParent('one', 'Accepted', 'ResolvedRefs');
  const parents = (await routeView('one')).status?.parents ?? [];
  assert.deepEqual(parents.map((parent) => parent.controllerName).sort(), ['example.com/other-controller', CONTROLLER]);
  assert.equal(parents.find((parent) => parent.controllerName !== CONTROLLER)?.conditions[0]?.message, 'theirs');
  await waitFor(async () => (await configRoutesOf('one'))[0]?.hosts?.join() === 'one.example.com', 'the route to take the hostname');
});

test('a deleted HTTPRoute leaves the tenant config', skip, async () => {
  await kubectlOk(kubectl, ['delete', 'httproute', '-n', 'apps', 'missing']);
  await waitFor(async () => (await configRoutesOf('missing')).length === 0, 'the route rows to go');
  assert.equal((await configRoutesOf('one')).length, 1, 'the others stay');
});
