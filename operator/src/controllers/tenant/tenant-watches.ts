// What the Tenant controller watches besides its own objects: the gateway key Secret it writes.
import { objectKey } from '../../kube/watch.js';
import type { WatchOf } from '../controller.js';
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
