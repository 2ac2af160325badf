// HTTPRoutePartiallyInvalidViaInvalidReferenceGrant: the backend the grant does not cover answers 500, its sibling still serves.
import { expectResponse, gatewayAndRoutesAccepted, routeMustHaveCondition } from '../expectations.js';
import { APP_BACKEND_NS, infra, SAME_NAMESPACE_GATEWAY, type ConformanceTest } from '../conformance-test.js';

export const partiallyInvalidViaInvalidReferenceGrant: ConformanceTest = {
  shortName: 'HTTPRoutePartiallyInvalidViaInvalidReferenceGrant',
  description: 'A single HTTPRoute in the gateway-conformance-infra namespace should attach to a Gateway in the same namespace if the route has a backendRef Service in the gateway-conformance-app-backend namespace and a ReferenceGrant exists but does not grant permission to route to that specific Service',
  manifest: 'httproute-partially-invalid-via-invalid-reference-grant.yaml',
  features: ['Gateway', 'HTTPRoute', 'ReferenceGrant'],
  async run(context) {
    const route = infra('invalid-reference-grant');
    const address = await gatewayAndRoutesAccepted(context, SAME_NAMESPACE_GATEWAY, [route]);
    await routeMustHaveCondition(context, route, SAME_NAMESPACE_GATEWAY, { type: 'ResolvedRefs', status: 'False', reason: 'RefNotPermitted' });
    await expectResponse(context, address, { request: { method: 'GET', path: '/v2' }, response: { statusCode: 500 } });
    await expectResponse(context, address, { request: { method: 'GET', path: '/' }, response: { statusCode: 200 }, backend: 'app-backend-v1', namespace: APP_BACKEND_NS });
  },
};
