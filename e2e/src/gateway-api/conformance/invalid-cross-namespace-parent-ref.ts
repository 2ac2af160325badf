// HTTPRouteInvalidCrossNamespaceParentRef: a route in another namespace is not allowed by same-namespace's listeners.
import { gatewayMustHaveZeroRoutes, routeMustHaveCondition, routeMustHaveNoAcceptedParents, routeResolvedRefs } from '../expectations.js';
import { SAME_NAMESPACE_GATEWAY, WEB_BACKEND_NS, type ConformanceTest } from '../conformance-test.js';

export const invalidCrossNamespaceParentRef: ConformanceTest = {
  shortName: 'HTTPRouteInvalidCrossNamespaceParentRef',
  description: 'A single HTTPRoute in the gateway-conformance-web-backend namespace should fail to attach to a Gateway in another namespace that it is not allowed to',
  manifest: 'httproute-invalid-cross-namespace-parent-ref.yaml',
  features: ['Gateway', 'HTTPRoute'],
  async run(context) {
    const route = { namespace: WEB_BACKEND_NS, name: 'invalid-cross-namespace-parent-ref' };
    await routeResolvedRefs(context, route, SAME_NAMESPACE_GATEWAY);
    await routeMustHaveCondition(context, route, SAME_NAMESPACE_GATEWAY, { type: 'Accepted', status: 'False', reason: 'NotAllowedByListeners' });
    await routeMustHaveNoAcceptedParents(context, route);
    await gatewayMustHaveZeroRoutes(context, SAME_NAMESPACE_GATEWAY);
  },
};
