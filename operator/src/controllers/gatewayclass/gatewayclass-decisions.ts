// What a GatewayClass of NovaGate's controllerName should say (DESIGN §11): Accepted when its parametersRef names an
// existing NovaGate Tenant (group novagate.dev, kind Tenant, namespace, name), else Accepted=False with reason
// InvalidParameters and a message naming the field; supportedFeatures lists the features the conformance run
// (`npm run conformance`) proves, and that run fails when the class claims one it does not. Pure over the class and
// a lookup of the Tenant cache.
import { jsonEqual, setCondition, type ConditionInput } from '../../conditions.js';
import { GROUP, type GatewayClassResource, type GatewayClassStatus, type TenantResource } from '../../kube/resources.js';

export const GATEWAY_CONTROLLER_NAME = 'novagate.dev/gateway-controller';

/**
 * The Gateway API features this implementation claims, sorted; only features its conformance run proves may be added
 * (the 26 Core HTTPRoute tests prove these three; Extended features need upstream's Extended tests, not run here).
 */
export const SUPPORTED_FEATURES: readonly string[] = ['Gateway', 'HTTPRoute', 'ReferenceGrant'];

export function isOurs(gatewayClass: GatewayClassResource): boolean {
  return gatewayClass.spec.controllerName === GATEWAY_CONTROLLER_NAME;
}

const invalid = (message: string): ConditionInput => ({ type: 'Accepted', status: 'False', reason: 'InvalidParameters', message });

/**
 * The Accepted condition. `findTenant` reads the Tenant cache (namespace, name); `watchNamespace` is '' when the
 * operator watches every namespace, else the only namespace whose Tenants it can see.
 */
export function acceptedCondition(
  gatewayClass: GatewayClassResource,
  findTenant: (namespace: string, name: string) => TenantResource | undefined,
  watchNamespace: string,
): ConditionInput {
  const ref = gatewayClass.spec.parametersRef;
  if (ref === undefined) return invalid('spec.parametersRef must name the NovaGate Tenant of this class (group novagate.dev, kind Tenant, namespace, name)');
  if (ref.group !== GROUP || ref.kind !== 'Tenant') {
    return invalid(`spec.parametersRef must be group ${GROUP}, kind Tenant; got group ${JSON.stringify(ref.group)}, kind ${JSON.stringify(ref.kind)}`);
  }
  if (ref.namespace === undefined || ref.namespace === '') return invalid('spec.parametersRef.namespace is required: a Tenant is namespaced');
  if (watchNamespace !== '' && ref.namespace !== watchNamespace) {
    return invalid(`spec.parametersRef names Tenant ${ref.namespace}/${ref.name}, outside namespace ${watchNamespace}, the only one the operator watches`);
  }
  const tenant = findTenant(ref.namespace, ref.name);
  if (tenant === undefined) return invalid(`spec.parametersRef names Tenant ${ref.namespace}/${ref.name}, which does not exist`);
  if (tenant.metadata.deletionTimestamp !== undefined) return invalid(`spec.parametersRef names Tenant ${ref.namespace}/${ref.name}, which is being deleted`);
  return { type: 'Accepted', status: 'True', reason: 'Accepted', message: `the class's Gateways and routes belong to Tenant ${ref.namespace}/${ref.name}` };
}

/** The status to write, or null when the class's status already says it (no write, no Event). */
export function nextGatewayClassStatus(gatewayClass: GatewayClassResource, accepted: ConditionInput, now: Date): GatewayClassStatus | null {
  const generation = gatewayClass.metadata.generation ?? 0;
  const next: GatewayClassStatus = {
    ...(gatewayClass.status ?? {}),
    conditions: setCondition(gatewayClass.status?.conditions, accepted, generation, now),
    supportedFeatures: SUPPORTED_FEATURES.map((name) => ({ name })),
  };
  return jsonEqual(gatewayClass.status ?? {}, next) ? null : next;
}
