// GatewayClass reconcile (DESIGN §11): for classes with controllerName novagate.dev/gateway-controller only, the
// Accepted condition from the Tenant its parametersRef names (gatewayclass-decisions.ts), written through the
// status subresource when it changed, with one Event per transition. Other controllers' classes are left alone.
import { transitions } from '../../conditions.js';
import type { Reconcile } from '../../kube/queue.js';
import type { ControllerContext } from '../context.js';
import { keyOf } from '../context.js';
import type { ControllerDeclaration } from '../controller.js';
import { specOrLifecycleChanged } from '../watches.js';
import { objectKey } from '../../kube/watch.js';
import { acceptedCondition, isOurs, nextGatewayClassStatus } from './gatewayclass-decisions.js';
import { gatewayClassesOfTenant } from './gatewayclass-watches.js';

export function createGatewayClassReconciler(context: ControllerContext): Reconcile {
  return async (key) => {
    const gatewayClass = context.informers.gatewayclasses.get(key);
    if (gatewayClass === undefined || !isOurs(gatewayClass) || gatewayClass.metadata.deletionTimestamp !== undefined) return;
    const accepted = acceptedCondition(gatewayClass, (namespace, name) => context.informers.tenants.get(keyOf(namespace, name)), context.watchNamespace);
    const now = context.now();
    const status = nextGatewayClassStatus(gatewayClass, accepted, now);
    if (status === null) return;
    await context.kube.patchGatewayClassStatus(gatewayClass.metadata.name, status);
    for (const changed of transitions(gatewayClass.status?.conditions, status.conditions ?? [])) {
      await context.kube.recordEvent(
        { ...gatewayClass, apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass' },
        changed.status === 'True' ? 'Normal' : 'Warning',
        changed.reason,
        `${changed.type}: ${changed.message}`,
        now,
      );
    }
  };
}

export const gatewayClassController: ControllerDeclaration = {
  kind: 'gatewayclass',
  resource: 'gatewayclasses',
  reconciler: createGatewayClassReconciler,
  watches: [{ source: 'gatewayclasses', when: specOrLifecycleChanged, keys: ({ object }) => [objectKey(object)] }, gatewayClassesOfTenant],
};
