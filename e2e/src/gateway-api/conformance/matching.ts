// HTTPRouteMatching: path prefixes and header matches of one route pick the backend, longest prefix first.
import { expectResponses, gatewayAndRoutesAccepted, routeResolvedRefs } from '../expectations.js';
import { infra, INFRA_NS, SAME_NAMESPACE_GATEWAY, type ConformanceTest } from '../conformance-test.js';

export const matching: ConformanceTest = {
  shortName: 'HTTPRouteMatching',
  description: 'A single HTTPRoute with path and header matching for different backends',
  manifest: 'httproute-matching.yaml',
  features: ['Gateway', 'HTTPRoute'],
  async run(context) {
    const route = infra('matching');
    const address = await gatewayAndRoutesAccepted(context, SAME_NAMESPACE_GATEWAY, [route]);
    await routeResolvedRefs(context, route, SAME_NAMESPACE_GATEWAY);
    const v1 = { backend: 'infra-backend-v1', namespace: INFRA_NS };
    const v2 = { backend: 'infra-backend-v2', namespace: INFRA_NS };
    await expectResponses(context, address, [
      { request: { path: '/' }, ...v1 },
      { request: { path: '/example' }, ...v1 },
      { request: { path: '/', headers: { Version: 'one' } }, ...v1 },
      { request: { path: '/v2' }, ...v2 },
      { request: { path: '/v2/example' }, ...v2 },
      { request: { path: '/', headers: { Version: 'two' } }, ...v2 },
      { request: { path: '/v2/' }, ...v2 },
      { request: { path: '/v2example' }, ...v1 },
      { request: { path: '/foo/v2/example' }, ...v1 },
    ]);
  },
};
