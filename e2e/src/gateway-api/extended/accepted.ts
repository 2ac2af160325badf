// The status half every own check starts with: the `same-namespace` Gateway has an address, the check's routes are
// Accepted by it with ResolvedRefs, its listeners are ready. Returns the Gateway's host:port.
import { SAME_NAMESPACE_GATEWAY } from '../conformance-test.js';
import { gatewayAndRoutesAccepted, routeResolvedRefs, type CheckContext } from '../expectations.js';
import { routeName, type HttpRouteManifest } from './routes.js';

export async function routesReady(context: CheckContext, routes: readonly HttpRouteManifest[]): Promise<string> {
  const names = routes.map(routeName);
  const address = await gatewayAndRoutesAccepted(context, SAME_NAMESPACE_GATEWAY, names);
  for (const name of names) await routeResolvedRefs(context, name, SAME_NAMESPACE_GATEWAY);
  return address;
}
