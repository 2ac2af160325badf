// Pure: which NovaGatePolicy applies to which translated route (DESIGN §11, GEP-713 "Direct" policy attachment).
// A policy targets HTTPRoutes and Gateways (optionally one listener, `sectionName`) in its own namespace. For a route,
// the policy fields come per field group (auth with jwt, acl, ipRestriction, rateLimit) from the most specific
// layer that sets the group: an ExtensionRef filter of the rule, then the HTTPRoute's policy, then the listener's,
// then the Gateway's. Two policies of one level on one target: the oldest (creationTimestamp, then namespace/name)
// wins and the other is Conflicted for that target. An Invalid policy (the gateway's schema refuses a field) applies
// nowhere. Reading the caches and validating the fields are the caller's: it passes `isTarget` and `problemOf`.
import { GATEWAY_GROUP } from './attach.js';

export const POLICY_GROUP = 'novagate.dev';
export const POLICY_KIND = 'NovaGatePolicy';

export interface PolicyTargetReference {
  group: string;
  kind: string;
  name: string;
  /** Never valid (targets are local); the CRD refuses it, and an object that got past it is TargetNotFound. */
  namespace?: string;
  sectionName?: string;
}

/** The policy fields, with the shapes of the Route resource's fields of the same names. */
export interface PolicyFields {
  auth?: string;
  jwt?: unknown;
  acl?: unknown;
  ipRestriction?: unknown;
  rateLimit?: unknown;
}

export interface PolicyObject {
  metadata: { namespace?: string; name: string; creationTimestamp?: string };
  spec: PolicyFields & { targetRefs?: PolicyTargetReference[] };
}

/** The field groups that merge as one: a route never gets one layer's auth with another layer's jwt providers. */
export const POLICY_FIELD_GROUPS: readonly (readonly (keyof PolicyFields)[])[] = [['auth', 'jwt'], ['acl'], ['ipRestriction'], ['rateLimit']];

export type PolicyReason = 'Accepted' | 'Conflicted' | 'Invalid' | 'TargetNotFound';

/** The verdict on one targetRef of a policy. */
export interface TargetOutcome {
  targetRef: PolicyTargetReference;
  reason: PolicyReason;
  message: string;
}

export interface PolicyAttachment {
  /** Per policy (`namespace/name`), one outcome per targetRef, in spec order. */
  outcomes: Map<string, TargetOutcome[]>;
  /** The winning policy per target: `HTTPRoute/<ns>/<name>`, `Gateway/<ns>/<name>`, `Gateway/<ns>/<name>/<section>`. */
  winners: Map<string, PolicyObject>;
  /** The policies that are not Invalid, by `namespace/name`: what an ExtensionRef filter may name. */
  usable: Map<string, PolicyObject>;
  /** Why a policy is Invalid, by `namespace/name`. */
  invalid: Map<string, string>;
}

export interface AttachmentWorld {
  /**
   * Whether the target exists (a Gateway: one of ours; with sectionName, one of its listeners), or why not: a
   * sentence for the TargetNotFound message.
   */
  isTarget(kind: 'HTTPRoute' | 'Gateway', namespace: string, name: string, sectionName: string | undefined): true | string;
  /** Why the gateway's schema refuses the policy's fields (naming the field), or undefined. */
  problemOf(policy: PolicyObject): string | undefined;
}

export const policyKey = (policy: PolicyObject): string => `${policy.metadata.namespace ?? ''}/${policy.metadata.name}`;

