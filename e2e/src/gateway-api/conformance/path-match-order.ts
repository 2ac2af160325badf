// HTTPRoutePathMatchOrder: among a route's matches, Exact beats PathPrefix and longer prefixes beat shorter ones.
import { expectResponses, gatewayAndRoutesAccepted, routeResolvedRefs } from '../expectations.js';
import { infra, INFRA_NS, SAME_NAMESPACE_GATEWAY, type ConformanceTest } from '../conformance-test.js';

export const pathMatchOrder: ConformanceTest = {
  shortName: 'HTTPRoutePathMatchOrder',
  description: 'An HTTPRoute where there are multiple matches routing to any given backend follows match order precedence',
  manifest: 'httproute-path-match-order.yaml',
  features: ['Gateway', 'HTTPRoute'],
  async run(context) {
    const route = infra('path-matching-order');
    const address = await gatewayAndRoutesAccepted(context, SAME_NAMESPACE_GATEWAY, [route]);
    await routeResolvedRefs(context, route, SAME_NAMESPACE_GATEWAY);
    const to = (backend: string) => ({ backend, namespace: INFRA_NS });
    await expectResponses(context, address, [
      { request: { path: '/match/exact/one' }, ...to('infra-backend-v3') },
      { request: { path: '/match/exact' }, ...to('infra-backend-v2') },
      { request: { path: '/match' }, ...to('infra-backend-v1') },
      { request: { path: '/match/prefix/one/any' }, ...to('infra-backend-v2') },
      { request: { path: '/match/prefix/any' }, ...to('infra-backend-v1') },
      { request: { path: '/match/any' }, ...to('infra-backend-v3') },
    ]);
  },
};
