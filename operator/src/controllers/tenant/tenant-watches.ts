// What the Tenant controller watches besides its own objects: the gateway key Secret it writes, and the
// GatewayClasses of ours naming Tenants (their Gateways' listeners and routes are part of the Tenant's config).
import { isConditionTrue, jsonEqual } from '../../conditions.js';
import type { GatewayClassResource } from '../../kube/resources.js';
import { objectKey } from '../../kube/watch.js';
import type { WatchOf } from '../controller.js';
import { isOurs } from '../gatewayclass/gatewayclass-decisions.js';
import { secretDataChanged } from '../watches.js';

export const gatewayKeySecretName = (tenantName: string): string => `${tenantName}-gateway-key`;

/** A Secret's data changed: the Tenant of its namespace whose gateway key Secret it is. */
export const tenantGatewayKeySecrets: WatchOf<'secrets'> = {
  source: 'secrets',
  when: secretDataChanged,
  keys: ({ object: secret }, caches) =>
    caches.tenants
      .list()
      .filter((tenant) => tenant.metadata.namespace === secret.metadata.namespace && gatewayKeySecretName(tenant.metadata.name) === secret.metadata.name)
      .map(objectKey),
};

/** The Tenant (`namespace/name`) a GatewayClass of ours names in its parametersRef, if any. */
function tenantOfClass(gatewayClass: GatewayClassResource | undefined): string | undefined {
  if (gatewayClass === undefined || !isOurs(gatewayClass)) return undefined;
  const ref = gatewayClass.spec.parametersRef;
  return ref?.kind === 'Tenant' && ref.namespace !== undefined ? `${ref.namespace}/${ref.name}` : undefined;
}

/**
 * A GatewayClass of ours came, went, changed its spec or its acceptance: the Tenants it named before and after
 * sync again (a Gateway leaving a Tenant with its class leaves that Tenant's config).
 */
export const tenantsOfChangedGatewayClass: WatchOf<'gatewayclasses'> = {
  source: 'gatewayclasses',
  when: ({ type, object, previous }) =>
    type !== 'MODIFIED' ||
    previous === undefined ||
    object.metadata.deletionTimestamp !== previous.metadata.deletionTimestamp ||
    !jsonEqual(object.spec, previous.spec) ||
    isConditionTrue(object.status?.conditions, 'Accepted') !== isConditionTrue(previous.status?.conditions, 'Accepted'),
  keys: ({ object, previous }, caches) =>
    [...new Set([tenantOfClass(previous), tenantOfClass(object)])].filter((key): key is string => key !== undefined && caches.tenants.get(key) !== undefined),
};
