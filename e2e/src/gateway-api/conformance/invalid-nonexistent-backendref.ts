// HTTPRouteInvalidNonExistentBackendRef: A single HTTPRoute in the gateway-conformance-infra namespace should set a ResolvedRefs status False with reason BackendNotFound and return 500 when binding to a Gateway in the same namespace if the route has a BackendRef Service that does not exist.
import { expectResponse, gatewayAndRoutesAccepted, routeMustHaveCondition } from '../expectations.js';
import { infra, SAME_NAMESPACE_GATEWAY, type ConformanceTest } from '../conformance-test.js';

export const invalidNonexistentBackendRef: ConformanceTest = {
  shortName: 'HTTPRouteInvalidNonExistentBackendRef',
  description: 'A single HTTPRoute in the gateway-conformance-infra namespace should set a ResolvedRefs status False with reason BackendNotFound and return 500 when binding to a Gateway in the same namespace if the route has a BackendRef Service that does not exist',
  manifest: 'httproute-invalid-nonexistent-backendref.yaml',
  features: ['Gateway', 'HTTPRoute'],
  async run(context) {
    const route = infra('invalid-nonexistent-backend-ref');
    const address = await gatewayAndRoutesAccepted(context, SAME_NAMESPACE_GATEWAY, [route]);
    await routeMustHaveCondition(context, route, SAME_NAMESPACE_GATEWAY, { type: 'ResolvedRefs', status: 'False', reason: 'BackendNotFound' });
    await expectResponse(context, address, { request: { method: 'GET', path: '/' }, response: { statusCode: 500 } });
  },
};
