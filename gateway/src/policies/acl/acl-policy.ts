// `acl`: after authentication, lets a request through by its consumer's groups. allow: the consumer must be in
// one of the groups; deny: in none of them. A request with no identified consumer is refused either way (an
// ACL on a route is about who is calling, and an unknown caller's groups are unknown).
import { GatewayError } from '../../errors.js';
import type { PolicyDefinition } from '../../pipeline/policy.js';

export const aclForbidden = () => new GatewayError(403, 'forbidden', 'this consumer may not use this route');

export const definition: PolicyDefinition = {
  name: 'acl',
  priority: 400,
  compile(route) {
    const acl = route.acl;
    if (acl === undefined) return undefined;
    const allow = acl.allow === undefined ? undefined : new Set(acl.allow);
    const deny = new Set(acl.deny ?? []);
    return (ctx) => {
      const consumer = ctx.consumer;
      if (consumer === undefined) return aclForbidden();
      const groups = consumer.groups ?? [];
      if (allow !== undefined) {
        for (const group of groups) if (allow.has(group)) return undefined;
        return aclForbidden();
      }
      for (const group of groups) if (deny.has(group)) return aclForbidden();
      return undefined;
    };
  },
};
