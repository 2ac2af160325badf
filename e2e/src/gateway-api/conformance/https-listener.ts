// HTTPRouteHTTPSListener: routes attach to the HTTPS listeners; TLS requests with SNI reach the backend their hostname names.
import { expectResponses, gatewayAndRoutesAccepted, routeResolvedRefs } from '../expectations.js';
import { infra, INFRA_NS, type ConformanceTest } from '../conformance-test.js';
import { serverCertificateOf } from '../tls-secrets.js';

export const httpsListener: ConformanceTest = {
  shortName: 'HTTPRouteHTTPSListener',
  description: "HTTPRoute attaches to a Gateway's HTTPS listener in the same namespace",
  manifest: 'httproute-https-listener.yaml',
  features: ['Gateway', 'HTTPRoute'],
  async run(context) {
    const route = infra('httproute-https-test');
    const routeNoHost = infra('httproute-https-test-no-hostname');
    const gateway = infra('same-namespace-with-https-listener');
    const address = await gatewayAndRoutesAccepted(context, gateway, [route, routeNoHost]);
    await routeResolvedRefs(context, route, gateway);
    await routeResolvedRefs(context, routeNoHost, gateway);
    const ca = await serverCertificateOf(context.kube, infra('tls-validity-checks-certificate'));
    const tls = (serverName: string) => ({ ca, serverName });
    await expectResponses(context, address, [
      { request: { host: 'example.org', path: '/', tls: tls('example.org') }, response: { statusCode: 200 }, backend: 'infra-backend-v1', namespace: INFRA_NS },
      { request: { host: 'unknown-example.org', path: '/', tls: tls('unknown-example.org') }, response: { statusCode: 404 }, namespace: INFRA_NS },
      { request: { host: 'second-example.org', path: '/', tls: tls('second-example.org') }, response: { statusCode: 200 }, backend: 'infra-backend-v2', namespace: INFRA_NS },
    ]);
  },
};
