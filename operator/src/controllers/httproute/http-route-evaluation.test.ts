import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gatewayListenerName, serviceEntityName } from '../../gateway-api/names.js';
import type {
  EndpointSliceResource,
  GatewayClassResource,
  GatewayResource,
  HttpRouteResource,
  NamespaceResource,
  ReferenceGrantResource,
  ServiceResource,
  TenantResource,
} from '../../kube/resources.js';
import { cachesOf } from '../../testing/caches.js';
import { desiredTenantConfig, sharedServiceOwner } from '../config-sync/tenant-config.js';
import { GATEWAY_CONTROLLER_NAME } from '../gatewayclass/gatewayclass-decisions.js';
import { evaluateHttpRoute, httpRouteOwner } from './http-route-evaluation.js';
import { nextRouteParents } from './http-route-status.js';
import { routesOfGateway, tenantsOfChangedRoute, tenantsOfEndpoints } from './http-route-watches.js';

const tenant: TenantResource = { metadata: { namespace: 'infra', name: 'acme' }, spec: { displayName: 'Acme', plan: 'pro', ownerEmail: 'a@example.com', deletionPolicy: 'Retain' } };
const accepted = [{ type: 'Accepted', status: 'True' as const, reason: 'Accepted', message: '', lastTransitionTime: '2026-11-30T00:00:00Z', observedGeneration: 1 }];
const ourClass = (name: string, tenantName: string, isAccepted = true): GatewayClassResource => ({
  metadata: { name, generation: 1 },
  spec: { controllerName: GATEWAY_CONTROLLER_NAME, parametersRef: { group: 'novagate.dev', kind: 'Tenant', namespace: 'infra', name: tenantName } },
  ...(isAccepted ? { status: { conditions: accepted } } : {}),
});
const gateway = (name: string, className: string, listeners: GatewayResource['spec']['listeners']): GatewayResource => ({
  metadata: { namespace: 'infra', name },
  spec: { gatewayClassName: className, listeners },
});
const httpListener = { name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' as const } } };
const service = (namespace: string, name: string, port = 8080): ServiceResource => ({ metadata: { namespace, name }, spec: { ports: [{ name: 'http', port }] } });
const slice = (namespace: string, serviceName: string, addresses: string[], name = `${serviceName}-abc`): EndpointSliceResource => ({
  metadata: { namespace, name, labels: { 'kubernetes.io/service-name': serviceName } },
  addressType: 'IPv4',
  endpoints: addresses.map((address) => ({ addresses: [address], conditions: { ready: true } })),
  ports: [{ name: 'http', port: 9000 }],
});
const route = (name: string, spec: HttpRouteResource['spec'], extra: Partial<HttpRouteResource['metadata']> = {}): HttpRouteResource => ({
  metadata: { namespace: 'apps', name, generation: 2, creationTimestamp: '2026-11-30T01:00:00Z', ...extra },
  spec,
});
const namespaces: NamespaceResource[] = [{ metadata: { name: 'apps', labels: { team: 'a' } } }, { metadata: { name: 'infra' } }, { metadata: { name: 'backends' } }];

const world = (objects: { httproutes?: HttpRouteResource[]; services?: ServiceResource[]; endpointslices?: EndpointSliceResource[]; referencegrants?: ReferenceGrantResource[]; gateways?: GatewayResource[] } = {}) =>
  cachesOf({
    tenants: [tenant],
    gatewayclasses: [ourClass('acme', 'acme'), ourClass('globex', 'globex'), { metadata: { name: 'other' }, spec: { controllerName: 'example.com/other' }, status: { conditions: accepted } }],
    gateways: objects.gateways ?? [gateway('gw', 'acme', [httpListener]), gateway('other-gw', 'other', [httpListener])],
    namespaces,
    services: objects.services ?? [service('apps', 'echo')],
    endpointslices: objects.endpointslices ?? [slice('apps', 'echo', ['198.18.0.2', '198.18.0.1'])],
    httproutes: objects.httproutes ?? [],
    referencegrants: objects.referencegrants ?? [],
  });

const toGw = { name: 'gw', namespace: 'infra' };

test('an HTTPRoute attached to a Gateway of ours becomes routes on its config listeners with the shared Service-port service and its ready endpoints', () => {
  const caches = world();
  const routes = [route('a', { parentRefs: [toGw], hostnames: ['a.example.com'], rules: [{ backendRefs: [{ name: 'echo', port: 8080 }] }] }), route('b', { parentRefs: [toGw], rules: [{ matches: [{ path: { type: 'Exact', value: '/b' } }], backendRefs: [{ name: 'echo', port: 8080 }] }] })];
  const { desired, problems } = desiredTenantConfig(tenant, [], [], () => undefined, () => [], { ...caches, httproutes: { get: () => undefined, list: () => routes } });
  assert.equal(problems.size, 0);
  const serviceName = serviceEntityName('apps', 'echo', 8080);
  assert.deepEqual([...desired.services.keys()], [serviceName], 'one service per Service port, shared by both routes');
  assert.deepEqual((desired.services.get(serviceName)?.config.targets ?? []).map((target) => target.url), ['http://198.18.0.1:9000', 'http://198.18.0.2:9000']);
  assert.equal(desired.routes.size, 2);
  for (const entry of desired.routes.values()) {
    assert.deepEqual(entry.config.listeners, [gatewayListenerName('infra', 'gw', 'http')]);
    assert.match(entry.owner, /^HTTPRoute:apps\/[ab]$/);
  }
  const a = [...desired.routes.values()].find((entry) => entry.owner === httpRouteOwner('apps', 'a'));
  assert.deepEqual(a?.config.hosts, ['a.example.com']);
});

test('only the tenant of the Gateway class gets the routes; a route to another controller\'s Gateway gets nothing and no status from us', () => {
  const caches = world();
  const mine = route('mine', { parentRefs: [toGw], rules: [{ backendRefs: [{ name: 'echo', port: 8080 }] }] });
  const theirs = route('theirs', { parentRefs: [{ name: 'other-gw', namespace: 'infra' }], rules: [{ backendRefs: [{ name: 'echo', port: 8080 }] }] });
  const globex: TenantResource = { ...tenant, metadata: { namespace: 'infra', name: 'globex' } };
  const list = { get: () => undefined, list: () => [mine, theirs] };
  assert.equal(desiredTenantConfig(globex, [], [], () => undefined, () => [], { ...caches, httproutes: list }).desired.routes.size, 0);
  assert.equal(desiredTenantConfig(tenant, [], [], () => undefined, () => [], { ...caches, httproutes: list }).desired.routes.size, 1);
  assert.deepEqual(evaluateHttpRoute(theirs, caches), { parents: [], byTenant: new Map() });
});

test('a class not Accepted makes its Gateways not ours: no config, no status', () => {
  const caches = cachesOf({ gatewayclasses: [ourClass('acme', 'acme', false)], gateways: [gateway('gw', 'acme', [httpListener])], namespaces });
  assert.deepEqual(evaluateHttpRoute(route('r', { parentRefs: [toGw] }), caches).parents, []);
});

test('a missing Service makes an invalid backend (500 for its share) and ResolvedRefs=False/BackendNotFound; the route stays Accepted', () => {
  const caches = world({ services: [] });
  const evaluation = evaluateHttpRoute(route('r', { parentRefs: [toGw], rules: [{ backendRefs: [{ name: 'echo', port: 8080, weight: 3 }] }] }), caches);
  assert.equal(evaluation.parents.length, 1);
  assert.equal(evaluation.parents[0]?.accepted.status, 'True');
  assert.deepEqual({ ...evaluation.parents[0]?.resolvedRefs, message: '' }, { type: 'ResolvedRefs', status: 'False', reason: 'BackendNotFound', message: '' });
  const mine = evaluation.byTenant.get('infra/acme');
  assert.deepEqual(mine?.routes[0]?.backends, [{ invalid: true, weight: 3 }]);
  assert.deepEqual(mine?.services, []);
});

test('a Service without that port is BackendNotFound; a backendRef of another kind is InvalidKind', () => {
  const noPort = evaluateHttpRoute(route('r', { parentRefs: [toGw], rules: [{ backendRefs: [{ name: 'echo', port: 9999 }] }] }), world());
  assert.equal(noPort.parents[0]?.resolvedRefs.reason, 'BackendNotFound');
  assert.match(noPort.parents[0]?.resolvedRefs.message ?? '', /no TCP port 9999/);
  const kind = evaluateHttpRoute(route('r', { parentRefs: [toGw], rules: [{ backendRefs: [{ group: 'example.com', kind: 'Bucket', name: 'echo', port: 8080 }] }] }), world());
  assert.equal(kind.parents[0]?.resolvedRefs.reason, 'InvalidKind');
});

test('a backend in another namespace needs a ReferenceGrant there from HTTPRoutes of the route\'s namespace', () => {
  const spec = { parentRefs: [toGw], rules: [{ backendRefs: [{ name: 'echo', namespace: 'backends', port: 8080 }] }] };
  const objects = { services: [service('backends', 'echo')], endpointslices: [slice('backends', 'echo', ['198.18.1.1'])] };
  const refused = evaluateHttpRoute(route('r', spec), world(objects));
  assert.equal(refused.parents[0]?.resolvedRefs.reason, 'RefNotPermitted');
  assert.deepEqual(refused.byTenant.get('infra/acme')?.routes[0]?.backends, [{ invalid: true, weight: 1 }]);
  const grant = (fromNamespace: string): ReferenceGrantResource => ({
    metadata: { namespace: 'backends', name: 'g' },
    spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: fromNamespace }], to: [{ group: '', kind: 'Service' }] },
  });
  assert.equal(evaluateHttpRoute(route('r', spec), world({ ...objects, referencegrants: [grant('elsewhere')] })).parents[0]?.resolvedRefs.reason, 'RefNotPermitted');
  const allowed = evaluateHttpRoute(route('r', spec), world({ ...objects, referencegrants: [grant('apps')] }));
  assert.equal(allowed.parents[0]?.resolvedRefs.status, 'True');
  assert.deepEqual(allowed.byTenant.get('infra/acme')?.services.map((s) => (s.targets ?? []).map((target) => target.url)), [['http://198.18.1.1:9000']]);
});

