// What Routes and Consumers watch of their Tenant: its readiness and lifecycle, and the config syncs that change
// its rows (a refused object may fit now; an object newly left out may still say Accepted).
import { isConditionTrue } from '../conditions.js';
import type { ConsumerResource, RouteResource, TenantResource } from '../kube/resources.js';
import { objectKey } from '../kube/watch.js';
import type { ObjectEvent, WatchOf } from './controller.js';

/** Whether the Tenant became Ready or stopped being Ready, was deleted, or started or stopped being deleted. */
export function tenantReadinessChanged({ type, object: tenant, previous }: ObjectEvent<TenantResource>): boolean {
  const wasReady = previous !== undefined && isConditionTrue(previous.status?.conditions, 'Ready');
  const isReady = type !== 'DELETED' && isConditionTrue(tenant.status?.conditions, 'Ready');
  return wasReady !== isReady || type === 'DELETED' || tenant.metadata.deletionTimestamp !== previous?.metadata.deletionTimestamp;
}

/** The keys of the objects naming the tenant (only those not Accepted, with onlyRefused). */
function objectsOfTenant(objects: readonly (RouteResource | ConsumerResource)[], tenant: TenantResource, onlyRefused: boolean): string[] {
  const { namespace, name } = tenant.metadata;
  return objects
    .filter(
      (object) =>
        object.metadata.namespace === namespace &&
        object.spec.tenantRef.name === name &&
        !(onlyRefused && isConditionTrue(object.status?.conditions, 'Accepted')),
    )
    .map(objectKey);
}

/** The Tenant's readiness or lifecycle moved: every object naming it. */
export function tenantLifecycle(source: 'routes' | 'consumers'): WatchOf<'tenants'> {
  return { source: 'tenants', when: tenantReadinessChanged, keys: ({ object }, caches) => objectsOfTenant(caches[source].list(), object, false) };
}

/**
 * A sync changed the Tenant's rows: its refused objects (a plan slot may have freed), and those it left out that
 * still say Accepted (a Route that lost a conflict to an older one edited into its claim: tell it).
 */
export function tenantConfigChanges(source: 'routes' | 'consumers'): WatchOf<'tenant-config'> {
  return {
    source: 'tenant-config',
    keys: ({ tenant, problems }, caches) => [
      ...objectsOfTenant(caches[source].list(), tenant, true),
      ...[...problems.keys()].filter((key) => isConditionTrue(caches[source].get(key)?.status?.conditions, 'Accepted')),
    ],
  };
}
