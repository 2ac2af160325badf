// The client IP of DESIGN §4: the socket peer, or, when the peer is a trusted proxy, the rightmost
// X-Forwarded-For address that is not trusted.
import { BlockList, isIPv4, isIPv6 } from 'node:net';

/** Parses TRUSTED_PROXIES (`10.0.0.0/8, 127.0.0.1, ::1`); throws with the bad entry named. */
export function parseTrustedProxies(value: string): BlockList | undefined {
  const entries = value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  if (entries.length === 0) return undefined;
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefix] = entry.split('/') as [string, string | undefined];
    const type = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : undefined;
    if (type === undefined) throw new Error(`'${entry}' is not an IP address or CIDR range`);
    if (prefix === undefined) {
      list.addAddress(address, type);
    } else {
      const bits = Number(prefix);
      if (!/^\d+$/.test(prefix) || bits > (type === 'ipv4' ? 32 : 128)) throw new Error(`'${entry}' has a bad prefix length`);
      list.addSubnet(address, bits, type);
    }
  }
  return list;
}

/** `::ffff:1.2.3.4` → `1.2.3.4`. */
export function plainAddress(address: string | undefined): string {
  if (address === undefined) return '';
  return address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address;
}

function isTrusted(list: BlockList, address: string): boolean {
  if (isIPv4(address)) return list.check(address, 'ipv4');
  if (isIPv6(address)) return list.check(address, 'ipv6');
  return false;
}

export interface ClientAddress {
  peer: string;
  peerTrusted: boolean;
  clientIp: string;
}

export function clientAddress(
  remoteAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  trusted: BlockList | undefined,
): ClientAddress {
  const peer = plainAddress(remoteAddress);
  if (trusted === undefined || !isTrusted(trusted, peer)) return { peer, peerTrusted: false, clientIp: peer };
  if (forwardedFor === undefined) return { peer, peerTrusted: true, clientIp: peer };
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',');
  let clientIp = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = plainAddress((hops[i] as string).trim());
    if (!isIPv4(hop) && !isIPv6(hop)) break;
    clientIp = hop;
    if (!isTrusted(trusted, hop)) break;
  }
  return { peer, peerTrusted: true, clientIp };
}
