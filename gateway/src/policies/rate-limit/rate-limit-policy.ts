// The rate-limit policy (DESIGN §4/§5): a route counter and, for an identified consumer with a limit, a
// consumer counter; a request must pass both, RateLimit-* report the tighter one, 429 carries Retry-After.
// When the backend fails, RATE_LIMIT_FAILURE_MODE decides: open serves (and counts the failure), closed answers 503.
import { rateLimited, rateLimitUnavailable } from '../../errors.js';
import type { RouteRateLimitConfig } from '../../config/index.js';
import type { Policy, RequestContext } from '../../pipeline/policy.js';
import type { CounterSpec, RateLimitBackend } from './backend.js';
import { rateLimitKey, windowAt } from './window.js';

export type RateLimitFailureMode = 'open' | 'closed';

/** The route name used in the keys of consumer-wide counters (route names cannot contain '*'). */
export const CONSUMER_WIDE_ROUTE = '*';

export interface RateLimitPolicyOptions {
  tenant: string;
  routeName: string;
  routeLimit: RouteRateLimitConfig | undefined;
  backend: RateLimitBackend;
  failureMode: RateLimitFailureMode;
  now: () => number;
  onBackendError: (error: unknown) => void;
  onLimited: () => void;
}

interface Counted {
  spec: CounterSpec;
  msUntilReset: number;
}

function counterFor(tenant: string, route: string, subject: string, limit: number, windowSeconds: number, nowMs: number): Counted {
  const position = windowAt(nowMs, windowSeconds);
  return {
    spec: {
      key: rateLimitKey(tenant, route, subject, position.startSeconds),
      limit,
      ttlMs: windowSeconds * 1000 + 1000,
    },
    msUntilReset: position.msUntilReset,
  };
}

function headersFor(limit: number, remaining: number, msUntilReset: number): Record<string, string> {
  return {
    'ratelimit-limit': String(limit),
    'ratelimit-remaining': String(Math.max(0, remaining)),
    'ratelimit-reset': String(Math.max(1, Math.ceil(msUntilReset / 1000))),
  };
}

export function createRateLimitPolicy(options: RateLimitPolicyOptions): Policy {
  const { tenant, routeName, routeLimit, backend, failureMode, now } = options;
  return async (ctx: RequestContext) => {
    const nowMs = now();
    const counted: Counted[] = [];
    const consumer = ctx.consumer;
    if (routeLimit !== undefined) {
      const subject = routeLimit.by === 'consumer' && consumer !== undefined ? consumer.username : `ip:${ctx.clientIp}`;
      counted.push(counterFor(tenant, routeName, subject, routeLimit.limit, routeLimit.windowSeconds, nowMs));
    }
    if (consumer?.rateLimit !== undefined) {
      const { limit, windowSeconds } = consumer.rateLimit;
      counted.push(counterFor(tenant, CONSUMER_WIDE_ROUTE, consumer.username, limit, windowSeconds, nowMs));
    }
    if (counted.length === 0) return undefined;
    const specs: CounterSpec[] = [];
    for (const c of counted) specs.push(c.spec);
    let outcome;
    try {
      outcome = await backend.hit(specs);
    } catch (error) {
      options.onBackendError(error);
      return failureMode === 'closed' ? rateLimitUnavailable() : undefined;
    }
    if (!outcome.allowed) {
      const denied = counted[outcome.index] as Counted;
      options.onLimited();
      const headers = headersFor(denied.spec.limit, 0, denied.msUntilReset);
      headers['retry-after'] = headers['ratelimit-reset'] as string;
      return rateLimited(headers);
    }
    let tightest = 0;
    let tightestRemaining = Infinity;
    for (let i = 0; i < outcome.counts.length; i++) {
      const remaining = (counted[i] as Counted).spec.limit - (outcome.counts[i] as number);
      if (remaining < tightestRemaining) {
        tightestRemaining = remaining;
        tightest = i;
      }
    }
    const chosen = counted[tightest] as Counted;
    ctx.responseHeaders = headersFor(chosen.spec.limit, tightestRemaining, chosen.msUntilReset);
    return undefined;
  };
}
