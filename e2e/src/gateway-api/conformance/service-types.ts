// HTTPRouteServiceTypes: backends behind a Service with manual EndpointSlices, a headless Service, and a headless
// Service with manual EndpointSlices all serve. As upstream does, the test fills the manual EndpointSlices with the
// addresses of infra-backend-v1's Pods.
import { expectResponses, gatewayAndRoutesAccepted, routeResolvedRefs, Unmet } from '../expectations.js';
import { infra, INFRA_NS, SAME_NAMESPACE_GATEWAY, type ConformanceTest } from '../conformance-test.js';

interface Pod {
  metadata: { name: string; labels?: Record<string, string> };
  status?: { podIPs?: { ip: string }[] };
}

interface EndpointSlice {
  addressType: string;
  endpoints?: unknown[];
}

export const serviceTypes: ConformanceTest = {
  shortName: 'HTTPRouteServiceTypes',
  description: 'A single HTTPRoute should be able to route traffic to various service type backends',
  manifest: 'httproute-service-types.yaml',
  features: ['Gateway', 'HTTPRoute'],
  async run(context) {
    const route = infra('service-types');
    const address = await gatewayAndRoutesAccepted(context, SAME_NAMESPACE_GATEWAY, [route]);
    await routeResolvedRefs(context, route, SAME_NAMESPACE_GATEWAY);
    const pods = (await context.kube.list<Pod>('v1', 'Pod', INFRA_NS)).filter((pod) => pod.metadata.labels?.app === 'infra-backend-v1');
    if (pods.length === 0) throw new Unmet("'infra-backend-v1' has running Pods");
    for (const prefix of ['manual-endpointslices', 'headless-manual-endpointslices']) {
      for (const [suffix, isFamily] of [
        ['ip4', (ip: string) => !ip.includes(':')],
        ['ip6', (ip: string) => ip.includes(':')],
      ] as const) {
        const name = `${prefix}-${suffix}`;
        const slice = await context.kube.get<EndpointSlice>('discovery.k8s.io/v1', 'EndpointSlice', name, INFRA_NS);
        if (slice === null) throw new Unmet(`EndpointSlice ${name} exists`);
        const endpoints = pods.flatMap((pod) =>
          (pod.status?.podIPs ?? [])
            .filter(({ ip }) => isFamily(ip))
            .map(({ ip }) => ({
              addresses: [ip],
              conditions: { ready: true, serving: true, terminating: false },
              targetRef: { kind: 'Pod', name: pod.metadata.name, namespace: INFRA_NS },
            })),
        );
        if (endpoints.length === 0) continue; // as upstream: a family without pod addresses is left empty
        await context.kube.mergePatch('discovery.k8s.io/v1', 'EndpointSlice', name, INFRA_NS, { endpoints });
      }
    }
    await expectResponses(
      context,
      address,
      ['manual-endpointslices', 'headless-manual-endpointslices', 'headless'].map((path) => ({
        request: { path: `/${path}` },
        response: { statusCode: 200 },
        backend: 'infra-backend-v1',
        namespace: INFRA_NS,
      })),
    );
  },
};
