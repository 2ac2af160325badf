// HTTPRouteInvalidParentRefNotMatchingSectionName: a parentRef naming a listener the Gateway lacks is NoMatchingParent.
import { gatewayMustHaveZeroRoutes, routeMustHaveCondition, routeMustHaveNoAcceptedParents } from '../expectations.js';
import { infra, SAME_NAMESPACE_GATEWAY, type ConformanceTest } from '../conformance-test.js';

export const invalidParentRefNotMatchingSectionName: ConformanceTest = {
  shortName: 'HTTPRouteInvalidParentRefNotMatchingSectionName',
  description: 'A single HTTPRoute in the gateway-conformance-infra namespace should set the Accepted status to False with reason NoMatchingParent when attempting to bind to a Gateway that does not have a matching SectionName.',
  manifest: 'httproute-invalid-parentref-not-matching-section-name.yaml',
  features: ['Gateway', 'HTTPRoute'],
  async run(context) {
    const route = infra('httproute-listener-not-matching-section-name');
    await routeMustHaveCondition(context, route, SAME_NAMESPACE_GATEWAY, { type: 'Accepted', status: 'False', reason: 'NoMatchingParent' });
    await routeMustHaveNoAcceptedParents(context, route);
    await gatewayMustHaveZeroRoutes(context, SAME_NAMESPACE_GATEWAY);
  },
};
