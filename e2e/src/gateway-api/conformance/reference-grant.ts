// HTTPRouteReferenceGrant: a ReferenceGrant lets the route reach web-backend; once the grant is deleted, 500.
import { expectResponse, gatewayAndRoutesAccepted, routeResolvedRefs } from '../expectations.js';
import { infra, SAME_NAMESPACE_GATEWAY, WEB_BACKEND_NS, type ConformanceTest } from '../conformance-test.js';

export const referenceGrant: ConformanceTest = {
  shortName: 'HTTPRouteReferenceGrant',
  description: 'A single HTTPRoute in the gateway-conformance-infra namespace, with a backendRef in the gateway-conformance-web-backend namespace, should attach to Gateway in the gateway-conformance-infra namespace',
  manifest: 'httproute-reference-grant.yaml',
  features: ['Gateway', 'HTTPRoute', 'ReferenceGrant'],
  async run(context) {
    const route = infra('reference-grant');
    const address = await gatewayAndRoutesAccepted(context, SAME_NAMESPACE_GATEWAY, [route]);
    await routeResolvedRefs(context, route, SAME_NAMESPACE_GATEWAY);
    await expectResponse(context, address, { request: { method: 'GET', path: '/' }, response: { statusCode: 200 }, backend: 'web-backend', namespace: WEB_BACKEND_NS });
    await context.kube.send('DELETE', `/apis/gateway.networking.k8s.io/v1/namespaces/${WEB_BACKEND_NS}/referencegrants/reference-grant`);
    await expectResponse(context, address, { request: { method: 'GET', path: '/' }, response: { statusCode: 500 } });
  },
};
