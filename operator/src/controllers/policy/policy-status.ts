// Pure: a NovaGatePolicy's next `status.ancestors` (Gateway API PolicyAncestorStatus). Each targetRef's verdict
// (policy-attachment.ts) is reported on the Gateways it reaches: a Gateway target on itself (with its sectionName),
// an HTTPRoute target on each Gateway of ours the route names; a target not found, or a route naming none of our
// Gateways, on the target itself. Several targets on one ancestor: the worst verdict, with every message. Other
// controllers' entries are kept; nothing is written when nothing changed.
import { jsonEqual, setCondition, type ConditionInput } from '../../conditions.js';
import { GATEWAY_GROUP, type ParentReference } from '../../gateway-api/attach.js';
import type { PolicyReason, TargetOutcome } from '../../gateway-api/policy-attachment.js';
import type { NovaGatePolicyResource, PolicyAncestorStatus } from '../../kube/resources.js';
import { GATEWAY_CONTROLLER_NAME } from '../gatewayclass/gatewayclass-decisions.js';
import { gatewayOfOurs, type GatewayApiCaches } from '../httproute/http-route-evaluation.js';

/** Gateway API caps status.ancestors at 16 entries. */
export const MAX_ANCESTORS = 16;

export interface AncestorVerdict {
  ancestorRef: ParentReference;
  accepted: ConditionInput;
}

const SEVERITY: Record<PolicyReason, number> = { Accepted: 0, TargetNotFound: 1, Conflicted: 2, Invalid: 3 };

/** The ancestors one targetRef's verdict is reported on. */
function ancestorsOf(outcome: TargetOutcome, namespace: string, caches: GatewayApiCaches): ParentReference[] {
  const { targetRef } = outcome;
  const itself: ParentReference = { group: GATEWAY_GROUP, kind: targetRef.kind, namespace, name: targetRef.name, ...(targetRef.sectionName === undefined ? {} : { sectionName: targetRef.sectionName }) };
  if (outcome.reason === 'TargetNotFound' || targetRef.kind !== 'HTTPRoute') return [itself];
  const route = caches.httproutes.get(`${namespace}/${targetRef.name}`);
  const gateways = new Map<string, ParentReference>();
  for (const ref of route?.spec.parentRefs ?? []) {
    const ours = gatewayOfOurs(ref, namespace, caches);
    if (ours === undefined) continue;
    const gatewayNamespace = ours.gateway.metadata.namespace ?? '';
    gateways.set(`${gatewayNamespace}/${ours.gateway.metadata.name}`, { group: GATEWAY_GROUP, kind: 'Gateway', namespace: gatewayNamespace, name: ours.gateway.metadata.name });
  }
  return gateways.size === 0 ? [itself] : [...gateways.values()];
}

/** One verdict per ancestor, in the order the targets first reach them. */
export function policyAncestorVerdicts(policy: NovaGatePolicyResource, outcomes: readonly TargetOutcome[], caches: GatewayApiCaches): AncestorVerdict[] {
  const namespace = policy.metadata.namespace ?? '';
  const byAncestor = new Map<string, { ancestorRef: ParentReference; reason: PolicyReason; messages: string[] }>();
  for (const outcome of outcomes) {
    for (const ancestorRef of ancestorsOf(outcome, namespace, caches)) {
      const key = JSON.stringify(ancestorRef);
      const entry = byAncestor.get(key) ?? { ancestorRef, reason: outcome.reason, messages: [] };
      if (SEVERITY[outcome.reason] > SEVERITY[entry.reason]) entry.reason = outcome.reason;
      if (!entry.messages.includes(outcome.message)) entry.messages.push(outcome.message);
      byAncestor.set(key, entry);
    }
  }
  return [...byAncestor.values()].map(({ ancestorRef, reason, messages }) => ({
    ancestorRef,
    accepted: { type: 'Accepted', status: reason === 'Accepted' ? 'True' : 'False', reason, message: messages.join('; ') },
  }));
}

/** The ancestors list to write, or null when the policy's status already says exactly this. */
export function nextPolicyAncestors(policy: NovaGatePolicyResource, verdicts: readonly AncestorVerdict[], now: Date): PolicyAncestorStatus[] | null {
  const generation = policy.metadata.generation ?? 0;
  const current = policy.status?.ancestors ?? [];
  const others = current.filter((entry) => entry.controllerName !== GATEWAY_CONTROLLER_NAME);
  const ours = verdicts.map((verdict) => {
    const previous = current.find((entry) => entry.controllerName === GATEWAY_CONTROLLER_NAME && jsonEqual(entry.ancestorRef, verdict.ancestorRef));
    return { ancestorRef: verdict.ancestorRef, controllerName: GATEWAY_CONTROLLER_NAME, conditions: setCondition(previous?.conditions ?? [], verdict.accepted, generation, now) };
  });
  const next = [...others, ...ours].slice(0, MAX_ANCESTORS);
  return jsonEqual(current, next) ? null : next;
}
