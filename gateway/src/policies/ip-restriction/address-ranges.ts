// Address rules as sorted, merged ranges searched by bisection: O(log n) per check and no allocation for an IPv4
// client. (node:net's BlockList checks rules one by one and builds a SocketAddress per string it is given:
// about 3 µs a check at best.) IPv4 ranges are numbers, IPv6 ranges BigInts.
import { isIPv4, isIPv6 } from 'node:net';
import { parseIpRule } from './schema.js';

/** `a.b.c.d` as an unsigned 32-bit number, or -1 when it is not one. */
export function ipv4Number(address: string): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < address.length; i++) {
    const code = address.charCodeAt(i);
    if (code === 46) {
      if (digits === 0 || ++dots > 3) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
    } else if (code >= 48 && code <= 57) {
      part = part * 10 + (code - 48);
      if (++digits > 3 || part > 255) return -1;
    } else return -1;
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + part;
}

/** An IPv6 address (with `::`, an embedded IPv4 tail, a zone) as a 128-bit BigInt, or undefined. */
export function ipv6Number(address: string): bigint | undefined {
  const zone = address.indexOf('%');
  const text = zone === -1 ? address : address.slice(0, zone);
  if (!isIPv6(text)) return undefined;
  let groups: string[];
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  let head = text;
  const extra: string[] = [];
  if (tail.includes('.')) {
    const v4 = ipv4Number(tail);
    if (v4 < 0) return undefined;
    extra.push(((v4 >>> 16) & 0xffff).toString(16), (v4 & 0xffff).toString(16));
    head = text.slice(0, lastColon + 1);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const double = head.indexOf('::');
  if (double === -1) groups = [...head.split(':').filter((g) => g !== ''), ...extra];
  else {
    const left = head.slice(0, double).split(':').filter((g) => g !== '');
    const right = [...head.slice(double + 2).split(':').filter((g) => g !== ''), ...extra];
    groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  }
  if (groups.length !== 8) return undefined;
  return BigInt(`0x${groups.map((g) => g.padStart(4, '0')).join('')}`);
}

interface Ranges<T> {
  starts: T[];
  ends: T[];
}

function merged<T extends number | bigint>(ranges: [T, T][]): Ranges<T> {
  ranges.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const starts: T[] = [];
  const ends: T[] = [];
  for (const [start, end] of ranges) {
    const last = ends.length - 1;
    if (last >= 0 && start <= (ends[last] as T)) {
      if (end > (ends[last] as T)) ends[last] = end;
    } else {
      starts.push(start);
      ends.push(end);
    }
  }
  return { starts, ends };
}

function inRanges<T extends number | bigint>(ranges: Ranges<T>, value: T): boolean {
  let low = 0;
  let high = ranges.starts.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    if (value < (ranges.starts[mid] as T)) high = mid - 1;
    else if (value > (ranges.ends[mid] as T)) low = mid + 1;
    else return true;
  }
  return false;
}

/** IPv4 rules and IPv6 rules, kept apart: an IPv4 client (or IPv4-mapped IPv6 client) meets IPv4 rules only. */
export interface AddressRules {
  contains(ip: string): boolean;
}

export function addressRulesOf(rules: readonly string[]): AddressRules | undefined {
  const v4: [number, number][] = [];
  const v6: [bigint, bigint][] = [];
  for (const rule of rules) {
    const parsed = parseIpRule(rule);
    if (parsed === null) continue; // the schema refused it already
    if (parsed.family === 'ipv4') {
      const size = 2 ** (32 - parsed.prefix);
      const start = Math.floor(ipv4Number(parsed.address) / size) * size;
      v4.push([start, start + size - 1]);
    } else {
      const address = ipv6Number(parsed.address);
      if (address === undefined) continue;
      const hostBits = BigInt(128 - parsed.prefix);
      const start = (address >> hostBits) << hostBits;
      v6.push([start, start + (1n << hostBits) - 1n]);
    }
  }
  if (v4.length === 0 && v6.length === 0) return undefined;
  const ranges4 = merged(v4);
  const ranges6 = merged(v6);
  return {
    contains(ip) {
      const n = ipv4Number(ip);
      if (n >= 0) return inRanges(ranges4, n);
      if (ip.startsWith('::ffff:') && isIPv4(ip.slice(7))) return inRanges(ranges4, ipv4Number(ip.slice(7)));
      if (ranges6.starts.length === 0) return false;
      const n6 = ipv6Number(ip);
      return n6 !== undefined && inRanges(ranges6, n6);
    },
  };
}
