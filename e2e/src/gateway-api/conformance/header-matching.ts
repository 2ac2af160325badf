// HTTPRouteHeaderMatching: header matches (all of a match's headers, any of a rule's matches) pick the backend.
import { expectResponses, gatewayAndRoutesAccepted, routeResolvedRefs } from '../expectations.js';
import { infra, INFRA_NS, SAME_NAMESPACE_GATEWAY, type ConformanceTest } from '../conformance-test.js';

const v1 = { backend: 'infra-backend-v1', namespace: INFRA_NS };
const v2 = { backend: 'infra-backend-v2', namespace: INFRA_NS };
const notFound = { response: { statusCode: 404 } };

export const headerMatching: ConformanceTest = {
  shortName: 'HTTPRouteHeaderMatching',
  description: 'A single HTTPRoute with header matching for different backends',
  manifest: 'httproute-header-matching.yaml',
  features: ['Gateway', 'HTTPRoute'],
  async run(context) {
    const route = infra('header-matching');
    const address = await gatewayAndRoutesAccepted(context, SAME_NAMESPACE_GATEWAY, [route]);
    await routeResolvedRefs(context, route, SAME_NAMESPACE_GATEWAY);
    const at = (headers: Record<string, string>) => ({ path: '/', headers });
    await expectResponses(context, address, [
      { request: at({ Version: 'one' }), ...v1 },
      { request: at({ Version: 'two' }), ...v2 },
      { request: at({ Version: 'two', Color: 'orange' }), ...v1 },
      { request: at({ Version: 'two', Color: 'blue' }), ...v2 },
      { request: at({ Color: 'orange' }), ...notFound },
      { request: at({ 'Some-Other-Header': 'one' }), ...notFound },
      { request: at({ Color: 'blue' }), ...v1 },
      { request: at({ Color: 'green' }), ...v1 },
      { request: at({ Color: 'red' }), ...v2 },
      { request: at({ Color: 'yellow' }), ...v2 },
      { request: at({ Color: 'purple' }), ...notFound },
    ]);
  },
};
