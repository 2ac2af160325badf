// HTTPRouteSimpleSameNamespace: a route in the Gateway's namespace attaches and reaches infra-backend-v1.
import { expectResponse, gatewayAndRoutesAccepted, routeResolvedRefs } from '../expectations.js';
import { infra, INFRA_NS, SAME_NAMESPACE_GATEWAY, type ConformanceTest } from '../conformance-test.js';

export const simpleSameNamespace: ConformanceTest = {
  shortName: 'HTTPRouteSimpleSameNamespace',
  description: 'A single HTTPRoute in the gateway-conformance-infra namespace attaches to a Gateway in the same namespace',
  manifest: 'httproute-simple-same-namespace.yaml',
  features: ['Gateway', 'HTTPRoute'],
  async run(context) {
    const route = infra('gateway-conformance-infra-test');
    const address = await gatewayAndRoutesAccepted(context, SAME_NAMESPACE_GATEWAY, [route]);
    await routeResolvedRefs(context, route, SAME_NAMESPACE_GATEWAY);
    await expectResponse(context, address, { request: { path: '/' }, response: { statusCode: 200 }, backend: 'infra-backend-v1', namespace: INFRA_NS });
  },
};
