// HTTPRouteObservedGenerationBump: after a spec change every condition's observedGeneration follows the new generation.
import { GATEWAY_API, namespacesMustBeReady, routeMustHaveCondition, routeMustHaveLatestConditions, routeResolvedRefs, Unmet } from '../expectations.js';
import { infra, INFRA_NS, SAME_NAMESPACE_GATEWAY, type ConformanceTest } from '../conformance-test.js';

interface Route {
  metadata: { generation?: number };
  spec: { rules: { backendRefs: { name: string }[] }[] };
}

export const observedGenerationBump: ConformanceTest = {
  shortName: 'HTTPRouteObservedGenerationBump',
  description: "A HTTPRoute in the gateway-conformance-infra namespace should update the observedGeneration in all of it's Status.Conditions after an update to the spec",
  manifest: 'httproute-observed-generation-bump.yaml',
  features: ['Gateway', 'HTTPRoute'],
  async run(context) {
    await namespacesMustBeReady(context, [INFRA_NS]);
    const route = infra('observed-generation-bump');
    const original = await context.kube.get<Route>(GATEWAY_API, 'HTTPRoute', route.name, route.namespace);
    if (original === null) throw new Unmet(`HTTPRoute ${route.namespace}/${route.name} exists`);
    await routeMustHaveLatestConditions(context, route);
    const rules = structuredClone(original.spec.rules);
    rules[0]!.backendRefs[0]!.name = 'infra-backend-v2';
    await context.kube.mergePatch(GATEWAY_API, 'HTTPRoute', route.name, route.namespace, { spec: { rules } });
    await routeMustHaveCondition(context, route, SAME_NAMESPACE_GATEWAY, { type: 'Accepted', status: 'True', reason: '' });
    await routeResolvedRefs(context, route, SAME_NAMESPACE_GATEWAY);
    await routeMustHaveLatestConditions(context, route);
    const updated = await context.kube.get<Route>(GATEWAY_API, 'HTTPRoute', route.name, route.namespace);
    if (updated?.metadata.generation === original.metadata.generation) throw new Unmet('the generation changes after an update');
  },
};
