import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GATEWAY_GROUP } from '../../gateway-api/attach.js';
import { httpRouteNameStem } from '../../gateway-api/names.js';
import type { PolicyFields, PolicyTargetReference } from '../../gateway-api/policy-attachment.js';
import type {
  EndpointSliceResource,
  GatewayClassResource,
  GatewayResource,
  HttpRouteResource,
  NovaGatePolicyResource,
  PolicyAncestorStatus,
  ServiceResource,
  TenantResource,
} from '../../kube/resources.js';
import { cachesOf } from '../../testing/caches.js';
import { desiredTenantConfig } from '../config-sync/tenant-config.js';
import { GATEWAY_CONTROLLER_NAME } from '../gatewayclass/gatewayclass-decisions.js';
import { evaluateHttpRoute } from '../httproute/http-route-evaluation.js';
import { routesOfPolicy } from '../httproute/http-route-watches.js';
import { policyFieldsProblem } from './policy-fields.js';
import { policyAttachmentOf } from './policy-index.js';
import { nextPolicyAncestors, policyAncestorVerdicts } from './policy-status.js';
import { policiesOfGateway, policiesOfHttpRoute, policiesOfNamespace } from './policy-watches.js';

const tenant: TenantResource = { metadata: { namespace: 'infra', name: 'acme' }, spec: { displayName: 'Acme', plan: 'pro', ownerEmail: 'a@example.com', deletionPolicy: 'Retain' } };
const acceptedCondition = [{ type: 'Accepted', status: 'True' as const, reason: 'Accepted', message: '', lastTransitionTime: '2026-11-30T00:00:00Z', observedGeneration: 1 }];
const ourClass: GatewayClassResource = {
  metadata: { name: 'acme', generation: 1 },
  spec: { controllerName: GATEWAY_CONTROLLER_NAME, parametersRef: { group: 'novagate.dev', kind: 'Tenant', namespace: 'infra', name: 'acme' } },
  status: { conditions: acceptedCondition },
};
const listener = (name: string, port: number) => ({ name, port, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' as const } } });
const gateway: GatewayResource = { metadata: { namespace: 'infra', name: 'gw' }, spec: { gatewayClassName: 'acme', listeners: [listener('http', 80), listener('admin', 8080)] } };
const echo: ServiceResource = { metadata: { namespace: 'apps', name: 'echo' }, spec: { ports: [{ name: 'http', port: 8080 }] } };
const slice: EndpointSliceResource = {
  metadata: { namespace: 'apps', name: 'echo-1', labels: { 'kubernetes.io/service-name': 'echo' } },
  addressType: 'IPv4',
  endpoints: [{ addresses: ['198.18.0.1'], conditions: { ready: true } }],
  ports: [{ name: 'http', port: 9000 }],
};
const httpRoute = (name: string, rules: HttpRouteResource['spec']['rules'], sectionName?: string): HttpRouteResource => ({
  metadata: { namespace: 'apps', name, generation: 1, creationTimestamp: '2026-11-30T01:00:00Z' },
  spec: { parentRefs: [{ namespace: 'infra', name: 'gw', ...(sectionName === undefined ? {} : { sectionName }) }], rules },
});
const toEcho = (path: string, filters: NonNullable<HttpRouteResource['spec']['rules']>[number]['filters'] = []) => ({
  matches: [{ path: { type: 'PathPrefix' as const, value: path } }],
  filters,
  backendRefs: [{ name: 'echo', port: 8080 }],
});
const policyRef = (name: string) => ({ type: 'ExtensionRef', extensionRef: { group: 'novagate.dev', kind: 'NovaGatePolicy', name } });
const target = (kind: 'HTTPRoute' | 'Gateway', name: string, sectionName?: string): PolicyTargetReference => ({ group: GATEWAY_GROUP, kind, name, ...(sectionName === undefined ? {} : { sectionName }) });
const policy = (namespace: string, name: string, targetRefs: PolicyTargetReference[], fields: PolicyFields, createdAt = '2026-11-30T02:00:00Z'): NovaGatePolicyResource => ({
  metadata: { namespace, name, generation: 3, creationTimestamp: createdAt },
  spec: { targetRefs, ...fields },
});

const world = (httproutes: HttpRouteResource[], novagatepolicies: NovaGatePolicyResource[]) =>
  cachesOf({ tenants: [tenant], gatewayclasses: [ourClass], gateways: [gateway], services: [echo], endpointslices: [slice], namespaces: [{ metadata: { name: 'apps' } }, { metadata: { name: 'infra' } }], httproutes, novagatepolicies });

/** The tenant's config routes of one HTTPRoute, by route name. */
function configRoutes(caches: ReturnType<typeof world>, routeName: string) {
  const { desired } = desiredTenantConfig(tenant, [], [], () => undefined, () => [], caches);
  const stem = httpRouteNameStem('apps', routeName);
  return new Map([...desired.routes].filter(([name]) => name.startsWith(`${stem}.`)).map(([name, entry]) => [name.slice(stem.length + 1), entry.config]));
}

test('the gateway schema checks a policy on its own and names the field it refuses', () => {
  const problem = (fields: PolicyFields) => policyFieldsProblem(policy('apps', 'p', [target('HTTPRoute', 'a')], fields));
  assert.equal(problem({ auth: 'key-auth', rateLimit: { limit: 10, windowSeconds: 60 } }), undefined);
  assert.equal(problem({ acl: { allow: ['partners'] } }), undefined, 'acl alone may rely on a less specific policy\'s auth');
  assert.match(problem({ ipRestriction: { allow: ['10.0.0.300/8'] } }) ?? '', /^spec\.ipRestriction\.allow\[0\]: /);
  assert.match(problem({ auth: 'jwt', jwt: { providers: [{ name: 'idp', issuer: 'https://idp/', jwksUri: 'http://idp.example.com/jwks', algorithms: ['RS256'] }] } }) ?? '', /^spec\.jwt\.providers\[0\]\.jwksUri: /);
  assert.match(problem({ rateLimit: { limit: 0, windowSeconds: 60 } }) ?? '', /^spec\.rateLimit\.limit: /);
  assert.match(problem({}) ?? '', /sets none of auth/);
});

test('a policy on an HTTPRoute makes exactly that HTTPRoute\'s routes in the tenant config require auth, with the Route resource\'s field shapes', () => {
  const caches = world(
    [httpRoute('secured', [toEcho('/secured')]), httpRoute('open', [toEcho('/open')])],
    [policy('apps', 'key-auth', [target('HTTPRoute', 'secured')], { auth: 'key-auth', rateLimit: { limit: 5, windowSeconds: 60, by: 'consumer' } as PolicyFields['rateLimit'] })],
  );
  const secured = configRoutes(caches, 'secured').get('0.0');
  assert.equal(secured?.auth, 'key-auth');
  assert.deepEqual(secured?.rateLimit, { limit: 5, windowSeconds: 60, by: 'consumer' });
  const open = configRoutes(caches, 'open').get('0.0');
  assert.equal(open?.auth, 'none');
  assert.equal(open?.rateLimit, undefined);
});

test('a Gateway-level default applies to every route on it, a listener policy to the routes on that listener over it, and a route-level policy overrides both', () => {
  const caches = world(
    [httpRoute('plain', [toEcho('/plain')], 'http'), httpRoute('admin', [toEcho('/admin')], 'admin'), httpRoute('both', [toEcho('/both')]), httpRoute('special', [toEcho('/special')])],
    [
      policy('infra', 'defaults', [target('Gateway', 'gw')], { auth: 'key-auth', ipRestriction: { allow: ['10.0.0.0/8'] } }),
      policy('infra', 'admin-listener', [target('Gateway', 'gw', 'admin')], { auth: 'basic-auth' }),
      policy('apps', 'special', [target('HTTPRoute', 'special')], { auth: 'none' }),
    ],
  );
  assert.equal(configRoutes(caches, 'plain').get('0.0')?.auth, 'key-auth');
  assert.equal(configRoutes(caches, 'admin').get('0.0')?.auth, 'basic-auth');
  // One config route serves both listeners of a route attached to both, whose auth comes from different policies
  // (the admin listener's, the Gateway's on http): neither decides for the other, the route answers 500.
  const both = configRoutes(caches, 'both').get('0.0');
  assert.equal(both?.backends, undefined, 'no destination: the gateway answers 500');
  const bothEvaluation = evaluateHttpRoute(caches.httproutes.list().find((route) => route.metadata.name === 'both') as HttpRouteResource, caches);
  assert.equal(bothEvaluation.parents[0]?.resolvedRefs.reason, 'BackendNotFound');
  assert.match(bothEvaluation.parents[0]?.resolvedRefs.message ?? '', /infra\/admin-listener on Gateway infra\/gw \(listener admin\), NovaGatePolicy infra\/defaults on Gateway infra\/gw \(listener http\)/);
  const special = configRoutes(caches, 'special').get('0.0');
  assert.equal(special?.auth, 'none', 'route level wins over the Gateway default');
  assert.deepEqual(special?.ipRestriction, { allow: ['10.0.0.0/8'] }, 'per field group: the Gateway\'s ipRestriction stays');
});

test('an ExtensionRef to a policy applies it to that rule only; a missing one makes that rule answer 500 and ResolvedRefs say so', () => {
  const routes = [httpRoute('mixed', [toEcho('/public'), toEcho('/admin', [policyRef('admins')]), toEcho('/broken', [policyRef('nope')])])];
  const caches = world(routes, [policy('apps', 'admins', [target('HTTPRoute', 'unused')], { auth: 'basic-auth', acl: { allow: ['admins'] } })]);
  const mixed = configRoutes(caches, 'mixed');
  assert.equal(mixed.get('0.0')?.auth, 'none');
  assert.equal(mixed.get('1.0')?.auth, 'basic-auth');
  assert.deepEqual(mixed.get('1.0')?.acl, { allow: ['admins'] });
  assert.ok(mixed.get('1.0')?.backends !== undefined);
  assert.equal(mixed.get('2.0')?.backends, undefined, 'no destination: the gateway answers 500');
  const evaluation = evaluateHttpRoute(routes[0] as HttpRouteResource, caches);
  assert.equal(evaluation.parents[0]?.resolvedRefs.reason, 'BackendNotFound');
  assert.match(evaluation.parents[0]?.resolvedRefs.message ?? '', /ExtensionRef to NovaGatePolicy apps\/nope: it does not exist/);
  assert.equal(evaluation.parents[0]?.accepted.status, 'True');
});

test('an Invalid policy on an HTTPRoute makes its routes answer 500 in the tenant config with ResolvedRefs saying why, not fall back to the Gateway default', () => {
  const routes = [httpRoute('admin', [toEcho('/admin'), toEcho('/admin/other')]), httpRoute('plain', [toEcho('/plain')])];
  const caches = world(routes, [
    policy('infra', 'defaults', [target('Gateway', 'gw')], { auth: 'basic-auth' }),
    policy('apps', 'admin-lockdown', [target('HTTPRoute', 'admin')], { auth: 'key-auth', ipRestriction: { allow: ['10.0.0.300/8'] } }),
  ]);
  const admin = configRoutes(caches, 'admin');
  assert.equal(admin.size, 2, 'still in the config, answering 500');
  for (const route of admin.values()) {
    assert.equal(route.backends, undefined);
    assert.notEqual(route.auth, 'basic-auth', 'never the Gateway default in place of the Invalid policy');
  }
  const evaluation = evaluateHttpRoute(routes[0] as HttpRouteResource, caches);
  assert.equal(evaluation.parents[0]?.resolvedRefs.status, 'False');
  assert.equal(evaluation.parents[0]?.resolvedRefs.reason, 'BackendNotFound');
  assert.match(evaluation.parents[0]?.resolvedRefs.message ?? '', /NovaGatePolicy apps\/admin-lockdown targets HTTPRoute apps\/admin and is Invalid \(spec\.ipRestriction\.allow\[0\]/);
  assert.equal(configRoutes(caches, 'plain').get('0.0')?.auth, 'basic-auth', 'another HTTPRoute keeps the Gateway default');
});

test('an acl that no level gives an auth refuses the HTTPRoute naming the field, never serves it with an acl nobody can pass', () => {
  const caches = world([httpRoute('acl-only', [toEcho('/x')])], [policy('apps', 'acl', [target('HTTPRoute', 'acl-only')], { acl: { allow: ['partners'] } })]);
  assert.equal(configRoutes(caches, 'acl-only').size, 0);
  const evaluation = evaluateHttpRoute(caches.httproutes.list()[0] as HttpRouteResource, caches);
  assert.equal(evaluation.parents[0]?.accepted.reason, 'UnsupportedValue');
  assert.match(evaluation.parents[0]?.accepted.message ?? '', /acl/);
});

test('status.ancestors: an HTTPRoute target is reported on its Gateway, a missing target on itself, Conflicted and Invalid with their messages', () => {
  const caches = world(
    [httpRoute('a', [toEcho('/a')])],
    [
      policy('apps', 'older', [target('HTTPRoute', 'a')], { auth: 'key-auth' }, '2026-11-30T01:00:00Z'),
      policy('apps', 'younger', [target('HTTPRoute', 'a'), target('HTTPRoute', 'ghost')], { auth: 'basic-auth' }),
      policy('apps', 'invalid', [target('HTTPRoute', 'a')], { ipRestriction: { allow: ['nope'] } }),
    ],
  );
  const attachment = policyAttachmentOf(caches);
  const verdicts = (name: string) => policyAncestorVerdicts(caches.novagatepolicies.get(`apps/${name}`) as NovaGatePolicyResource, attachment.outcomes.get(`apps/${name}`) ?? [], caches);
  const gatewayRef = { group: GATEWAY_GROUP, kind: 'Gateway', namespace: 'infra', name: 'gw' };
  assert.deepEqual(verdicts('older').map((verdict) => [verdict.ancestorRef, verdict.accepted.reason]), [[gatewayRef, 'Accepted']]);
  const younger = verdicts('younger');
  assert.deepEqual(younger.map((verdict) => [verdict.ancestorRef, verdict.accepted.status, verdict.accepted.reason]), [
    [gatewayRef, 'False', 'Conflicted'],
    [{ group: GATEWAY_GROUP, kind: 'HTTPRoute', namespace: 'apps', name: 'ghost' }, 'False', 'TargetNotFound'],
  ]);
  assert.match(younger[0]?.accepted.message ?? '', /apps\/older is older/);
  const invalid = verdicts('invalid');
  assert.equal(invalid[0]?.accepted.reason, 'Invalid');
  assert.match(invalid[0]?.accepted.message ?? '', /spec\.ipRestriction\.allow\[0\]/);
});

test('the ancestors written keep other controllers\' entries and observedGeneration, and nothing is written when nothing changed', () => {
  const caches = world([httpRoute('a', [toEcho('/a')])], [policy('apps', 'p', [target('HTTPRoute', 'a')], { auth: 'key-auth' })]);
  const theirs: PolicyAncestorStatus = { ancestorRef: { name: 'elsewhere' }, controllerName: 'example.com/other', conditions: [] };
  const current = { ...(caches.novagatepolicies.get('apps/p') as NovaGatePolicyResource), status: { ancestors: [theirs] } };
  const verdicts = policyAncestorVerdicts(current, policyAttachmentOf(caches).outcomes.get('apps/p') ?? [], caches);
  const next = nextPolicyAncestors(current, verdicts, new Date('2026-11-30T03:00:00Z'));
  assert.equal(next?.[0], theirs);
  assert.equal(next?.[1]?.controllerName, GATEWAY_CONTROLLER_NAME);
  assert.deepEqual(next?.[1]?.conditions.map((condition) => [condition.type, condition.status, condition.reason, condition.observedGeneration]), [['Accepted', 'True', 'Accepted', 3]]);
  assert.equal(nextPolicyAncestors({ ...current, status: { ancestors: next ?? [] } }, verdicts, new Date('2026-11-30T04:00:00Z')), null);
});

test('a policy change re-reconciles the routes it targets, the routes of the Gateways it targets and the routes naming it, and the policies beside it', () => {
  const routes = [httpRoute('a', [toEcho('/a')]), httpRoute('b', [toEcho('/b', [policyRef('p')])]), { ...httpRoute('c', [toEcho('/c')]), spec: { parentRefs: [{ name: 'elsewhere' }], rules: [] } }];
  const onRoute = policy('apps', 'p', [target('HTTPRoute', 'a')], { auth: 'key-auth' });
  const onGateway = policy('infra', 'gw-default', [target('Gateway', 'gw')], { auth: 'key-auth' });
  const caches = world(routes, [onRoute, onGateway, policy('apps', 'neighbour', [target('HTTPRoute', 'b')], { auth: 'none' })]);
  assert.deepEqual(routesOfPolicy.keys({ type: 'ADDED', object: onRoute, previous: undefined }, caches).sort(), ['apps/a', 'apps/b']);
  assert.deepEqual(routesOfPolicy.keys({ type: 'DELETED', object: onGateway, previous: undefined }, caches).sort(), ['apps/a', 'apps/b']);
  const moved = { ...onRoute, metadata: { ...onRoute.metadata, generation: 4 }, spec: { ...onRoute.spec, targetRefs: [target('HTTPRoute', 'c')] } };
  assert.deepEqual(routesOfPolicy.keys({ type: 'MODIFIED', object: moved, previous: onRoute }, caches).sort(), ['apps/a', 'apps/b', 'apps/c'], 'the route it left and the one it moved to');
  assert.deepEqual(policiesOfNamespace.keys({ type: 'ADDED', object: onRoute, previous: undefined }, caches), ['apps/neighbour']);
  assert.deepEqual(policiesOfHttpRoute.keys({ type: 'DELETED', object: routes[0] as HttpRouteResource, previous: undefined }, caches), ['apps/p']);
  assert.deepEqual(policiesOfGateway.keys({ type: 'ADDED', object: gateway, previous: undefined }, caches).sort(), ['apps/neighbour', 'apps/p', 'infra/gw-default']);
});
