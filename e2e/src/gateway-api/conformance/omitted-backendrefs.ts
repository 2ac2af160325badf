// HTTPRouteNoBackendRefs: rules with omitted or empty backendRefs answer 500; the rule with a backend forwards.
import { expectResponses, gatewayAndRoutesAccepted, routeResolvedRefs } from '../expectations.js';
import { infra, INFRA_NS, SAME_NAMESPACE_GATEWAY, type ConformanceTest } from '../conformance-test.js';

export const omittedBackendRefs: ConformanceTest = {
  shortName: 'HTTPRouteNoBackendRefs',
  description: 'HTTPRoute rules with omitted or empty backendRefs explicitly respond with 500',
  manifest: 'httproute-omitted-backendrefs.yaml',
  features: ['Gateway', 'HTTPRoute'],
  async run(context) {
    const route = infra('omitted-backendrefs');
    const address = await gatewayAndRoutesAccepted(context, SAME_NAMESPACE_GATEWAY, [route]);
    await routeResolvedRefs(context, route, SAME_NAMESPACE_GATEWAY);
    await expectResponses(context, address, [
      { request: { path: '/forward' }, backend: 'infra-backend-v1', namespace: INFRA_NS },
      { request: { path: '/omitted-no-forward' }, response: { statusCode: 500 } },
      { request: { path: '/empty-no-forward' }, response: { statusCode: 500 } },
    ]);
  },
};
