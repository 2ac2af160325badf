// The `jwt` auth policy behind the registry: a route with `auth: jwt` verifies HS256 tokens with JWT_SECRET.
import type { ConsumerConfig } from '../../config/index.js';
import type { PolicyDefinition } from '../../pipeline/policy.js';
import { createJwtPolicy } from './jwt-policy.js';

export const definition: PolicyDefinition = {
  name: 'jwt',
  priority: 300,
  compile(route, env) {
    if (route.auth !== 'jwt') return undefined;
    const { deps } = env;
    const consumersBySubject = env.shared('jwt.consumersBySubject', () => {
      const map = new Map<string, ConsumerConfig>();
      for (const consumer of env.config.consumers) if (consumer.jwtSubject !== undefined) map.set(consumer.jwtSubject, consumer);
      return map;
    });
    return createJwtPolicy({
      secret: deps.jwtSecret as Buffer,
      rules: deps.jwtRules,
      consumersBySubject,
      now: () => Math.floor(deps.now() / 1000),
    });
  },
};
