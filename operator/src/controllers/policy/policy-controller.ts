// NovaGatePolicy reconcile (DESIGN §11): computes the policy attachment of the cluster from the caches and writes
// this policy's `status.ancestors` (Accepted / Conflicted / Invalid / TargetNotFound per Gateway). The config side
// is the HTTPRoute controller's: a policy change re-reconciles the routes it reaches (routesOfPolicy), whose
// tenants' configs are synced with the merged fields.
import { isConflict } from '../../kube/resources.js';
import type { Reconcile } from '../../kube/queue.js';
import type { ControllerContext } from '../context.js';
import type { ControllerDeclaration } from '../controller.js';
import { policyAttachmentOf } from './policy-index.js';
import { nextPolicyAncestors, policyAncestorVerdicts } from './policy-status.js';
import { ownPolicies, policiesOfGateway, policiesOfHttpRoute, policiesOfNamespace } from './policy-watches.js';

export function createPolicyReconciler(context: ControllerContext): Reconcile {
  return async (key) => {
    const policy = context.informers.novagatepolicies.get(key);
    if (policy === undefined || policy.metadata.deletionTimestamp !== undefined) return;
    const attachment = policyAttachmentOf(context.informers);
    const verdicts = policyAncestorVerdicts(policy, attachment.outcomes.get(key) ?? [], context.informers);
    const ancestors = nextPolicyAncestors(policy, verdicts, context.now());
    if (ancestors === null) return;
    try {
      await context.kube.replacePolicyAncestors(policy, ancestors);
    } catch (error) {
      // Another controller wrote its entries meanwhile: run again on the fresh object, keeping theirs.
      if (isConflict(error)) return { requeueAfterMs: 200 };
      throw error;
    }
  };
}

export const policyController: ControllerDeclaration = {
  kind: 'novagatepolicy',
  resource: 'novagatepolicies',
  reconciler: createPolicyReconciler,
  watches: [ownPolicies, policiesOfNamespace, policiesOfHttpRoute, policiesOfGateway],
};
