// What the Consumer controller watches besides its own objects and its Tenant: the Secret holding its API key.
import { objectKey } from '../../kube/watch.js';
import type { WatchOf } from '../controller.js';
import { secretDataChanged } from '../watches.js';

/** A Secret's data changed: the Consumers of its namespace whose spec.apiKeySecretRef names it. */
export const consumerApiKeySecrets: WatchOf<'secrets'> = {
  source: 'secrets',
  when: secretDataChanged,
  keys: ({ object: secret }, caches) =>
    caches.consumers
      .list()
      .filter((consumer) => consumer.metadata.namespace === secret.metadata.namespace && consumer.spec.apiKeySecretRef?.name === secret.metadata.name)
      .map(objectKey),
};
