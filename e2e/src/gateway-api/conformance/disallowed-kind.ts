// HTTPRouteDisallowedKind: a route to a Gateway whose listeners allow only TLSRoutes is not accepted (NotAllowedByListeners).
import { gatewayMustHaveZeroRoutes, namespacesMustBeReady, routeMustHaveCondition, routeMustHaveNoAcceptedParents, routeResolvedRefs } from '../expectations.js';
import { infra, INFRA_NS, type ConformanceTest } from '../conformance-test.js';

export const disallowedKind: ConformanceTest = {
  shortName: 'HTTPRouteDisallowedKind',
  description: 'A single HTTPRoute in the gateway-conformance-infra namespace should fail to attach to a Gateway with no listeners that allow the HTTPRoute kind',
  manifest: 'httproute-disallowed-kind.yaml',
  features: ['Gateway', 'HTTPRoute', 'TLSRoute'],
  async run(context) {
    await namespacesMustBeReady(context, [INFRA_NS]);
    const route = infra('disallowed-kind');
    const gateway = infra('tlsroutes-only');
    await routeResolvedRefs(context, route, gateway);
    await routeMustHaveCondition(context, route, gateway, { type: 'Accepted', status: 'False', reason: 'NotAllowedByListeners' });
    await routeMustHaveNoAcceptedParents(context, route);
    await gatewayMustHaveZeroRoutes(context, gateway);
  },
};
