// `ipRestriction`: the client address (ctx.clientIp: the socket peer, or the rightmost untrusted
// X-Forwarded-For hop behind a trusted proxy) checked against node:net BlockLists built once per config.
// deny wins; a non-empty allow list admits only its addresses. 403 otherwise.
import { BlockList, isIPv4 } from 'node:net';
import { GatewayError } from '../../errors.js';
import type { PolicyDefinition } from '../../pipeline/policy.js';
import { parseIpRule } from './schema.js';

export const ipForbidden = () => new GatewayError(403, 'forbidden', 'the client address may not use this route');

export function blockListOf(rules: readonly string[]): BlockList {
  const list = new BlockList();
  for (const rule of rules) {
    const parsed = parseIpRule(rule);
    if (parsed === null) continue; // the schema refused it already
    if (parsed.prefix === (parsed.family === 'ipv4' ? 32 : 128)) list.addAddress(parsed.address, parsed.family);
    else list.addSubnet(parsed.address, parsed.prefix, parsed.family);
  }
  return list;
}

/** Whether `ip` is in `list`; an IPv4-mapped IPv6 address also counts as its IPv4 address. */
function contains(list: BlockList, ip: string): boolean {
  if (isIPv4(ip)) return list.check(ip, 'ipv4');
  if (ip.startsWith('::ffff:') && isIPv4(ip.slice(7))) return list.check(ip.slice(7), 'ipv4') || list.check(ip, 'ipv6');
  try {
    return list.check(ip, 'ipv6');
  } catch {
    return false; // not an address at all (never from a socket): matches nothing
  }
}

export const definition: PolicyDefinition = {
  name: 'ip-restriction',
  priority: 100,
  compile(route) {
    const rules = route.ipRestriction;
    if (rules === undefined) return undefined;
    const deny = rules.deny !== undefined && rules.deny.length > 0 ? blockListOf(rules.deny) : undefined;
    const allow = rules.allow !== undefined && rules.allow.length > 0 ? blockListOf(rules.allow) : undefined;
    return (ctx) => {
      const ip = ctx.clientIp;
      if (deny !== undefined && contains(deny, ip)) return ipForbidden();
      if (allow !== undefined && !contains(allow, ip)) return ipForbidden();
      return undefined;
    };
  },
};
