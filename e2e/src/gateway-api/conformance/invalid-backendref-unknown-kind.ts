// HTTPRouteInvalidBackendRefUnknownKind: A single HTTPRoute in the gateway-conformance-infra namespace should set a ResolvedRefs status False with reason InvalidKind when attempting to bind to a Gateway in the same namespace if the route has a BackendRef that points to an unknown Kind.
import { expectResponse, gatewayAndRoutesAccepted, routeMustHaveCondition } from '../expectations.js';
import { infra, SAME_NAMESPACE_GATEWAY, type ConformanceTest } from '../conformance-test.js';

export const invalidBackendRefUnknownKind: ConformanceTest = {
  shortName: 'HTTPRouteInvalidBackendRefUnknownKind',
  description: 'A single HTTPRoute in the gateway-conformance-infra namespace should set a ResolvedRefs status False with reason InvalidKind when attempting to bind to a Gateway in the same namespace if the route has a BackendRef that points to an unknown Kind',
  manifest: 'httproute-invalid-backendref-unknown-kind.yaml',
  features: ['Gateway', 'HTTPRoute'],
  async run(context) {
    const route = infra('invalid-backend-ref-unknown-kind');
    const address = await gatewayAndRoutesAccepted(context, SAME_NAMESPACE_GATEWAY, [route]);
    await routeMustHaveCondition(context, route, SAME_NAMESPACE_GATEWAY, { type: 'ResolvedRefs', status: 'False', reason: 'InvalidKind' });
    await expectResponse(context, address, { request: { method: 'GET', path: '/v2' }, response: { statusCode: 500 } });
  },
};
