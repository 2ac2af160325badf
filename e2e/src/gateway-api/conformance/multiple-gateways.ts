// HTTPRouteMultipleGateways: a route attached to two Gateways serves through each; dedicated routes only through theirs.
import { expectResponse, gatewayAndRoutesAccepted } from '../expectations.js';
import { infra, INFRA_NS, SAME_NAMESPACE_GATEWAY, type ConformanceTest } from '../conformance-test.js';

export const multipleGateways: ConformanceTest = {
  shortName: 'HTTPRouteMultipleGateways',
  description:
    'An HTTPRoute that is attached to multiple Gateways receives traffic from each Gateway independently, and shared routes are accessible via all parent Gateways while dedicated routes are only accessible via their respective parent.',
  manifest: 'httproute-multiple-gateways.yaml',
  features: ['Gateway', 'HTTPRoute'],
  async run(context) {
    const shared = infra('multiple-gateways-shared-route');
    const gateways = [
      { gateway: SAME_NAMESPACE_GATEWAY, dedicated: infra('same-namespace-dedicated-route'), backend: 'infra-backend-v2' },
      { gateway: infra('all-namespaces'), dedicated: infra('all-namespaces-dedicated-route'), backend: 'infra-backend-v3' },
    ];
    for (const { gateway, dedicated, backend } of gateways) {
      const address = await gatewayAndRoutesAccepted(context, gateway, [shared, dedicated]);
      await expectResponse(context, address, { request: { path: '/shared' }, response: { statusCode: 200 }, backend: 'infra-backend-v1', namespace: INFRA_NS });
      await expectResponse(context, address, { request: { path: '/' }, response: { statusCode: 200 }, backend, namespace: INFRA_NS });
    }
  },
};
