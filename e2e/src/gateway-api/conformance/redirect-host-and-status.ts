// HTTPRouteRedirectHostAndStatus: RequestRedirect filters answer with the configured host and status (302 by default).
import { expectResponses, gatewayAndRoutesAccepted, routeResolvedRefs } from '../expectations.js';
import { infra, INFRA_NS, SAME_NAMESPACE_GATEWAY, type ConformanceTest } from '../conformance-test.js';

export const redirectHostAndStatus: ConformanceTest = {
  shortName: 'HTTPRouteRedirectHostAndStatus',
  description: 'An HTTPRoute with hostname and statusCode redirect filters',
  manifest: 'httproute-redirect-host-and-status.yaml',
  features: ['Gateway', 'HTTPRoute'],
  async run(context) {
    const route = infra('redirect-host-and-status');
    const address = await gatewayAndRoutesAccepted(context, SAME_NAMESPACE_GATEWAY, [route]);
    await routeResolvedRefs(context, route, SAME_NAMESPACE_GATEWAY);
    await expectResponses(context, address, [
      { request: { path: '/hostname-redirect' }, response: { statusCode: 302 }, redirectRequest: { host: 'example.org' }, namespace: INFRA_NS },
      { request: { path: '/host-and-status' }, response: { statusCode: 301 }, redirectRequest: { host: 'example.org' }, namespace: INFRA_NS },
    ]);
  },
};
