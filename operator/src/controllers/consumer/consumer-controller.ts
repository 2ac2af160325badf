// Consumer controller: the shared config-resource reconcile with the Consumer's validation, its Secrets (API key,
// basic-auth passwords) and their ResolvedRefs condition, and what it watches.
import type { Reconcile } from '../../kube/queue.js';
import type { ConsumerResource } from '../../kube/resources.js';
import { createConfigResourceReconciler } from '../config-resource.js';
import { tenantConfigChanges, tenantLifecycle } from '../config-resource-watches.js';
import type { ControllerContext } from '../context.js';
import type { ControllerDeclaration } from '../controller.js';
import { ownObjects } from '../watches.js';
import { consumerSecrets } from './consumer-watches.js';
import { desiredConsumer } from './desired-consumer.js';
import { resolvedRefsCondition } from './resolved-refs.js';

/** The Secrets of the Consumer's namespace, by name, from the cache. */
const secretOf = (context: ControllerContext, consumer: ConsumerResource) => (name: string) =>
  context.informers.secrets.get(`${consumer.metadata.namespace ?? ''}/${name}`);

export function createConsumerReconciler(context: ControllerContext): Reconcile {
  return createConfigResourceReconciler<ConsumerResource>(context, {
    plural: 'consumers',
    kind: 'Consumer',
    cached: (ctx, key) => ctx.informers.consumers.get(key),
    // Validity only: the basic-auth hashes are made by the tenant's sync, which reports what it refuses.
    evaluate: (ctx, consumer) => {
      const ref = consumer.spec.apiKeySecretRef;
      return desiredConsumer(consumer, ref === undefined ? undefined : secretOf(ctx, consumer)(ref.name));
    },
    acceptedMessage: (consumer) => `consumer "${consumer.spec.username}" is in the config of Tenant "${consumer.spec.tenantRef.name}"`,
    extraConditions: (ctx, consumer) => [resolvedRefsCondition(consumer, secretOf(ctx, consumer))],
  });
}

export const consumerController: ControllerDeclaration = {
  kind: 'consumer',
  resource: 'consumers',
  reconciler: createConsumerReconciler,
  watches: [ownObjects('consumers'), tenantLifecycle('consumers'), tenantConfigChanges('consumers'), consumerSecrets],
};
