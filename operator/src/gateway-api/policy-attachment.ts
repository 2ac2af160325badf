// Pure: which NovaGatePolicy applies to which translated route (DESIGN §11, GEP-713 "Direct" policy attachment).
// A policy targets HTTPRoutes and Gateways (optionally one listener, `sectionName`) in its own namespace. For a route,
// the policy fields come per field group (auth with jwt, acl, ipRestriction, rateLimit) from the most specific
// layer that sets the group: an ExtensionRef filter of the rule, then the HTTPRoute's policy, then the listener's,
// then the Gateway's. Two policies of one level on one target: the oldest (creationTimestamp, then namespace/name)
// wins and the other is Conflicted for that target. Auth never fails open: an Invalid policy (the gateway's schema
// refuses a field) applies none of its fields, and every route it targets (directly, or through its Gateway or
// listener) answers 500 until it is fixed or deleted; a route whose Gateways or listeners give one field group from
// different policies answers 500 too (one config route serves all its parents; per-parent translation is the full
// fix). Reading the caches and validating the fields are the caller's: it passes `isTarget` and `problemOf`.
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
  /** The oldest Invalid policy naming each target (keys as `winners`), with why: the routes it reaches answer 500. */
  invalidAt: Map<string, { policy: string; problem: string }>;
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

const isGatewayApiTarget = (ref: PolicyTargetReference): ref is PolicyTargetReference & { kind: 'HTTPRoute' | 'Gateway' } =>
  ref.group === GATEWAY_GROUP && (ref.kind === 'HTTPRoute' || ref.kind === 'Gateway');

const isTargetable = (ref: PolicyTargetReference, namespace: string): ref is PolicyTargetReference & { kind: 'HTTPRoute' | 'Gateway' } =>
  isGatewayApiTarget(ref) && (ref.namespace === undefined || ref.namespace === namespace);

