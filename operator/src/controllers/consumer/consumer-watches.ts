// What the Consumer controller watches besides its own objects and its Tenant: the Secrets it reads (its API key
// and its basic-auth passwords).
import { objectKey } from '../../kube/watch.js';
import type { WatchOf } from '../controller.js';
import { secretDataChanged } from '../watches.js';
import { consumerSecretNames } from './basic-auth-passwords.js';

/** A Secret's data changed: the Consumers of its namespace whose apiKeySecretRef or basicAuth names it. */
export const consumerSecrets: WatchOf<'secrets'> = {
  source: 'secrets',
  when: secretDataChanged,
  keys: ({ object: secret }, caches) =>
    caches.consumers
      .list()
      .filter((consumer) => consumer.metadata.namespace === secret.metadata.namespace && consumerSecretNames(consumer).includes(secret.metadata.name))
      .map(objectKey),
};
