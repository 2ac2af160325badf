// A route's timeouts as the proxy applies them (Gateway API semantics), pure: `requestMs` bounds the whole
// exchange, retries and backoff included, until the response is complete; `backendRequestMs` bounds each try
// (time to the response headers, then each silence of the response body) and defaults to the service's
// timeoutMs. 0 disables either.
import type { RouteTimeoutsConfig } from '../config/index.js';

export interface RouteTimeouts {
  /** The whole exchange in ms; 0: no bound; undefined: not configured (gRPC then uses the service's timeoutMs). */
  readonly requestMs: number | undefined;
  /** Each try in ms; 0: no bound. */
  readonly backendRequestMs: number;
}

export function routeTimeoutsOf(timeouts: RouteTimeoutsConfig | undefined, serviceTimeoutMs: number): RouteTimeouts {
  return { requestMs: timeouts?.requestMs, backendRequestMs: timeouts?.backendRequestMs ?? serviceTimeoutMs };
}

/** Whether the whole exchange has a deadline. */
export function exchangeDeadlineMs(timeouts: RouteTimeouts): number | undefined {
  return timeouts.requestMs === undefined || timeouts.requestMs === 0 ? undefined : timeouts.requestMs;
}

/** The longest delay a Node timer takes (a longer one fires at once). */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * A gRPC call's deadline: the client's grpc-timeout, and the route's requestMs (or, when the route sets none,
 * the service's timeoutMs, as before routes had timeouts), whichever is shorter; undefined when neither bounds it.
 */
export function grpcCallDeadlineMs(grpcTimeoutMs: number | undefined, timeouts: RouteTimeouts, serviceTimeoutMs: number): number | undefined {
  const gateway = timeouts.requestMs === undefined ? serviceTimeoutMs : timeouts.requestMs === 0 ? undefined : timeouts.requestMs;
  if (grpcTimeoutMs === undefined) return gateway;
  // A client's grpc-timeout can say 11,000 years.
  return Math.min(grpcTimeoutMs, gateway ?? MAX_TIMER_MS);
}