/** Every policy's verdict per target, and the winner of each target. */
export function attachPolicies(policies: readonly PolicyObject[], world: AttachmentWorld): PolicyAttachment {
  const attachment: PolicyAttachment = { outcomes: new Map(), winners: new Map(), usable: new Map(), invalid: new Map(), invalidAt: new Map() };
  for (const policy of [...policies].sort(byPolicyAge)) {
    const key = policyKey(policy);
    const namespace = policy.metadata.namespace ?? '';
    const refs = policy.spec.targetRefs ?? [];
    const problem = world.problemOf(policy);
    if (problem !== undefined) {
      attachment.invalid.set(key, problem);
      for (const targetRef of refs) {
        // Only what a valid policy could reach: local HTTPRoutes and Gateways (another namespace's routes never 500).
        if (!isTargetable(targetRef, namespace)) continue;
        const target = targetKey(targetRef.kind, namespace, targetRef.name, targetRef.kind === 'Gateway' ? targetRef.sectionName : undefined);
        if (!attachment.invalidAt.has(target)) attachment.invalidAt.set(target, { policy: key, problem });
      }
      attachment.outcomes.set(key, refs.map((targetRef) => ({ targetRef, reason: 'Invalid', message: `${problem}; none of its fields apply and the routes it targets answer 500 until it is fixed or deleted` })));
      continue;
    }
    attachment.usable.set(key, policy);
    const outcomes: TargetOutcome[] = [];
    for (const targetRef of refs) {
      const where = describeTarget(targetRef, namespace);
      if (!isGatewayApiTarget(targetRef)) {
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
        // Gateway API's rule: the oldest wins; created in the same second, the first by namespace/name.
        const why = (winner.metadata.creationTimestamp ?? '') === (policy.metadata.creationTimestamp ?? '') ? 'was created in the same second, comes first by namespace/name,' : 'is older';
        outcomes.push({ targetRef, reason: 'Conflicted', message: `NovaGatePolicy ${policyKey(winner)} ${why} and targets ${where} too; it applies there instead of this one` });
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

/**
 * Why a rule's policies cannot be honoured, so the rule answers 500 (fail closed): an ExtensionRef to a missing or
 * Invalid policy, an Invalid policy targeting the route, its Gateway or listener, or parents that give one field
 * group from different policies. The upstream `ResolvedRefs` reason (DESIGN §11: upstream reasons only) is
 * BackendNotFound, as for any unresolved filter; the message says which case.
 */
export interface PolicyRefProblem {
  reason: 'BackendNotFound';
  message: string;
}

const setsGroup = (policy: PolicyObject, group: readonly (keyof PolicyFields)[]) => group.some((field) => policy.spec[field] !== undefined);

/** The route's targets an Invalid policy may name: the HTTPRoute, each parent Gateway, each listener it took. */
function targetsOf(route: RouteAttachmentPoint): { key: string; where: string }[] {
  const targets = [{ key: targetKey('HTTPRoute', route.namespace, route.name), where: `HTTPRoute ${route.namespace}/${route.name}` }];
  for (const parent of route.parents) {
    targets.push({ key: targetKey('Gateway', parent.namespace, parent.name), where: `Gateway ${parent.namespace}/${parent.name}` });
    for (const listener of parent.listeners) targets.push({ key: targetKey('Gateway', parent.namespace, parent.name, listener), where: `Gateway ${parent.namespace}/${parent.name} (listener ${listener})` });
  }
  return targets;
}

/**
 * Per field group, the policy of the route's Gateways and listeners: at each listener the route took, the listener's
 * policy if it sets the group, else its Gateway's. One policy for every listener (or none anywhere): that one. Two
 * different ones: a problem (the route answers 500), since one config route serves all of them (per-parent translation is the full fix).
 */
function parentWinner(attachment: PolicyAttachment, route: RouteAttachmentPoint, group: readonly (keyof PolicyFields)[]): { policy: PolicyObject | undefined } | { problem: PolicyRefProblem } {
  const found = new Map<string, { policy: PolicyObject; where: string }>();
  for (const parent of route.parents) {
    const atGateway = attachment.winners.get(targetKey('Gateway', parent.namespace, parent.name));
    for (const listener of parent.listeners) {
      const atListener = attachment.winners.get(targetKey('Gateway', parent.namespace, parent.name, listener));
      const policy = atListener !== undefined && setsGroup(atListener, group) ? atListener : atGateway !== undefined && setsGroup(atGateway, group) ? atGateway : undefined;
      if (policy !== undefined && !found.has(policyKey(policy))) found.set(policyKey(policy), { policy, where: `Gateway ${parent.namespace}/${parent.name} (listener ${listener})` });
    }
  }
  const winners = [...found.values()].sort((a, b) => byPolicyAge(a.policy, b.policy));
  if (winners.length <= 1) return { policy: winners[0]?.policy };
  const named = winners.map(({ policy, where }) => `NovaGatePolicy ${policyKey(policy)} on ${where}`).join(', ');
  return {
    problem: {
      reason: 'BackendNotFound',
      message: `the parents of HTTPRoute ${route.namespace}/${route.name} give ${group.join('/')} from different policies (${named}); it answers 500 until one policy covers them all or the HTTPRoute sets ${group.join('/')} itself`,
    },
  };
}

/**
 * The policy fields of one rule's routes: per field group, the most specific layer that sets it. `extensionRef` is
 * the name of the NovaGatePolicy an ExtensionRef filter of the rule names (in the route's namespace), if any. Never
 * fails open: a problem (the rule answers 500) instead of fields when a policy that should apply cannot.
 */
export function policyFieldsFor(attachment: PolicyAttachment, route: RouteAttachmentPoint, extensionRef?: string): { fields: PolicyFields } | { problem: PolicyRefProblem } {
  const specific: PolicyObject[] = [];
  if (extensionRef !== undefined) {
    const key = `${route.namespace}/${extensionRef}`;
    const policy = attachment.usable.get(key);
    if (policy === undefined) {
      const invalid = attachment.invalid.get(key);
      const message = invalid === undefined ? `ExtensionRef to NovaGatePolicy ${key}: it does not exist` : `ExtensionRef to NovaGatePolicy ${key}: it is Invalid (${invalid})`;
      return { problem: { reason: 'BackendNotFound', message } };
    }
    specific.push(policy);
  }
  for (const target of targetsOf(route)) {
    const invalid = attachment.invalidAt.get(target.key);
    if (invalid !== undefined) {
      return { problem: { reason: 'BackendNotFound', message: `NovaGatePolicy ${invalid.policy} targets ${target.where} and is Invalid (${invalid.problem}); the route answers 500 until it is fixed or deleted` } };
    }
  }
  const atRoute = attachment.winners.get(targetKey('HTTPRoute', route.namespace, route.name));
  if (atRoute !== undefined) specific.push(atRoute);
  const fields: PolicyFields = {};
  for (const group of POLICY_FIELD_GROUPS) {
    let winner = specific.find((policy) => setsGroup(policy, group));
    if (winner === undefined) {
      const fromParents = parentWinner(attachment, route, group);
      if ('problem' in fromParents) return fromParents;
      winner = fromParents.policy;
    }
    if (winner === undefined) continue;
    for (const field of group) if (winner.spec[field] !== undefined) (fields as Record<string, unknown>)[field] = winner.spec[field];
  }
  return { fields };
}

/** Whether an HTTPRoute filter's ExtensionRef names a NovaGatePolicy (group and kind). */
export function isPolicyExtensionRef(ref: { group: string; kind: string } | undefined): boolean {
  return ref !== undefined && ref.group === POLICY_GROUP && ref.kind === POLICY_KIND;
}