test('attachment refusals carry the upstream reasons; a missing Gateway named beside one of ours is NoMatchingParent', () => {
  const caches = world({ gateways: [gateway('gw', 'acme', [{ ...httpListener, hostname: 'only.example.com', allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: { team: 'b' } } } } }, { name: 'same', port: 81, protocol: 'HTTP', hostname: '*.example.com' }])] });
  const evaluation = evaluateHttpRoute(
    route('r', {
      parentRefs: [{ ...toGw, sectionName: 'http' }, { ...toGw, sectionName: 'same' }, { ...toGw, sectionName: 'nope' }, { name: 'ghost', namespace: 'infra' }],
      hostnames: ['x.other.org'],
      rules: [{ backendRefs: [{ name: 'echo', port: 8080 }] }],
    }),
    caches,
  );
  assert.deepEqual(
    evaluation.parents.map((parent) => parent.accepted.reason),
    ['NotAllowedByListeners', 'NotAllowedByListeners', 'NoMatchingParent', 'NoMatchingParent'],
  );
  assert.equal(evaluation.byTenant.size, 0, 'nothing attached: nothing in the config');
  const hostMismatch = evaluateHttpRoute(route('r', { parentRefs: [toGw], hostnames: ['x.other.org'] }), world({ gateways: [gateway('gw', 'acme', [{ ...httpListener, hostname: '*.example.com' }])] }));
  assert.equal(hostMismatch.parents[0]?.accepted.reason, 'NoMatchingListenerHostname');
});

