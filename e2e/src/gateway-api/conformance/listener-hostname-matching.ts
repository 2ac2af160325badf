// HTTPRouteListenerHostnameMatching: listeners on one port with different hostnames each serve their own route.
import { expectResponses, gatewayAndRoutesAccepted, namespacesMustBeReady, routeResolvedRefs } from '../expectations.js';
import { infra, INFRA_NS, type ConformanceTest } from '../conformance-test.js';

export const listenerHostnameMatching: ConformanceTest = {
  shortName: 'HTTPRouteListenerHostnameMatching',
  description: 'Multiple HTTP listeners with the same port and different hostnames, each with a different HTTPRoute',
  manifest: 'httproute-listener-hostname-matching.yaml',
  features: ['Gateway', 'HTTPRoute'],
  async run(context) {
    await namespacesMustBeReady(context, [INFRA_NS]);
    const gateway = infra('httproute-listener-hostname-matching');
    const [route1, route2, route3] = [infra('backend-v1'), infra('backend-v2'), infra('backend-v3')];
    await gatewayAndRoutesAccepted(context, gateway, [route1], ['listener-1']);
    await routeResolvedRefs(context, route1, gateway);
    await gatewayAndRoutesAccepted(context, gateway, [route2], ['listener-2']);
    await routeResolvedRefs(context, route2, gateway);
    const address = await gatewayAndRoutesAccepted(context, gateway, [route3], ['listener-3', 'listener-4']);
    await routeResolvedRefs(context, route3, gateway);
    const to = (backend: string) => ({ backend, namespace: INFRA_NS });
    await expectResponses(context, address, [
      { request: { host: 'bar.com', path: '/' }, ...to('infra-backend-v1') },
      { request: { host: 'foo.bar.com', path: '/' }, ...to('infra-backend-v2') },
      { request: { host: 'baz.bar.com', path: '/' }, ...to('infra-backend-v3') },
      { request: { host: 'boo.bar.com', path: '/' }, ...to('infra-backend-v3') },
      { request: { host: 'multiple.prefixes.bar.com', path: '/' }, ...to('infra-backend-v3') },
      { request: { host: 'multiple.prefixes.foo.com', path: '/' }, ...to('infra-backend-v3') },
      { request: { host: 'foo.com', path: '/' }, response: { statusCode: 404 } },
      { request: { host: 'no.matching.host', path: '/' }, response: { statusCode: 404 } },
    ]);
  },
};
