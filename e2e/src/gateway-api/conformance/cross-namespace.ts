// HTTPRouteCrossNamespace: a route in gateway-conformance-web-backend attaches to backend-namespaces and reaches web-backend.
import { expectResponse, gatewayAndRoutesAccepted, routeResolvedRefs } from '../expectations.js';
import { infra, WEB_BACKEND_NS, type ConformanceTest } from '../conformance-test.js';

export const crossNamespace: ConformanceTest = {
  shortName: 'HTTPRouteCrossNamespace',
  description: 'A single HTTPRoute in the gateway-conformance-web-backend namespace should attach to Gateway in another namespace',
  manifest: 'httproute-cross-namespace.yaml',
  features: ['Gateway', 'HTTPRoute'],
  async run(context) {
    const route = { namespace: WEB_BACKEND_NS, name: 'cross-namespace' };
    const gateway = infra('backend-namespaces');
    const address = await gatewayAndRoutesAccepted(context, gateway, [route]);
    await routeResolvedRefs(context, route, gateway);
    await expectResponse(context, address, { request: { path: '/' }, response: { statusCode: 200 }, backend: 'web-backend', namespace: WEB_BACKEND_NS });
  },
};
