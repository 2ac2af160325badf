// Consumer controller: the shared config-resource reconcile with the Consumer's validation and its key Secret,
// and what it watches.
import type { Reconcile } from '../../kube/queue.js';
import type { ConsumerResource } from '../../kube/resources.js';
import { createConfigResourceReconciler } from '../config-resource.js';
import { tenantConfigChanges, tenantLifecycle } from '../config-resource-watches.js';
import type { ControllerContext } from '../context.js';
import type { ControllerDeclaration } from '../controller.js';
import { ownObjects } from '../watches.js';
import { consumerApiKeySecrets } from './consumer-watches.js';
import { desiredConsumer } from './desired-consumer.js';

export function createConsumerReconciler(context: ControllerContext): Reconcile {
  return createConfigResourceReconciler<ConsumerResource>(context, {
    plural: 'consumers',
    kind: 'Consumer',
    cached: (ctx, key) => ctx.informers.consumers.get(key),
    evaluate: (ctx, consumer) => {
      const ref = consumer.spec.apiKeySecretRef;
      const secret = ref === undefined ? undefined : ctx.informers.secrets.get(`${consumer.metadata.namespace ?? ''}/${ref.name}`);
      return desiredConsumer(consumer, secret);
    },
    acceptedMessage: (consumer) => `consumer "${consumer.spec.username}" is in the config of Tenant "${consumer.spec.tenantRef.name}"`,
  });
}

export const consumerController: ControllerDeclaration = {
  kind: 'consumer',
  resource: 'consumers',
  reconciler: createConsumerReconciler,
  watches: [ownObjects('consumers'), tenantLifecycle('consumers'), tenantConfigChanges('consumers'), consumerApiKeySecrets],
};
