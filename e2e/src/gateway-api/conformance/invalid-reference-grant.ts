// HTTPRouteInvalidReferenceGrant: a ReferenceGrant that does not cover the Service leaves the route RefNotPermitted, answering 500.
import { expectResponse, gatewayAndRoutesAccepted, routeMustHaveCondition } from '../expectations.js';
import { infra, SAME_NAMESPACE_GATEWAY, WEB_BACKEND_NS, type ConformanceTest } from '../conformance-test.js';

export const invalidReferenceGrant: ConformanceTest = {
  shortName: 'HTTPRouteInvalidReferenceGrant',
  description: 'A single HTTPRoute in the gateway-conformance-infra namespace, with a backendRef in another namespace without valid ReferenceGrant, should have the ResolvedRefs condition set to False and not forward HTTP requests to any backend',
  manifest: 'httproute-invalid-reference-grant.yaml',
  features: ['Gateway', 'HTTPRoute', 'ReferenceGrant'],
  async run(context) {
    const route = infra('reference-grant');
    const address = await gatewayAndRoutesAccepted(context, SAME_NAMESPACE_GATEWAY, [route]);
    await routeMustHaveCondition(context, route, SAME_NAMESPACE_GATEWAY, { type: 'ResolvedRefs', status: 'False', reason: 'RefNotPermitted' });
    // Upstream names web-backend here too; with status 500 only the status is compared.
    await expectResponse(context, address, { request: { method: 'GET', path: '/' }, response: { statusCode: 500 }, backend: 'web-backend', namespace: WEB_BACKEND_NS });
  },
};
