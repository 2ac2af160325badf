// `ipRestriction`: the client address (ctx.clientIp: the socket peer, or the rightmost untrusted
// X-Forwarded-For hop behind a trusted proxy) checked against ranges built once per config (address-ranges.ts).
// deny wins; a non-empty allow list admits only its addresses. 403 otherwise.
import { GatewayError } from '../../errors.js';
import type { PolicyDefinition } from '../../pipeline/policy.js';
import { addressRulesOf } from './address-ranges.js';

export const ipForbidden = () => new GatewayError(403, 'forbidden', 'the client address may not use this route');

export const definition: PolicyDefinition = {
  name: 'ip-restriction',
  priority: 100,
  compile(route) {
    const rules = route.ipRestriction;
    if (rules === undefined) return undefined;
    const deny = addressRulesOf(rules.deny ?? []);
    const allow = addressRulesOf(rules.allow ?? []);
    return (ctx) => {
      const ip = ctx.clientIp;
      if (deny !== undefined && deny.contains(ip)) return ipForbidden();
      if (allow !== undefined && !allow.contains(ip)) return ipForbidden();
      return undefined;
    };
  },
};
