// The rate-limit policy behind the registry: a route limit, and consumer limits on routes that identify consumers.
import type { PolicyDefinition } from '../../pipeline/policy.js';
import { createRateLimitPolicy } from './rate-limit-policy.js';

export const definition: PolicyDefinition = {
  name: 'rate-limit',
  priority: 500,
  compile(route, env) {
    const anyConsumerLimit = env.shared('rate-limit.anyConsumerLimit', () => env.config.consumers.some((consumer) => consumer.rateLimit !== undefined));
    const consumerLimitsApply = route.auth !== 'none' && anyConsumerLimit;
    if (route.rateLimit === undefined && !consumerLimitsApply) return undefined;
    const { deps } = env;
    return createRateLimitPolicy({
      tenant: deps.tenant,
      routeName: route.name,
      routeLimit: route.rateLimit,
      backend: deps.rateLimitBackend,
      failureMode: deps.failureMode,
      now: deps.now,
      onBackendError: deps.onRateLimitBackendError,
      onLimited: () => deps.onRateLimited(route.name),
    });
  },
};
