// Pure: an HTTPRoute's config routes name only the listeners the tenant's config really has. A route attaches to
// every listener its parentRef selects, also one that is Invalid, Conflicted or HTTPS while the operator cannot push
// certificates (that attachment counts in the Gateway's attachedRoutes); such a listener is not in the config, and a
// route naming it would be refused whole by the data layer, not served on its valid listeners either.
import type { Problem } from '../evaluation.js';
import { HTTP_ROUTE_OWNER_PREFIX } from '../httproute/http-route-evaluation.js';
import type { DesiredConfig } from './plan.js';

/**
 * Removes from each HTTPRoute's routes the `gwapi.*` listeners absent from `desired.listeners`; a route left with
 * none is dropped (an absent list would mean every listener) and its owner gets a `Pending` problem. Nothing changes
 * while the Gateways are not known (`keepListeners`: the stored listeners are kept).
 */
export function dropUnprogrammedListeners(desired: DesiredConfig, problems: Map<string, Problem>): void {
  if (desired.keepListeners === true) return;
  for (const [name, entity] of [...desired.routes]) {
    if (!entity.owner.startsWith(HTTP_ROUTE_OWNER_PREFIX)) continue;
    const named = entity.config.listeners;
    if (named === undefined) continue;
    const programmed = named.filter((listener) => desired.listeners.has(listener));
    if (programmed.length === named.length) continue;
    if (programmed.length > 0) {
      desired.routes.set(name, { ...entity, config: { ...entity.config, listeners: programmed } });
      continue;
    }
    desired.routes.delete(name);
    if (!problems.has(entity.owner)) {
      problems.set(entity.owner, { reason: 'Pending', message: 'no listener the route attaches to is programmed (Invalid, Conflicted, or HTTPS without certificate push); see the Gateway status' });
    }
  }
}
