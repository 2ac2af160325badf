// Pure: whether the gateway's own schema takes a NovaGatePolicy's fields, checked on the policy alone (so an Invalid
// policy applies nowhere, never half-applied). The fields become config exactly as a Route's do
// (attachablePolicyFields). `acl` alone is checked with a stand-in auth: it may rely on the auth of a less specific
// policy, and the merged route is checked again by the translation (translate.ts), which refuses the HTTPRoute if
// nothing gives it an auth.
import { routeSchema } from '@novagate/gateway/config';
import type { PolicyObject } from '../../gateway-api/policy-attachment.js';
import { problemMessage } from '../evaluation.js';
import { attachablePolicyFields, type AttachablePolicySpec } from '../route/desired-route.js';

/**
 * The verdicts already reached, by policy object. Every HTTPRoute evaluation and every policy reconcile builds the
 * attachment of all policies; without this each would run the schema over every policy again (P² parses per
 * resync). Informer caches replace an object on every change and never mutate one, so the object itself is the key,
 * and a WeakMap lets a replaced object's verdict go with it.
 */
const verdicts = new WeakMap<PolicyObject, { problem: string | undefined }>();

/** Why the gateway refuses the policy's fields (`spec.jwt.providers[0].jwksUri: ...`), or undefined when it takes them. */
export function policyFieldsProblem(policy: PolicyObject): string | undefined {
  const known = verdicts.get(policy);
  if (known !== undefined) return known.problem;
  const problem = checkPolicyFields(policy);
  verdicts.set(policy, { problem });
  return problem;
}

function checkPolicyFields(policy: PolicyObject): string | undefined {
  const fields = attachablePolicyFields(policy.spec as AttachablePolicySpec);
  if (Object.keys(fields).length === 0) return 'spec: sets none of auth, jwt, acl, ipRestriction and rateLimit';
  const standInAuth = fields.auth ?? (fields.acl === undefined ? 'none' : 'key-auth');
  const parsed = routeSchema.safeParse({ name: 'policy', service: 'policy', paths: ['/'], ...fields, auth: standInAuth });
  if (parsed.success) return undefined;
  return problemMessage(parsed.error, {}, 'spec');
}

/** The policy's fields as gateway route fields (what a route it applies to carries). */
export function policyConfigFields(policy: PolicyObject): Record<string, unknown> {
  return { ...attachablePolicyFields(policy.spec as AttachablePolicySpec) };
}
