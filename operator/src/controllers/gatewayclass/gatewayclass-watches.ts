// What the GatewayClass controller watches besides its own classes: the Tenants their parametersRef names (created,
// deleted or changed, a class's Accepted may flip).
import { objectKey } from '../../kube/watch.js';
import type { WatchOf } from '../controller.js';
import { isOurs } from './gatewayclass-decisions.js';

/** A Tenant event: every class of ours whose parametersRef names that Tenant. */
export const gatewayClassesOfTenant: WatchOf<'tenants'> = {
  source: 'tenants',
  keys: ({ object: tenant }, caches) =>
    caches.gatewayclasses
      .list()
      .filter((gatewayClass) => {
        const ref = gatewayClass.spec.parametersRef;
        return isOurs(gatewayClass) && ref?.kind === 'Tenant' && ref.namespace === tenant.metadata.namespace && ref.name === tenant.metadata.name;
      })
      .map(objectKey),
};
