// HTTPRouteMatchingAcrossRoutes: matches of two routes on one Gateway are ordered together, by the spec's precedence.
import { expectResponses, gatewayAndRoutesAccepted, routeResolvedRefs } from '../expectations.js';
import { infra, INFRA_NS, SAME_NAMESPACE_GATEWAY, type ConformanceTest } from '../conformance-test.js';

export const matchingAcrossRoutes: ConformanceTest = {
  shortName: 'HTTPRouteMatchingAcrossRoutes',
  description: 'Two HTTPRoutes with path matching for different backends',
  manifest: 'httproute-matching-across-routes.yaml',
  features: ['Gateway', 'HTTPRoute'],
  async run(context) {
    const [route1, route2] = [infra('matching-part1'), infra('matching-part2')];
    const address = await gatewayAndRoutesAccepted(context, SAME_NAMESPACE_GATEWAY, [route1, route2]);
    await routeResolvedRefs(context, route1, SAME_NAMESPACE_GATEWAY);
    await routeResolvedRefs(context, route2, SAME_NAMESPACE_GATEWAY);
    const v1 = { backend: 'infra-backend-v1', namespace: INFRA_NS };
    const v2 = { backend: 'infra-backend-v2', namespace: INFRA_NS };
    await expectResponses(context, address, [
      { request: { host: 'example.com', path: '/' }, ...v1 },
      { request: { host: 'example.com', path: '/example' }, ...v1 },
      { request: { host: 'example.net', path: '/example' }, ...v1 },
      { request: { host: 'example.com', path: '/example', headers: { Version: 'one' } }, ...v1 },
      { request: { host: 'example.com', path: '/v2' }, ...v2 },
      { request: { host: 'example.net', path: '/v2' }, ...v1 },
      { request: { host: 'example.com', path: '/v2/example' }, ...v2 },
      { request: { host: 'example.com', path: '/', headers: { Version: 'two' } }, ...v2 },
    ]);
  },
};