test('an HTTPRoute the gateway would refuse is left out alone with UnsupportedValue naming the field; the others stay', () => {
  const bad = route('bad', { parentRefs: [toGw], rules: [{ backendRefs: [{ name: 'echo', port: 8080 }], timeouts: { request: 'soon' } }] });
  const good = route('good', { parentRefs: [toGw], rules: [{ matches: [{ path: { type: 'Exact', value: '/g' } }], backendRefs: [{ name: 'echo', port: 8080 }] }] });
  const caches = world();
  const { desired, problems } = desiredTenantConfig(tenant, [], [], () => undefined, () => [], { ...caches, httproutes: { get: () => undefined, list: () => [bad, good] } });
  assert.deepEqual([...new Set([...desired.routes.values()].map((entry) => entry.owner))], [httpRouteOwner('apps', 'good')]);
  assert.equal(problems.get(httpRouteOwner('apps', 'bad'))?.reason, 'UnsupportedValue');
  const verdict = evaluateHttpRoute(bad, caches).parents[0];
  assert.equal(verdict?.accepted.reason, 'UnsupportedValue');
  assert.match(verdict?.accepted.message ?? '', /spec\.rules\[0\]\.timeouts\.request/);
});

test('status: our entries replace ours only, other controllers\' entries are kept, observedGeneration is the route\'s, an unchanged status is not written', () => {
  const foreign = { parentRef: { name: 'other-gw', namespace: 'infra' }, controllerName: 'example.com/other', conditions: accepted };
  const stale = { parentRef: { name: 'gone', namespace: 'infra' }, controllerName: GATEWAY_CONTROLLER_NAME, conditions: accepted };
  const r = { ...route('r', { parentRefs: [toGw] }), status: { parents: [foreign, stale] } };
  const verdict = {
    parentRef: toGw,
    accepted: { type: 'Accepted', status: 'True' as const, reason: 'Accepted', message: 'ok' },
    resolvedRefs: { type: 'ResolvedRefs', status: 'True' as const, reason: 'ResolvedRefs', message: 'ok' },
  };
  const now = new Date('2026-11-30T05:00:00Z');
  const next = nextRouteParents(r, [verdict], now);
  assert.ok(next !== null);
  assert.deepEqual(next.map((entry) => entry.controllerName), ['example.com/other', GATEWAY_CONTROLLER_NAME]);
  assert.deepEqual(next[0], foreign);
  assert.deepEqual(next[1]?.parentRef, toGw);
  assert.deepEqual(next[1]?.conditions.map((c) => [c.type, c.status, c.observedGeneration]), [['Accepted', 'True', 2], ['ResolvedRefs', 'True', 2]]);
  assert.equal(nextRouteParents({ ...r, status: { parents: next } }, [verdict], new Date('2026-11-30T06:00:00Z')), null);
});

