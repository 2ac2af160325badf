// HTTPRoute reconcile (DESIGN §11): syncs the config of every Tenant whose Gateways the route names (the route's
// rows are built by the tenant's desired config, tenant-config.ts), then writes our `status.parents` entries:
// Accepted and ResolvedRefs per parentRef of ours, a refusal by the data layer (plan limit, a listener not there
// yet) as Accepted=False. Other controllers' entries are kept; nothing is written when nothing changed.
import type { ConditionInput } from '../../conditions.js';
import { isConflict, isNotFound } from '../../kube/resources.js';
import type { Reconcile } from '../../kube/queue.js';
import type { ControllerContext } from '../context.js';
import type { ControllerDeclaration } from '../controller.js';
import type { Problem } from '../evaluation.js';
import { evaluateHttpRoute, httpRouteOwner } from './http-route-evaluation.js';
import { nextRouteParents } from './http-route-status.js';
import {
  ownHttpRoutes,
  routesLeftOut,
  routesOfGateway,
  routesOfGatewayClass,
  routesOfNamespace,
  routesOfPolicy,
  routesOfReferenceGrant,
  routesOfService,
  routesOfTenant,
} from './http-route-watches.js';

/** Why the route is not in a tenant's config although it attached: the tenant is not provisioned, or a write was refused. */
type Holdup = { kind: 'unprovisioned' } | { kind: 'refused'; problem: Problem };

function heldUpCondition(holdup: Holdup, tenantKey: string): ConditionInput {
  if (holdup.kind === 'unprovisioned') return { type: 'Accepted', status: 'False', reason: 'Pending', message: `Tenant ${tenantKey} is not provisioned yet` };
  return { type: 'Accepted', status: 'False', reason: holdup.problem.reason, message: holdup.problem.message };
}

export function createHttpRouteReconciler(context: ControllerContext): Reconcile {
  return async (key) => {
    const route = context.informers.httproutes.get(key);
    // A deleted route's rows go with its tenants' next sync (the Tenant controller watches routes).
    if (route === undefined || route.metadata.deletionTimestamp !== undefined) return;
    const owner = httpRouteOwner(route.metadata.namespace ?? '', route.metadata.name);
    const evaluation = evaluateHttpRoute(route, context.informers);
    const holdups = new Map<string, Holdup>();
    for (const tenantKey of new Set(evaluation.parents.map((parent) => parent.tenantKey).filter((tenant): tenant is string => tenant !== undefined))) {
      const synced = await context.configSync.sync(tenantKey);
      if (synced === null) holdups.set(tenantKey, { kind: 'unprovisioned' });
      else {
        const problem = synced.problems.get(owner);
        if (problem !== undefined && problem.reason !== 'UnsupportedValue') holdups.set(tenantKey, { kind: 'refused', problem });
      }
    }
    const verdicts = evaluation.parents.map((parent) => {
      const holdup = parent.tenantKey === undefined ? undefined : holdups.get(parent.tenantKey);
      const accepted = holdup !== undefined && parent.accepted.status === 'True' ? heldUpCondition(holdup, parent.tenantKey as string) : parent.accepted;
      return { parentRef: parent.parentRef, accepted, resolvedRefs: parent.resolvedRefs };
    });
    const parents = nextRouteParents(route, verdicts, context.now());
    if (parents === null) return;
    try {
      await context.kube.replaceHttpRouteParents(route, parents);
    } catch (error) {
      // Another controller wrote its entries meanwhile: run again on the fresh object, keeping theirs.
      if (isConflict(error)) return { requeueAfterMs: 200 };
      // Deleted while we evaluated it: nothing to write, and its rows leave with the tenant's next sync.
      if (isNotFound(error)) return;
      throw error;
    }
  };
}

export const httpRouteController: ControllerDeclaration = {
  kind: 'httproute',
  resource: 'httproutes',
  reconciler: createHttpRouteReconciler,
  watches: [ownHttpRoutes, routesOfGateway, routesOfGatewayClass, routesOfReferenceGrant, routesOfService, routesOfNamespace, routesOfTenant, routesLeftOut, routesOfPolicy],
};
