// What the Gateway controller watches besides its own Gateways: their classes, the Tenants those classes name, the
// HTTPRoutes attached to them (attachedRoutes), the Secrets and ReferenceGrants their certificateRefs use, their
// key Secrets, Namespaces (allowedRoutes selectors), and the config syncs of their tenants.
import type { GatewayResource, HttpRouteResource } from '../../kube/resources.js';
import { objectKey } from '../../kube/watch.js';
import type { Caches, Watch } from '../controller.js';
import { isOurs } from '../gatewayclass/gatewayclass-decisions.js';
import { secretDataChanged, specOrLifecycleChanged } from '../watches.js';
import { GATEWAY_KEY_SECRET_SUFFIX } from './gateway-key.js';
import { gatewayOwnership } from './gateway-tenant.js';

/** Every Gateway whose class is one of ours (a change may touch any of them). */
const ourGateways = (caches: Caches): GatewayResource[] =>
  caches.gateways.list().filter((gateway) => {
    const gatewayClass = caches.gatewayclasses.get(`/${gateway.spec.gatewayClassName}`);
    return gatewayClass !== undefined && isOurs(gatewayClass);
  });

/** The Gateways an HTTPRoute's parentRefs name (group/kind Gateway by default). */
function parentGateways(route: HttpRouteResource | undefined): string[] {
  if (route === undefined) return [];
  const namespace = route.metadata.namespace ?? '';
  return (route.spec.parentRefs ?? [])
    .filter((ref) => (ref.group ?? 'gateway.networking.k8s.io') === 'gateway.networking.k8s.io' && (ref.kind ?? 'Gateway') === 'Gateway')
    .map((ref) => `${ref.namespace ?? namespace}/${ref.name}`);
}

export const gatewayWatches: readonly Watch[] = [
  { source: 'gateways', when: specOrLifecycleChanged, keys: ({ object }) => [objectKey(object)] },
  {
    source: 'gatewayclasses',
    keys: ({ object }, caches) => caches.gateways.list().filter((gateway) => gateway.spec.gatewayClassName === object.metadata.name).map(objectKey),
  },
  {
    source: 'tenants',
    keys: ({ object }, caches) => {
      const tenantKey = objectKey(object);
      return caches.gateways.list().filter((gateway) => { const owner = gatewayOwnership(gateway, caches); return owner.kind === 'ours' && owner.tenantKey === tenantKey; }).map(objectKey);
    },
  },
  {
    source: 'httproutes',
    when: ({ type, object, previous }) => type !== 'MODIFIED' || previous === undefined || JSON.stringify(previous.spec) !== JSON.stringify(object.spec) || previous.metadata.deletionTimestamp !== object.metadata.deletionTimestamp,
    keys: ({ object, previous }) => [...new Set([...parentGateways(object), ...parentGateways(previous)])],
  },
  {
    source: 'secrets',
    when: secretDataChanged,
    keys: ({ object: secret }, caches) => {
      const namespace = secret.metadata.namespace ?? '';
      const name = secret.metadata.name;
      if (name.endsWith(GATEWAY_KEY_SECRET_SUFFIX)) {
        const gateway = caches.gateways.get(`${namespace}/${name.slice(0, -GATEWAY_KEY_SECRET_SUFFIX.length)}`);
        if (gateway !== undefined) return [objectKey(gateway)];
      }
      return ourGateways(caches)
        .filter((gateway) =>
          gateway.spec.listeners.some((listener) =>
            (listener.tls?.certificateRefs ?? []).some((ref) => ref.name === name && (ref.namespace ?? gateway.metadata.namespace) === namespace),
          ),
        )
        .map(objectKey);
    },
  },
  { source: 'referencegrants', keys: (_event, caches) => ourGateways(caches).map(objectKey) },
  {
    source: 'namespaces',
    when: ({ type, object, previous }) => type !== 'MODIFIED' || JSON.stringify(previous?.metadata.labels ?? {}) !== JSON.stringify(object.metadata.labels ?? {}),
    keys: (_event, caches) => ourGateways(caches).map(objectKey),
  },
  {
    source: 'tenant-config',
    keys: ({ tenant }, caches) => {
      const tenantKey = objectKey(tenant);
      return caches.gateways.list().filter((gateway) => { const owner = gatewayOwnership(gateway, caches); return owner.kind === 'ours' && owner.tenantKey === tenantKey; }).map(objectKey);
    },
  },
];