/** Oldest first: creationTimestamp, then namespace/name (Gateway API's tie-break). */
export const byPolicyAge = (a: PolicyObject, b: PolicyObject): number =>
  (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || policyKey(a).localeCompare(policyKey(b));

/** The key of a target in `winners`. */
export function targetKey(kind: 'HTTPRoute' | 'Gateway', namespace: string, name: string, sectionName?: string): string {
  return sectionName === undefined ? `${kind}/${namespace}/${name}` : `${kind}/${namespace}/${name}/${sectionName}`;
}

function describeTarget(ref: PolicyTargetReference, namespace: string): string {
  return `${ref.kind} ${namespace}/${ref.name}${ref.sectionName === undefined ? '' : ` (listener ${ref.sectionName})`}`;
}

/** Every policy's verdict per target, and the winner of each target. */
export function attachPolicies(policies: readonly PolicyObject[], world: AttachmentWorld): PolicyAttachment {
  const attachment: PolicyAttachment = { outcomes: new Map(), winners: new Map(), usable: new Map(), invalid: new Map() };
  for (const policy of [...policies].sort(byPolicyAge)) {
    const key = policyKey(policy);
    const namespace = policy.metadata.namespace ?? '';
    const refs = policy.spec.targetRefs ?? [];
    const problem = world.problemOf(policy);
    if (problem !== undefined) {
      attachment.invalid.set(key, problem);
      attachment.outcomes.set(key, refs.map((targetRef) => ({ targetRef, reason: 'Invalid', message: `${problem}; the policy applies nowhere until it is fixed` })));
      continue;
    }
    attachment.usable.set(key, policy);
    const outcomes: TargetOutcome[] = [];
    for (const targetRef of refs) {
      const where = describeTarget(targetRef, namespace);
      if (targetRef.group !== GATEWAY_GROUP || (targetRef.kind !== 'HTTPRoute' && targetRef.kind !== 'Gateway')) {
        outcomes.push({ targetRef, reason: 'TargetNotFound', message: `${targetRef.group}/${targetRef.kind} cannot be targeted; only ${GATEWAY_GROUP} HTTPRoute and Gateway` });
        continue;
      }
      if (targetRef.namespace !== undefined && targetRef.namespace !== namespace) {
        outcomes.push({ targetRef, reason: 'TargetNotFound', message: `targetRefs are local: ${targetRef.kind} ${targetRef.namespace}/${targetRef.name} is in another namespace than the policy (${namespace})` });
        continue;
      }
      const sectionName = targetRef.kind === 'Gateway' ? targetRef.sectionName : undefined;
      const found = world.isTarget(targetRef.kind, namespace, targetRef.name, sectionName);
      if (found !== true) {
        outcomes.push({ targetRef, reason: 'TargetNotFound', message: found });
        continue;
      }
      const target = targetKey(targetRef.kind, namespace, targetRef.name, sectionName);
      const winner = attachment.winners.get(target);
      if (winner !== undefined && winner !== policy) {
        outcomes.push({ targetRef, reason: 'Conflicted', message: `NovaGatePolicy ${policyKey(winner)} is older and targets ${where} too; it applies there instead of this one` });
        continue;
      }
      attachment.winners.set(target, policy);
      outcomes.push({ targetRef, reason: 'Accepted', message: `applies to ${where}` });
    }
    attachment.outcomes.set(key, outcomes);
  }
  return attachment;
}

/** What one route of an HTTPRoute is attached to: the Gateways it attached to, with the listeners it took. */
export interface RouteAttachmentPoint {
  namespace: string;
  name: string;
  parents: readonly { namespace: string; name: string; listeners: readonly string[] }[];
}

/** Why a rule's ExtensionRef to a NovaGatePolicy cannot be honoured (the rule then answers 500). */
export interface PolicyRefProblem {
  reason: 'BackendNotFound';
  message: string;
}

const setsGroup = (policy: PolicyObject, group: readonly (keyof PolicyFields)[]) => group.some((field) => policy.spec[field] !== undefined);

/** The oldest of the policies of one layer that sets the group (a route on several Gateways: fail closed, deterministic). */
function layerWinner(layer: readonly PolicyObject[], group: readonly (keyof PolicyFields)[]): PolicyObject | undefined {
  return [...layer].filter((policy) => setsGroup(policy, group)).sort(byPolicyAge)[0];
}

/**
 * The policy fields of one rule's routes: per field group, the most specific layer that sets it. `extensionRef` is
 * the name of the NovaGatePolicy an ExtensionRef filter of the rule names (in the route's namespace), if any.
 */
export function policyFieldsFor(attachment: PolicyAttachment, route: RouteAttachmentPoint, extensionRef?: string): { fields: PolicyFields } | { problem: PolicyRefProblem } {
  const layers: PolicyObject[][] = [];
  if (extensionRef !== undefined) {
    const key = `${route.namespace}/${extensionRef}`;
    const policy = attachment.usable.get(key);
    if (policy === undefined) {
      const invalid = attachment.invalid.get(key);
      const message = invalid === undefined ? `ExtensionRef to NovaGatePolicy ${key}: it does not exist` : `ExtensionRef to NovaGatePolicy ${key}: it is Invalid (${invalid})`;
      return { problem: { reason: 'BackendNotFound', message } };
    }
    layers.push([policy]);
  }
  const atRoute = attachment.winners.get(targetKey('HTTPRoute', route.namespace, route.name));
  layers.push(atRoute === undefined ? [] : [atRoute]);
  const atListeners: PolicyObject[] = [];
  const atGateways: PolicyObject[] = [];
  for (const parent of route.parents) {
    const gateway = attachment.winners.get(targetKey('Gateway', parent.namespace, parent.name));
    if (gateway !== undefined) atGateways.push(gateway);
    for (const listener of parent.listeners) {
      const policy = attachment.winners.get(targetKey('Gateway', parent.namespace, parent.name, listener));
      if (policy !== undefined) atListeners.push(policy);
    }
  }
  layers.push(atListeners, atGateways);
  const fields: PolicyFields = {};
  for (const group of POLICY_FIELD_GROUPS) {
    for (const layer of layers) {
      const winner = layerWinner(layer, group);
      if (winner === undefined) continue;
      for (const field of group) if (winner.spec[field] !== undefined) (fields as Record<string, unknown>)[field] = winner.spec[field];
      break;
    }
  }
  return { fields };
}

/** Whether an HTTPRoute filter's ExtensionRef names a NovaGatePolicy (group and kind). */
export function isPolicyExtensionRef(ref: { group: string; kind: string } | undefined): boolean {
  return ref !== undefined && ref.group === POLICY_GROUP && ref.kind === POLICY_KIND;
}
