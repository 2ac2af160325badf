// What the HTTPRoute controller watches (the routes an event may change the verdict or config of), and what the Tenant
// controller watches of the Gateway API (the tenants whose config a change moves, including a route deleted or
// moved to another Gateway, and EndpointSlice changes coalesced over one second, DESIGN §11).
import type { ParentReference } from '../../gateway-api/attach.js';
import { isPolicyExtensionRef } from '../../gateway-api/policy-attachment.js';
import type { HttpBackendRef } from '../../gateway-api/translate.js';
import type { GatewayResource, HttpRouteResource, KubeObject } from '../../kube/resources.js';
import { SERVICE_NAME_LABEL } from '../../gateway-api/service-targets.js';
import { objectKey } from '../../kube/watch.js';
import type { Caches, ObjectEvent, WatchOf } from '../controller.js';
import { specOrLifecycleChanged } from '../watches.js';
import { gatewayOfOurs, HTTP_ROUTE_OWNER_PREFIX, type GatewayApiCaches } from './http-route-evaluation.js';

/** EndpointSlice changes wait this long so a rollout's burst costs one sync per tenant (DESIGN §11: at least 1 s). */
export const ENDPOINTS_COALESCE_MS = 1_000;

const eventObjects = <T extends KubeObject>({ object, previous }: ObjectEvent<T>): T[] => (previous === undefined ? [object] : [object, previous]);

function namesGateway(route: HttpRouteResource, gateway: Pick<GatewayResource, 'metadata'>): boolean {
  const routeNamespace = route.metadata.namespace ?? '';
  return (route.spec.parentRefs ?? []).some(
    (ref: ParentReference) => (ref.kind ?? 'Gateway') === 'Gateway' && (ref.namespace ?? routeNamespace) === gateway.metadata.namespace && ref.name === gateway.metadata.name,
  );
}

/** Every backendRef of a route: rules, backend filters' and rule filters' mirrors. */
export function backendRefsOf(route: HttpRouteResource): { namespace: string; name: string; kind: string; group: string }[] {
  const routeNamespace = route.metadata.namespace ?? '';
  const refs: { namespace: string; name: string; kind: string; group: string }[] = [];
  const add = (ref: { name: string; namespace?: string; kind?: string; group?: string }) =>
    refs.push({ namespace: ref.namespace ?? routeNamespace, name: ref.name, kind: ref.kind ?? 'Service', group: ref.group ?? '' });
  for (const rule of route.spec.rules ?? []) {
    const backendRefs: HttpBackendRef[] = rule.backendRefs ?? [];
    for (const filter of [...(rule.filters ?? []), ...backendRefs.flatMap((ref) => ref.filters ?? [])]) if (filter.requestMirror !== undefined) add(filter.requestMirror.backendRef);
    for (const ref of backendRefs) add(ref);
  }
  return refs;
}

const namesService = (route: HttpRouteResource, namespace: string, name: string) =>
  backendRefsOf(route).some((ref) => ref.group === '' && ref.kind === 'Service' && ref.namespace === namespace && ref.name === name);

const routeKeys = (caches: Caches, keep: (route: HttpRouteResource) => boolean) => caches.httproutes.list().filter(keep).map(objectKey);

/** The Tenants (`namespace/name`) whose Gateways a route's parentRefs name. */
export function tenantsOfRoute(route: HttpRouteResource, caches: GatewayApiCaches): string[] {
  const tenants = new Set<string>();
  for (const ref of route.spec.parentRefs ?? []) {
    const ours = gatewayOfOurs(ref, route.metadata.namespace ?? '', caches);
    if (ours !== undefined) tenants.add(ours.tenantKey);
  }
  return [...tenants];
}

/** The Tenant of a Gateway's class, when the class is ours. */
function tenantOfGateway(gateway: GatewayResource, caches: GatewayApiCaches): string | undefined {
  return gatewayOfOurs({ name: gateway.metadata.name, namespace: gateway.metadata.namespace ?? '' }, gateway.metadata.namespace ?? '', {
    ...caches,
    gateways: { get: () => gateway, list: () => [gateway] },
  })?.tenantKey;
}

export const ownHttpRoutes: WatchOf<'httproutes'> = { source: 'httproutes', when: specOrLifecycleChanged, keys: ({ object }) => [objectKey(object)] };

/** The names of a Gateway's listeners whose status says Programmed=True, sorted. */
const programmedListeners = (gateway: GatewayResource): string[] =>
  (gateway.status?.listeners ?? [])
    .filter((listener) => (listener.conditions ?? []).some((condition) => condition.type === 'Programmed' && condition.status === 'True'))
    .map((listener) => listener.name)
    .sort();

/**
 * Whether a Gateway event may change the routes naming it: created, deleted, its spec (generation) or lifecycle
 * changed, or the set of its programmed listeners moved (a route left out for want of a programmed listener waits
 * for that). Other status writes (addresses, attachedRoutes, timestamps) do not: each would be a sync per route.
 */
export function gatewayRoutingChanged(event: ObjectEvent<GatewayResource>): boolean {
  if (specOrLifecycleChanged(event) || event.previous === undefined) return true;
  return programmedListeners(event.previous).join('\n') !== programmedListeners(event.object).join('\n');
}

/** A Gateway created, changed (spec, or which listeners are programmed) or deleted: the routes naming it. */
export const routesOfGateway: WatchOf<'gateways'> = {
  source: 'gateways',
  when: gatewayRoutingChanged,
  keys: (event, caches) => routeKeys(caches, (route) => eventObjects(event).some((gateway) => namesGateway(route, gateway))),
};

