// The reconcile shared by Routes and Consumers: Accepted (valid, tenant found and provisioned, references
// resolved, written to the config) and Programmed (that config version acked by the tenant's gateways).
// Level-triggered: every run starts from the caches and the database, never from the event that woke it.
import { gatewayNodesSeenWithin, tenantIdByKubernetesUid } from '@novagate/control-plane/tenancy';
import type { ConditionInput } from '../conditions.js';
import type { ConsumerResource, RouteResource } from '../kube/resources.js';
import type { Reconcile } from '../kube/queue.js';
import { keyOf, splitKey, type ControllerContext } from './context.js';
import { tenantProblem, type Evaluation, type Problem } from './evaluation.js';
import { GATEWAY_ONLINE_SECONDS, programmedCondition } from './programmed.js';
import { writeStatus } from './status.js';

export interface ConfigResourceKind<T extends RouteResource | ConsumerResource> {
  plural: 'routes' | 'consumers';
  kind: 'Route' | 'Consumer';
  cached(context: ControllerContext, key: string): T | undefined;
  /** Pure: the resource's own validity and references (its Secret for a Consumer). */
  evaluate(context: ControllerContext, object: T): Evaluation<unknown>;
  /** The config version already holding the object's current config, when no sync is needed (a fast path). */
  versionHolding?(context: ControllerContext, tenantId: string, value: unknown): Promise<number | null>;
  /** What Accepted=True says. */
  acceptedMessage(object: T): string;
  /** Conditions of the kind's own beside Accepted and Programmed (a Consumer's ResolvedRefs). */
  extraConditions?(context: ControllerContext, object: T): ConditionInput[];
}

/**
 * The version to report when this sync did not write the object's rows: the one already in its status if it
 * still describes the current spec (the rows have not changed since), else `latest`. Keeps status quiet when
 * other objects of the tenant move the version on.
 */
function stableVersion(object: RouteResource | ConsumerResource, latest: number): number {
  const status = object.status;
  const accepted = status?.conditions?.find((condition) => condition.type === 'Accepted');
  if (
    status?.configVersion !== undefined &&
    status.configVersion <= latest &&
    status.observedGeneration === object.metadata.generation &&
    accepted?.status === 'True'
  ) {
    return status.configVersion;
  }
  return latest;
}

const notAccepted = (kind: string): ConditionInput => ({
  type: 'Programmed',
  status: 'False',
  reason: 'NotAccepted',
  message: `the ${kind} is not part of any config; see its Accepted condition`,
});

/**
 * The one reason `kubectl get -o wide` shows (status.reason): the cause when the object is not Accepted
 * (TenantNotFound, Invalid, Conflicted, …), else the Programmed reason.
 */
export function summaryReason(accepted: ConditionInput, programmed: ConditionInput): string {
  return accepted.status === 'True' ? programmed.reason : accepted.reason;
}

export function createConfigResourceReconciler<T extends RouteResource | ConsumerResource>(
  context: ControllerContext,
  kind: ConfigResourceKind<T>,
): Reconcile {
  return async (key) => {
    const object = kind.cached(context, key);
    const { namespace } = splitKey(key);
    if (object === undefined || object.metadata.deletionTimestamp !== undefined) {
      // Gone: its rows leave the config of whichever tenant of the namespace held them.
      const tenants = context.informers.tenants.list().filter((tenant) => tenant.metadata.namespace === namespace);
      for (const tenant of tenants) await context.configSync.sync(keyOf(namespace, tenant.metadata.name));
      return;
    }
    const tenantKey = keyOf(namespace, object.spec.tenantRef.name);
    const tenant = context.informers.tenants.get(tenantKey);
    const tenantId = tenant === undefined ? null : await tenantIdByKubernetesUid(context.pool, tenant.metadata.uid);
    const evaluation = kind.evaluate(context, object);
    let refusal: Problem | null = evaluation.accepted ? tenantProblem(namespace, object.spec.tenantRef.name, tenant, tenantId) : evaluation;
    let programmed: ConditionInput = notAccepted(kind.kind);
    let configVersion: number | undefined;
    let settled = true;
    let idle = false;
    const holding =
      refusal === null && evaluation.accepted && tenantId !== null && kind.versionHolding !== undefined
        ? await kind.versionHolding(context, tenantId, evaluation.value)
        : null;
    if (refusal === null && holding !== null && tenantId !== null) {
      configVersion = stableVersion(object, holding);
      const result = programmedCondition(await gatewayNodesSeenWithin(context.pool, tenantId, GATEWAY_ONLINE_SECONDS), configVersion);
      programmed = result.condition;
      settled = result.settled;
      idle = result.idle === true;
    } else if (refusal === null) {
      const synced = await context.configSync.sync(tenantKey);
      if (synced === null) {
        refusal = { reason: 'TenantNotReady', message: `Tenant "${object.spec.tenantRef.name}" is not provisioned yet; see its Ready condition` };
      } else {
        refusal = synced.problems.get(key) ?? null;
        if (refusal === null) {
          configVersion = synced.written.has(key) ? synced.version : stableVersion(object, synced.version);
          const result = programmedCondition(await gatewayNodesSeenWithin(context.pool, synced.tenantId, GATEWAY_ONLINE_SECONDS), configVersion);
          programmed = result.condition;
          settled = result.settled;
          idle = result.idle === true;
        }
      }
    }
    const accepted: ConditionInput =
      refusal === null
        ? { type: 'Accepted', status: 'True', reason: 'Accepted', message: kind.acceptedMessage(object) }
        : { type: 'Accepted', status: 'False', reason: refusal.reason, message: refusal.message };
    await writeStatus(
      context.kube,
      kind.plural,
      object,
      // Out of the config, it has no config version: null removes the one it had.
      { conditions: [accepted, programmed, ...(kind.extraConditions?.(context, object) ?? [])], fields: { configVersion: configVersion ?? null, reason: summaryReason(accepted, programmed) } },
      context.now(),
    );
    if (settled) return undefined;
    return { requeueAfterMs: idle ? context.programmedPollMs * 5 : context.programmedPollMs };
  };
}
