// The `key-auth` policy behind the registry.
import type { PolicyDefinition } from '../../pipeline/policy.js';
import { consumersByKeyHash, createKeyAuthPolicy } from './key-auth-policy.js';

export const definition: PolicyDefinition = {
  name: 'key-auth',
  priority: 310,
  compile(route, env) {
    if (route.auth !== 'key-auth') return undefined;
    return createKeyAuthPolicy(env.shared('key-auth.consumersByKeyHash', () => consumersByKeyHash(env.config.consumers)));
  },
};