test('an EndpointSlice change asks, after at least a second, for the tenants of the routes naming its Service only', () => {
  const caches = world({ httproutes: [route('r', { parentRefs: [toGw], rules: [{ backendRefs: [{ name: 'echo', port: 8080 }] }] })] });
  assert.ok((tenantsOfEndpoints.delayMs ?? 0) >= 1_000);
  const event = (serviceName: string) => ({ type: 'MODIFIED' as const, object: slice('apps', serviceName, ['198.18.0.9']), previous: undefined });
  assert.deepEqual(tenantsOfEndpoints.keys(event('echo'), caches), ['infra/acme']);
  assert.deepEqual(tenantsOfEndpoints.keys(event('unrelated'), caches), []);
});

test('a route moved from one tenant\'s Gateway to another\'s syncs both tenants (the old one drops its rows); a Gateway status write re-reconciles its routes only when its programmed listeners change', () => {
  const gateways = [gateway('gw', 'acme', [httpListener]), gateway('gx', 'globex', [httpListener])];
  const before = route('r', { parentRefs: [toGw] });
  const after = route('r', { parentRefs: [{ name: 'gx', namespace: 'infra' }] }, { generation: 3 });
  const caches = world({ gateways, httproutes: [after] });
  assert.deepEqual(tenantsOfChangedRoute.keys({ type: 'MODIFIED', object: after, previous: before }, caches).sort(), ['infra/acme', 'infra/globex']);
  assert.deepEqual(tenantsOfChangedRoute.keys({ type: 'DELETED', object: after, previous: undefined }, caches), ['infra/globex']);
  const gx = gateways[1] as GatewayResource;
  const statusOnly = { type: 'MODIFIED' as const, object: { ...gx, status: { listeners: [] } }, previous: gx };
  assert.equal(routesOfGateway.when?.(statusOnly), false, 'nothing programmed changed: no route reconciles');
  const programmed = [{ type: 'Programmed', status: 'True' as const, reason: 'Programmed', message: '', lastTransitionTime: '2026-11-30T00:00:00Z', observedGeneration: 1 }];
  const listenerProgrammed = { type: 'MODIFIED' as const, object: { ...gx, status: { listeners: [{ name: 'http', supportedKinds: [], attachedRoutes: 0, conditions: programmed }] } }, previous: gx };
  assert.equal(routesOfGateway.when?.(listenerProgrammed), true, 'a listener became programmed: its routes reconcile');
  assert.deepEqual(routesOfGateway.keys(listenerProgrammed, caches), ['apps/r']);
});

