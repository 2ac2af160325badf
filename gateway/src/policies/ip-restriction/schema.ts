// `ipRestriction {allow, deny}`: IPv4 and IPv6 addresses and CIDRs (DESIGN §10).
import { isIP } from 'node:net';
import { z } from 'zod';

/** Entries per list: node's BlockList checks rules one by one, so the list is bounded. */
export const MAX_IP_RULES = 1024;

/** Parses `10.0.0.0/8`, `2001:db8::/32` or a bare address; null when it is neither. */
export function parseIpRule(value: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | null {
  if (value.length > 64) return null;
  const slash = value.indexOf('/');
  const address = slash === -1 ? value : value.slice(0, slash);
  const version = isIP(address);
  if (version === 0) return null;
  const max = version === 4 ? 32 : 128;
  let prefix = max;
  if (slash !== -1) {
    const digits = value.slice(slash + 1);
    if (!/^[0-9]{1,3}$/.test(digits)) return null;
    prefix = Number(digits);
    if (prefix > max) return null;
  }
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

const ipRule = z.string().refine((value) => parseIpRule(value) !== null, { message: 'must be an IPv4 or IPv6 address or CIDR (10.0.0.0/8, 2001:db8::/32)' });

export const ipRestrictionSchema = z
  .strictObject({
    allow: z.array(ipRule).max(MAX_IP_RULES).optional(),
    deny: z.array(ipRule).max(MAX_IP_RULES).optional(),
  })
  .refine((rules) => (rules.allow?.length ?? 0) + (rules.deny?.length ?? 0) > 0, { message: 'needs at least one address in allow or deny' });

export type IpRestrictionConfig = z.infer<typeof ipRestrictionSchema>;
