// Every policy the gateway knows, in the order they run (lower priority first). Adding a policy is one folder
// under policies/ (schema.ts, the definition, tests) and one line here; registry.test.ts checks the order.
//
//   ip-restriction 100 · cors 200 (answers preflights) · jwt 300 · key-auth 310 · basic-auth 320 · acl 400 ·
//   rate-limit 500 · redirect 600 · request-headers 700 · response-headers 705 · rewrite 710
import type { Policy, PolicyDefinition, PolicyEnv } from '../pipeline/policy.js';
import type { RouteConfig } from '../config/index.js';
import { definition as acl } from './acl/acl-policy.js';
import { definition as basicAuth } from './basic-auth/index.js';
import { definition as cors } from './cors/cors-policy.js';
import { definition as ipRestriction } from './ip-restriction/ip-restriction-policy.js';
import { definition as jwt } from './jwt/index.js';
import { definition as keyAuth } from './key-auth/index.js';
import { definition as rateLimit } from './rate-limit/index.js';
import { definition as redirect } from './redirect/redirect-policy.js';
import { definition as requestHeaders } from './request-headers/request-headers-policy.js';
import { definition as responseHeaders } from './response-headers/response-headers-policy.js';
import { definition as rewrite } from './rewrite/rewrite-policy.js';

export const POLICY_DEFINITIONS: readonly PolicyDefinition[] = [
  ipRestriction,
  cors,
  jwt,
  keyAuth,
  basicAuth,
  acl,
  rateLimit,
  redirect,
  requestHeaders,
  responseHeaders,
  rewrite,
];

/** The route's handlers in execution order; empty for a route that uses no policy. */
export function compilePolicies(route: RouteConfig, env: PolicyEnv, definitions: readonly PolicyDefinition[] = POLICY_DEFINITIONS): Policy[] {
  const chain: Policy[] = [];
  for (const definition of definitions) {
    const policy = definition.compile(route, env);
    if (policy !== undefined) chain.push(policy);
  }
  return chain;
}
