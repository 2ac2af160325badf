// Pure over the caches: what one HTTPRoute means for NovaGate (DESIGN §11). Each parentRef naming a Gateway of ours
// (its class is ours and Accepted; the tenant is the class's parametersRef Tenant) is attached (attach.ts); the rules
// are translated (translate.ts) once per tenant with the config listeners and hostnames of that tenant's attached
// parents; each backendRef resolves to the shared config service of its Service port (service-targets.ts), or to
// the upstream ResolvedRefs reason. The result feeds both the tenant's desired config and the route's status.
import type { ConditionInput } from '../../conditions.js';
import { attachToGateway, GATEWAY_GROUP, refersToGateway, type ParentReference } from '../../gateway-api/attach.js';
import { gatewayListenerName } from '../../gateway-api/names.js';
import { policyFieldsFor, type PolicyAttachment, type RouteAttachmentPoint } from '../../gateway-api/policy-attachment.js';
import { referenceAllowed } from '../../gateway-api/reference-grant.js';
import { serviceTargets, SERVICE_NAME_LABEL, type EndpointSliceObject, type ServiceObject } from '../../gateway-api/service-targets.js';
import { translateHttpRoute, type BackendObjectReference, type BackendResolution, type HttpRouteObject } from '../../gateway-api/translate.js';
import type { RouteConfig, ServiceConfig } from '@novagate/gateway/config';
import type { Caches } from '../controller.js';
import { gatewayOwnership } from '../gateway/gateway-tenant.js';
import { policyAttachmentOf } from '../policy/policy-index.js';
import type { GatewayResource, HttpRouteResource } from '../../kube/resources.js';

/** The caches an HTTPRoute's evaluation reads. */
export type GatewayApiCaches = Pick<Caches, 'gatewayclasses' | 'gateways' | 'referencegrants' | 'services' | 'endpointslices' | 'namespaces' | 'httproutes' | 'novagatepolicies'>;

/** What every HTTPRoute owner (httpRouteOwner) starts with, and no Route's `namespace/name` does. */
export const HTTP_ROUTE_OWNER_PREFIX = 'HTTPRoute:';

/** The owner of an HTTPRoute's rows in the config sync: never equal to a Route's `namespace/name`. */
export const httpRouteOwner = (namespace: string, name: string): string => `${HTTP_ROUTE_OWNER_PREFIX}${namespace}/${name}`;

/** Our verdict on one parentRef: its Accepted and ResolvedRefs conditions (DESIGN §11, Gateway API v1.6.1). */
export interface ParentVerdict {
  parentRef: ParentReference;
  /** The Tenant (`namespace/name`) of the Gateway's class; undefined when the Gateway does not exist. */
  tenantKey: string | undefined;
  accepted: ConditionInput;
  resolvedRefs: ConditionInput;
}

export interface TenantRoutes {
  routes: RouteConfig[];
  /** The config services the routes name (one per Service port). */
  services: ServiceConfig[];
}

export interface HttpRouteEvaluation {
  /** One entry per parentRef of ours, in spec order; empty when the route names no Gateway of ours. */
  parents: ParentVerdict[];
  /** The routes each tenant (`namespace/name`) should hold; a tenant is absent when nothing attached or the translation was refused. */
  byTenant: Map<string, TenantRoutes>;
}

