// Which resolved addresses a JWKS fetch may connect to (DESIGN §10): never link-local (IPv4 169.254/16, IPv6
// fe80::/10, where every cloud's instance metadata lives), never a known cloud-metadata address, never an
// unspecified or multicast address, including those spelled as IPv4-mapped or NAT64 IPv6. Loopback and private
// ranges stay allowed: an in-cluster IdP is a legitimate JWKS source. Pure: no I/O.
import { isIP } from 'node:net';

/** Cloud instance-metadata endpoints outside 169.254/16 and fe80::/10. */
const METADATA_V4: ReadonlySet<string> = new Set(['100.100.100.200', '168.63.129.16', '192.0.0.192']);

function ipv4Octets(address: string): number[] | undefined {
  const parts = address.split('.');
  if (parts.length !== 4) return undefined;
  const octets = parts.map(Number);
  return octets.every((o, i) => Number.isInteger(o) && o >= 0 && o <= 255 && String(o) === parts[i]) ? octets : undefined;
}

function ipv4Refusal(address: string): string | undefined {
  const o = ipv4Octets(address);
  if (o === undefined) return 'not an address';
  const [a, b] = o as [number, number, number, number];
  if (a === 169 && b === 254) return 'link-local';
  if (METADATA_V4.has(address)) return 'cloud metadata';
  if (a === 0) return 'unspecified';
  if (a >= 224) return 'multicast or reserved';
  return undefined;
}

/** The 8 groups of an IPv6 address, or undefined. */
function ipv6Groups(address: string): number[] | undefined {
  let text = address.toLowerCase();
  const zone = text.indexOf('%');
  if (zone !== -1) text = text.slice(0, zone);
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    const v4 = ipv4Octets(text.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    tail = [((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number)];
    text = `${text.slice(0, lastColon + 1)}${tail.length > 0 ? '0:0' : ''}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((group) => (/^[0-9a-f]{1,4}$/.test(group) ? parseInt(group, 16) : NaN)));
  const head = parse(halves[0] as string);
  const rest = halves.length === 2 ? parse(halves[1] as string) : [];
  const missing = 8 - head.length - rest.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return undefined;
  const groups = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...rest];
  if (tail.length > 0) groups.splice(6, 2, ...tail);
  return groups.length === 8 && groups.every((g) => Number.isInteger(g)) ? groups : undefined;
}

function ipv6Refusal(address: string): string | undefined {
  const g = ipv6Groups(address);
  if (g === undefined) return 'not an address';
  const embeddedV4 = () => `${(g[6] as number) >> 8}.${(g[6] as number) & 255}.${(g[7] as number) >> 8}.${(g[7] as number) & 255}`;
  const first = g[0] as number;
  if ((first & 0xffc0) === 0xfe80) return 'link-local';
  if ((first & 0xff00) === 0xff00) return 'multicast or reserved';
  // AWS's IPv6 instance metadata endpoint, fd00:ec2::254.
  if (first === 0xfd00 && g[1] === 0x0ec2 && g.slice(2, 7).every((x) => x === 0) && g[7] === 0x254) return 'cloud metadata';
  if (g.every((x) => x === 0)) return 'unspecified';
  // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible) and 64:ff9b::a.b.c.d (NAT64) reach an IPv4 address.
  const mapped = g.slice(0, 5).every((x) => x === 0) && (g[5] === 0xffff || g[5] === 0);
  const nat64 = first === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0);
  if ((mapped && !(g[5] === 0 && g[6] === 0)) || nat64) return ipv4Refusal(embeddedV4());
  return undefined;
}

/** Why a fetch must not connect to `address` (an IP literal), or undefined when it may. */
export function addressRefusal(address: string): string | undefined {
  const family = isIP(address.includes('%') ? address.slice(0, address.indexOf('%')) : address);
  if (family === 4) return ipv4Refusal(address);
  if (family === 6) return ipv6Refusal(address);
  return 'not an address';
}
