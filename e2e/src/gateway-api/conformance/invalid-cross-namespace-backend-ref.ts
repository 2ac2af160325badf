// HTTPRouteInvalidCrossNamespaceBackendRef: A single HTTPRoute in the gateway-conformance-infra namespace should set a ResolvedRefs status False with reason RefNotPermitted when attempting to bind to a Gateway in the same namespace if the route has a BackendRef Service in the gateway-conformance-web-backend namespace and a ReferenceGrant granting permission to route to that Service does not exist.
import { expectResponse, gatewayAndRoutesAccepted, routeMustHaveCondition } from '../expectations.js';
import { infra, SAME_NAMESPACE_GATEWAY, type ConformanceTest } from '../conformance-test.js';

export const invalidCrossNamespaceBackendRef: ConformanceTest = {
  shortName: 'HTTPRouteInvalidCrossNamespaceBackendRef',
  description: 'A single HTTPRoute in the gateway-conformance-infra namespace should set a ResolvedRefs status False with reason RefNotPermitted when attempting to bind to a Gateway in the same namespace if the route has a BackendRef Service in the gateway-conformance-web-backend namespace and a ReferenceGrant granting permission to route to that Service does not exist',
  manifest: 'httproute-invalid-cross-namespace-backend-ref.yaml',
  features: ['Gateway', 'HTTPRoute', 'ReferenceGrant'],
  async run(context) {
    const route = infra('invalid-cross-namespace-backend-ref');
    const address = await gatewayAndRoutesAccepted(context, SAME_NAMESPACE_GATEWAY, [route]);
    await routeMustHaveCondition(context, route, SAME_NAMESPACE_GATEWAY, { type: 'ResolvedRefs', status: 'False', reason: 'RefNotPermitted' });
    await expectResponse(context, address, { request: { method: 'GET', path: '/' }, response: { statusCode: 500 } });
  },
};