/** The Gateway a parentRef names, when it is a Gateway of ours: its object and its Tenant's key. */
export function gatewayOfOurs(ref: ParentReference, routeNamespace: string, caches: GatewayApiCaches): { gateway: GatewayResource; tenantKey: string } | undefined {
  if ((ref.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP || (ref.kind ?? 'Gateway') !== 'Gateway') return undefined;
  const gateway = caches.gateways.get(`${ref.namespace ?? routeNamespace}/${ref.name}`);
  if (gateway === undefined || gateway.metadata.deletionTimestamp !== undefined) return undefined;
  // The Gateway's own rule (its class ours and Accepted) decides.
  const ownership = gatewayOwnership(gateway, caches);
  return ownership.kind === 'ours' ? { gateway, tenantKey: ownership.tenantKey } : undefined;
}

/** Whether a parentRef names a Gateway (group and kind), whatever its existence. */
const namesAGateway = (ref: ParentReference) => (ref.group ?? GATEWAY_GROUP) === GATEWAY_GROUP && (ref.kind ?? 'Gateway') === 'Gateway';

/** The EndpointSlices of a Service (`namespace/name`). */
export type SlicesOf = (namespace: string, service: string) => readonly EndpointSliceObject[];

/** The EndpointSlices by Service, built once per sync: a lookup per backendRef instead of a scan of every slice. */
export function slicesByService(caches: Pick<GatewayApiCaches, 'endpointslices'>): SlicesOf {
  const index = new Map<string, EndpointSliceObject[]>();
  for (const slice of caches.endpointslices.list()) {
    const service = slice.metadata.labels?.[SERVICE_NAME_LABEL];
    if (service === undefined) continue;
    const key = `${slice.metadata.namespace ?? ''}/${service}`;
    const list = index.get(key) ?? [];
    list.push(slice as unknown as EndpointSliceObject);
    index.set(key, list);
  }
  return (namespace, service) => index.get(`${namespace}/${service}`) ?? [];
}

/** A backendRef as the config service of its Service port, or the ResolvedRefs reason it does not resolve. */
export function resolveBackend(
  ref: BackendObjectReference,
  routeNamespace: string,
  caches: GatewayApiCaches,
  services: Map<string, ServiceConfig>,
  slicesOf: SlicesOf = slicesByService(caches),
): BackendResolution {
  const group = ref.group ?? '';
  const kind = ref.kind ?? 'Service';
  if (group !== '' || kind !== 'Service') return { reason: 'InvalidKind', message: `backendRef ${ref.name} is ${group === '' ? 'core' : group}/${kind}; only core/Service is supported` };
  const namespace = ref.namespace ?? routeNamespace;
  const grants = caches.referencegrants.list() as unknown as Parameters<typeof referenceAllowed>[2];
  if (!referenceAllowed({ group: GATEWAY_GROUP, kind: 'HTTPRoute', namespace: routeNamespace }, { group: '', kind: 'Service', namespace, name: ref.name }, grants)) {
    return { reason: 'RefNotPermitted', message: `backendRef to Service ${namespace}/${ref.name} is not permitted by any ReferenceGrant in namespace ${namespace}` };
  }
  if (ref.port === undefined) return { reason: 'BackendNotFound', message: `backendRef to Service ${namespace}/${ref.name} has no port` };
  const service = caches.services.get(`${namespace}/${ref.name}`);
  if (service === undefined) return { reason: 'BackendNotFound', message: `Service ${namespace}/${ref.name} does not exist` };
  const targets = serviceTargets(service as unknown as ServiceObject, ref.port, slicesOf(namespace, ref.name));
  if (!targets.ok) return { reason: targets.reason, message: targets.message };
  services.set(targets.service.name, targets.service);
  return { service: targets.service.name };
}

const condition = (type: string, status: 'True' | 'False', reason: string, message: string): ConditionInput => ({ type, status, reason, message });

/**
 * The route's evaluation; `namespaceLabels` of its namespace come from the Namespace cache; `slicesOf` from
 * slicesByService; `policies` (the NovaGatePolicy attachment) from policyAttachmentOf, built once per sync.
 */
export function evaluateHttpRoute(
  route: HttpRouteResource,
  caches: GatewayApiCaches,
  slicesOf: SlicesOf = slicesByService(caches),
  policies: PolicyAttachment = policyAttachmentOf(caches),
): HttpRouteEvaluation {
  const namespace = route.metadata.namespace ?? '';
  const hostnames = route.spec.hostnames ?? [];
  const namespaceLabels = caches.namespaces.get(`/${namespace}`)?.metadata.labels ?? {};
  const refs = route.spec.parentRefs ?? [];
  const resolved = refs.map((ref) => ({ ref, ours: gatewayOfOurs(ref, namespace, caches) }));
  if (!resolved.some(({ ours }) => ours !== undefined)) return { parents: [], byTenant: new Map() };

  // Attach each parent of ours; per tenant, the config listeners and hostnames of its attached parents.
  const attached = new Map<string, { listeners: Set<string>; hostnames: Set<string>; anyHost: boolean; parents: RouteAttachmentPoint['parents'][number][] }>();
  const attachments = resolved.map(({ ref, ours }) => {
    if (ours === undefined) return undefined;
    const gateway = { metadata: { namespace: ours.gateway.metadata.namespace ?? '', name: ours.gateway.metadata.name }, spec: ours.gateway.spec };
    if (!refersToGateway(ref, namespace, gateway)) return undefined;
    const attachment = attachToGateway(ref, { namespace, hostnames, namespaceLabels }, gateway);
    if (attachment.accepted) {
      const entry = attached.get(ours.tenantKey) ?? { listeners: new Set<string>(), hostnames: new Set<string>(), anyHost: false, parents: [] };
      entry.parents.push({ namespace: gateway.metadata.namespace, name: gateway.metadata.name, listeners: attachment.listeners });
      for (const listener of attachment.listeners) entry.listeners.add(gatewayListenerName(gateway.metadata.namespace, gateway.metadata.name, listener));
      if (attachment.hostnames.length === 0) entry.anyHost = true;
      for (const hostname of attachment.hostnames) entry.hostnames.add(hostname);
      attached.set(ours.tenantKey, entry);
    }
    return attachment;
  });

  // Translate once per tenant; the reference problems and refusals do not depend on the listeners.
  const byTenant = new Map<string, TenantRoutes>();
  const translationInput = route as unknown as HttpRouteObject;
  let refProblem: { reason: string; message: string } | undefined;
  let invalid: string | undefined;
  const translateFor = (listeners: readonly string[], hosts: readonly string[], parents: RouteAttachmentPoint['parents']) => {
    const services = new Map<string, ServiceConfig>();
    const point: RouteAttachmentPoint = { namespace, name: route.metadata.name, parents };
    const translation = translateHttpRoute({
      route: translationInput,
      listeners,
      hostnames: hosts,
      resolveBackend: (ref, routeNamespace) => resolveBackend(ref, routeNamespace, caches, services, slicesOf),
      policyFields: (extensionRef) => {
        const result = policyFieldsFor(policies, point, extensionRef);
        return 'problem' in result ? result : { fields: { ...result.fields } };
      },
    });
    refProblem ??= translation.refProblem;
    invalid ??= translation.invalid;
    return { translation, services };
  };
  for (const [tenantKey, entry] of attached) {
    const { translation, services } = translateFor([...entry.listeners].sort(), entry.anyHost ? [] : [...entry.hostnames].sort(), entry.parents);
    if (translation.invalid !== undefined) continue;
    const used = new Set(translation.routes.flatMap((config) => [...(config.backends ?? []).map((backend) => ('service' in backend ? backend.service : undefined)), ...(config.mirrors ?? []).map((mirror) => mirror.service)]));
    byTenant.set(tenantKey, { routes: translation.routes, services: [...services.values()].filter((service) => used.has(service.name)) });
  }
  // Nothing attached: still resolve the references, so ResolvedRefs says what is wrong with them.
  if (attached.size === 0) translateFor([], [], []);

  const resolvedRefs = refProblem === undefined
    ? condition('ResolvedRefs', 'True', 'ResolvedRefs', 'all backend references resolved')
    : condition('ResolvedRefs', 'False', refProblem.reason, refProblem.message);
  const parents: ParentVerdict[] = [];
  for (const [index, { ref, ours }] of resolved.entries()) {
    const attachment = attachments[index];
    if (ours !== undefined && attachment !== undefined) {
      const accepted = !attachment.accepted
        ? condition('Accepted', 'False', attachment.reason, attachment.message)
        : invalid !== undefined
          ? condition('Accepted', 'False', 'UnsupportedValue', invalid)
          : condition('Accepted', 'True', 'Accepted', `attached to Gateway ${ours.gateway.metadata.namespace}/${ours.gateway.metadata.name}; in the config of Tenant ${ours.tenantKey}`);
      parents.push({ parentRef: ref, tenantKey: ours.tenantKey, accepted, resolvedRefs });
    } else if (namesAGateway(ref) && caches.gateways.get(`${ref.namespace ?? namespace}/${ref.name}`) === undefined) {
      // A Gateway that does not exist, named by a route we own through another parent: it is ours to report.
      parents.push({
        parentRef: ref,
        tenantKey: undefined,
        accepted: condition('Accepted', 'False', 'NoMatchingParent', `Gateway ${ref.namespace ?? namespace}/${ref.name} does not exist`),
        resolvedRefs,
      });
    }
  }
  return { parents, byTenant };
}
