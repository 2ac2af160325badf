// Route controller: the shared config-resource reconcile with the Route's own validation, and what it watches.
import type { Reconcile } from '../../kube/queue.js';
import type { RouteResource } from '../../kube/resources.js';
import { createConfigResourceReconciler } from '../config-resource.js';
import { tenantConfigChanges, tenantLifecycle } from '../config-resource-watches.js';
import { versionHolding } from '../config-sync/config-sync.js';
import type { ControllerContext } from '../context.js';
import type { ControllerDeclaration } from '../controller.js';
import { ownObjects } from '../watches.js';
import { desiredRoute, operatorEntityName, type DesiredRoute } from './desired-route.js';

export function createRouteReconciler(context: ControllerContext): Reconcile {
  return createConfigResourceReconciler<RouteResource>(context, {
    plural: 'routes',
    kind: 'Route',
    cached: (ctx, key) => ctx.informers.routes.get(key),
    evaluate: (_ctx, route) => desiredRoute(route),
    versionHolding: (ctx, tenantId, value) => {
      const { service, route } = value as DesiredRoute;
      return versionHolding(ctx.pool, tenantId, service, route);
    },
    acceptedMessage: (route) =>
      `route ${operatorEntityName(route.metadata.namespace ?? '', route.metadata.name)} is in the config of Tenant "${route.spec.tenantRef.name}"`,
  });
}

export const routeController: ControllerDeclaration = {
  kind: 'route',
  resource: 'routes',
  reconciler: createRouteReconciler,
  watches: [ownObjects('routes'), tenantLifecycle('routes'), tenantConfigChanges('routes')],
};
