// `ipRestriction`: the client address (ctx.clientIp: the socket peer, or the rightmost untrusted
// X-Forwarded-For hop behind a trusted proxy) checked against node:net BlockLists built once per config.
// deny wins; a non-empty allow list admits only its addresses. 403 otherwise.
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { GatewayError } from '../../errors.js';
import type { PolicyDefinition } from '../../pipeline/policy.js';
import { parseIpRule } from './schema.js';

export const ipForbidden = () => new GatewayError(403, 'forbidden', 'the client address may not use this route');

/** One BlockList per family: an IPv4 client is checked against IPv4 rules only (node would also match it against
 * IPv6 rules such as `::/0`), an IPv6 client against IPv6 rules; an IPv4-mapped IPv6 client counts as IPv4. */
export interface AddressRules {
  readonly v4: BlockList | undefined;
  readonly v6: BlockList | undefined;
}

export function addressRulesOf(rules: readonly string[]): AddressRules | undefined {
  let v4: BlockList | undefined;
  let v6: BlockList | undefined;
  for (const rule of rules) {
    const parsed = parseIpRule(rule);
    if (parsed === null) continue; // the schema refused it already
    const list = parsed.family === 'ipv4' ? (v4 ??= new BlockList()) : (v6 ??= new BlockList());
    if (parsed.prefix === (parsed.family === 'ipv4' ? 32 : 128)) list.addAddress(parsed.address, parsed.family);
    else list.addSubnet(parsed.address, parsed.prefix, parsed.family);
  }
  return v4 === undefined && v6 === undefined ? undefined : { v4, v6 };
}

/** Whether `ip` is covered by `rules`. */
function contains(rules: AddressRules, ip: string): boolean {
  if (isIPv4(ip)) return rules.v4?.check(ip, 'ipv4') === true;
  if (ip.startsWith('::ffff:') && isIPv4(ip.slice(7))) return rules.v4?.check(ip.slice(7), 'ipv4') === true;
  if (!isIPv6(ip)) return false; // not an address at all (never from a socket): matches nothing
  return rules.v6?.check(ip, 'ipv6') === true;
}

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
      if (deny !== undefined && contains(deny, ip)) return ipForbidden();
      if (allow !== undefined && !contains(allow, ip)) return ipForbidden();
      return undefined;
    };
  },
};