test('an EndpointSlice labelled with our Service name in another namespace adds no target; a ReferenceGrant in the route\'s own namespace permits nothing', () => {
  const caches = world({ endpointslices: [slice('apps', 'echo', ['198.18.0.1']), slice('evil', 'echo', ['203.0.113.66'], 'echo-evil')] });
  const evaluation = evaluateHttpRoute(route('r', { parentRefs: [toGw], rules: [{ backendRefs: [{ name: 'echo', port: 8080 }] }] }), caches);
  assert.deepEqual((evaluation.byTenant.get('infra/acme')?.services[0]?.targets ?? []).map((target) => target.url), ['http://198.18.0.1:9000']);
  const misplaced: ReferenceGrantResource = {
    metadata: { namespace: 'apps', name: 'wrong-side' },
    spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'apps' }], to: [{ group: '', kind: 'Service' }] },
  };
  const cross = evaluateHttpRoute(
    route('r', { parentRefs: [toGw], rules: [{ backendRefs: [{ name: 'echo', namespace: 'backends', port: 8080 }] }] }),
    world({ services: [service('backends', 'echo')], referencegrants: [misplaced] }),
  );
  assert.equal(cross.parents[0]?.resolvedRefs.reason, 'RefNotPermitted');
  assert.deepEqual(cross.byTenant.get('infra/acme')?.services, []);
});

test("a Service port shared by HTTPRoutes is owned by the Service port, not by the oldest route: a route's refusal never skips it", () => {
  const caches = world();
  const routes = [route('a', { parentRefs: [toGw], rules: [{ backendRefs: [{ name: 'echo', port: 8080 }] }] }), route('b', { parentRefs: [toGw], rules: [{ matches: [{ path: { type: 'Exact', value: '/b' } }], backendRefs: [{ name: 'echo', port: 8080 }] }] })];
  const { desired } = desiredTenantConfig(tenant, [], [], () => undefined, () => [], { ...caches, httproutes: { get: () => undefined, list: () => routes } });
  const serviceName = serviceEntityName('apps', 'echo', 8080);
  assert.equal(desired.services.get(serviceName)?.owner, sharedServiceOwner(serviceName));
  assert.ok(![...desired.routes.values()].some((entry) => entry.owner === desired.services.get(serviceName)?.owner));
});
