// Where a route sends each request (DESIGN §10 "Backends"): its one service, or one of its `backends` chosen by
// weight. Weighted choice is smooth weighted round-robin (nginx's): deterministic, every window of `total`
// picks holds each backend exactly `weight` times, spread out rather than in runs. A route with one service (or
// one backend taking traffic) gets a picker that hands back the same object: nothing is computed per request.
import { backendNotFound, noBackend, type GatewayError } from '../../errors.js';
import type { HeaderEdits } from '../../proxy/header-edits.js';
import type { RetryBudget } from '../../proxy/retry-budget.js';
import type { RetryPolicy } from '../../proxy/retry-policy.js';
import type { RouteTimeouts } from '../../proxy/route-timeouts.js';
import type { UpstreamService } from '../../proxy/upstream.js';

/** One service a route sends requests to, with what the exchange needs of it. */
export interface RouteBackend {
  readonly service: UpstreamService;
  /** The route's `retry` over this service's legacy `retries`: a retry stays on this backend. */
  readonly retry: RetryPolicy;
  readonly timeouts: RouteTimeouts;
  /** The service's retry budget, shared by every route that sends to it. */
  readonly retryBudget: RetryBudget;
  /** The backend's own edits, applied after the route's (Gateway API per-backend filters); undefined: none. */
  readonly requestHeaderEdits: HeaderEdits | undefined;
  readonly responseHeaderEdits: HeaderEdits | undefined;
}

export interface BackendPicker {
  /** The backend for one request, or the 500 to answer (an invalid backend's share, or no backend at all). */
  pick(): RouteBackend | GatewayError;
}

/** A configured backend as the picker takes it: a resolved backend, or `invalid` (its share answers 500). */
export interface WeightedBackend {
  readonly backend: RouteBackend | 'invalid';
  readonly weight: number;
}

class SingleBackend implements BackendPicker {
  constructor(private readonly backend: RouteBackend) {}
  pick(): RouteBackend {
    return this.backend;
  }
}

class Refusal implements BackendPicker {
  constructor(private readonly refuse: () => GatewayError) {}
  pick(): GatewayError {
    return this.refuse();
  }
}

class SmoothWeighted implements BackendPicker {
  private readonly current: Float64Array;
  private readonly total: number;

  constructor(
    private readonly entries: readonly WeightedBackend[],
    private readonly routeName: string,
  ) {
    this.current = new Float64Array(entries.length);
    this.total = entries.reduce((sum, entry) => sum + entry.weight, 0);
  }

  pick(): RouteBackend | GatewayError {
    const { entries, current } = this;
    let best = 0;
    for (let i = 0; i < entries.length; i++) {
      current[i] = (current[i] as number) + (entries[i] as WeightedBackend).weight;
      if ((current[i] as number) > (current[best] as number)) best = i;
    }
    current[best] = (current[best] as number) - this.total;
    const chosen = (entries[best] as WeightedBackend).backend;
    return chosen === 'invalid' ? backendNotFound(this.routeName) : chosen;
  }
}

/** The picker for a route's backends (weight 0 left out); none taking traffic: every request answers 500 `no_backend`. */
export function backendPicker(routeName: string, backends: readonly WeightedBackend[]): BackendPicker {
  const taking = backends.filter((entry) => entry.weight > 0);
  const only = taking[0];
  if (only === undefined) return new Refusal(() => noBackend(routeName));
  if (taking.length === 1) return only.backend === 'invalid' ? new Refusal(() => backendNotFound(routeName)) : new SingleBackend(only.backend);
  return new SmoothWeighted(taking, routeName);
}

/** The picker of a route with one service. */
export function singleBackend(backend: RouteBackend): BackendPicker {
  return new SingleBackend(backend);
}

/** The picker of a route with neither service nor backends (a redirect route never reaches it). */
export function noBackendPicker(routeName: string): BackendPicker {
  return new Refusal(() => noBackend(routeName));
}
