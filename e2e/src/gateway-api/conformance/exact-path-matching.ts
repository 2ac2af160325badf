// HTTPRouteExactPathMatching: Exact path matches pick their backend and nothing else matches.
import { expectResponses, gatewayAndRoutesAccepted, routeResolvedRefs } from '../expectations.js';
import { infra, INFRA_NS, SAME_NAMESPACE_GATEWAY, type ConformanceTest } from '../conformance-test.js';

export const exactPathMatching: ConformanceTest = {
  shortName: 'HTTPRouteExactPathMatching',
  description: 'A single HTTPRoute with exact path matching for different backends',
  manifest: 'httproute-exact-path-matching.yaml',
  features: ['Gateway', 'HTTPRoute'],
  async run(context) {
    const route = infra('exact-matching');
    const address = await gatewayAndRoutesAccepted(context, SAME_NAMESPACE_GATEWAY, [route]);
    await routeResolvedRefs(context, route, SAME_NAMESPACE_GATEWAY);
    await expectResponses(context, address, [
      { request: { path: '/one' }, backend: 'infra-backend-v1', namespace: INFRA_NS },
      { request: { path: '/two' }, backend: 'infra-backend-v2', namespace: INFRA_NS },
      { request: { path: '/' }, response: { statusCode: 404 } },
      { request: { path: '/one/example' }, response: { statusCode: 404 } },
      { request: { path: '/two/' }, response: { statusCode: 404 } },
      { request: { path: '/Two' }, response: { statusCode: 404 } },
    ]);
  },
};