/** A GatewayClass changed (its Accepted, its Tenant): the routes naming its Gateways. */
export const routesOfGatewayClass: WatchOf<'gatewayclasses'> = {
  source: 'gatewayclasses',
  keys: (event, caches) => {
    const classNames = new Set(eventObjects(event).map((gatewayClass) => gatewayClass.metadata.name));
    const gateways = caches.gateways.list().filter((gateway) => classNames.has(gateway.spec.gatewayClassName));
    return routeKeys(caches, (route) => gateways.some((gateway) => namesGateway(route, gateway)));
  },
};

/** A ReferenceGrant changed: the routes with a backendRef into its namespace from another namespace. */
export const routesOfReferenceGrant: WatchOf<'referencegrants'> = {
  source: 'referencegrants',
  keys: ({ object }, caches) =>
    routeKeys(caches, (route) => backendRefsOf(route).some((ref) => ref.namespace === object.metadata.namespace && ref.namespace !== route.metadata.namespace)),
};

/** A Service created, changed (ports) or deleted: the routes naming it. */
export const routesOfService: WatchOf<'services'> = {
  source: 'services',
  keys: ({ object }, caches) => routeKeys(caches, (route) => namesService(route, object.metadata.namespace ?? '', object.metadata.name)),
};

/** A Namespace's labels changed (allowedRoutes selectors): the routes in it. */
export const routesOfNamespace: WatchOf<'namespaces'> = {
  source: 'namespaces',
  when: ({ type, object, previous }) => type !== 'MODIFIED' || JSON.stringify(object.metadata.labels ?? {}) !== JSON.stringify(previous?.metadata.labels ?? {}),
  keys: ({ object }, caches) => routeKeys(caches, (route) => route.metadata.namespace === object.metadata.name),
};

/** Whether a route's rules name the NovaGatePolicy `name` (of the route's namespace) in an ExtensionRef filter. */
const namesPolicy = (route: HttpRouteResource, name: string) =>
  (route.spec.rules ?? []).some((rule) => (rule.filters ?? []).some((filter) => isPolicyExtensionRef(filter.extensionRef) && filter.extensionRef?.name === name));

/**
 * A NovaGatePolicy created, changed or deleted (it was and is): the routes it targets, the routes of the Gateways it
 * targets, and the routes naming it in an ExtensionRef. Their reconciles sync their tenants with the merged fields.
 */
export const routesOfPolicy: WatchOf<'novagatepolicies'> = {
  source: 'novagatepolicies',
  when: specOrLifecycleChanged,
  keys: (event, caches) => {
    const policies = eventObjects(event);
    return routeKeys(caches, (route) =>
      policies.some((policy) => {
        if (policy.metadata.namespace !== route.metadata.namespace) {
          // Only a Gateway target reaches routes of other namespaces.
          return (policy.spec.targetRefs ?? []).some((ref) => ref.kind === 'Gateway' && namesGateway(route, { metadata: { namespace: policy.metadata.namespace ?? '', name: ref.name } }));
        }
        return (
          namesPolicy(route, policy.metadata.name) ||
          (policy.spec.targetRefs ?? []).some((ref) => (ref.kind === 'HTTPRoute' && ref.name === route.metadata.name) || (ref.kind === 'Gateway' && namesGateway(route, { metadata: { namespace: policy.metadata.namespace ?? '', name: ref.name } })))
        );
      }),
    );
  },
};

/** A Tenant appeared, went or changed: the routes attached to its Gateways (Pending until it is provisioned). */
export const routesOfTenant: WatchOf<'tenants'> = {
  source: 'tenants',
  when: specOrLifecycleChanged,
  keys: ({ object }, caches) => routeKeys(caches, (route) => tenantsOfRoute(route, caches).includes(objectKey(object))),
};

/** A sync changed the tenant's rows and left some HTTPRoutes out: tell them. */
export const routesLeftOut: WatchOf<'tenant-config'> = {
  source: 'tenant-config',
  keys: ({ problems }) => [...problems.keys()].filter((owner) => owner.startsWith(HTTP_ROUTE_OWNER_PREFIX)).map((owner) => owner.slice(HTTP_ROUTE_OWNER_PREFIX.length)),
};

/** For the Tenant controller: a route changed or deleted: the tenants it was and is attached to. */
export const tenantsOfChangedRoute: WatchOf<'httproutes'> = {
  source: 'httproutes',
  when: specOrLifecycleChanged,
  keys: (event, caches) => [...new Set(eventObjects(event).flatMap((route) => tenantsOfRoute(route, caches)))],
};

/** For the Tenant controller: a Gateway changed or deleted: the tenant of its class (its routes may go or move). */
export const tenantsOfChangedGateway: WatchOf<'gateways'> = {
  source: 'gateways',
  when: specOrLifecycleChanged,
  keys: (event, caches) => [...new Set(eventObjects(event).map((gateway) => tenantOfGateway(gateway, caches)).filter((key): key is string => key !== undefined))],
};

/** For the Tenant controller: an EndpointSlice changed: after a second, the tenants of the routes naming its Service. */
export const tenantsOfEndpoints: WatchOf<'endpointslices'> = {
  source: 'endpointslices',
  delayMs: ENDPOINTS_COALESCE_MS,
  keys: ({ object }, caches) => {
    const service = object.metadata.labels?.[SERVICE_NAME_LABEL];
    if (service === undefined) return [];
    const routes = caches.httproutes.list().filter((route) => namesService(route, object.metadata.namespace ?? '', service));
    return [...new Set(routes.flatMap((route) => tenantsOfRoute(route, caches)))];
  },
};
