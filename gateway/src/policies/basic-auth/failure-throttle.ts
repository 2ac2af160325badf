// Failed basic-auth attempts per client IP (IPv6 per /64) in fixed one-minute windows: past `limit` the address gets 429 with
// Retry-After until its window ends, before any bcrypt runs. The map holds at most `maxAddresses` entries:
// expired windows go first, then the oldest, so a flood of distinct addresses costs bounded memory (it can
// push an address out early, which only forgets its count; the global bcrypt cap still bounds the work).

import { isIPv6 } from 'node:net';

/**
 * What failures are counted under: an IPv4 address itself (also written IPv4-mapped, `::ffff:a.b.c.d`), an
 * IPv6 address's /64, which one host usually owns, so a client cannot step through its own /64 to escape.
 */
export function throttleSubject(address: string): string {
  if (!isIPv6(address)) return address;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped !== null) return mapped[1] as string;
  const [head = '', tail] = address.split('::') as [string, string | undefined];
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups.slice(0, 4).map((group) => group.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

export interface FailureThrottleOptions {
  /** Failures allowed per address per window. */
  limit: number;
  windowMs: number;
  maxAddresses: number;
  /** Milliseconds since the epoch. */
  now: () => number;
}

interface Window {
  start: number;
  failures: number;
}

export class FailureThrottle {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly options: FailureThrottleOptions) {}

  /** Seconds until `address` may try again, or 0 when it may try now. */
  retryAfterSeconds(address: string): number {
    const window = this.windows.get(address);
    if (window === undefined) return 0;
    const now = this.options.now();
    const ends = window.start + this.options.windowMs;
    if (now >= ends) {
      this.windows.delete(address);
      return 0;
    }
    return window.failures >= this.options.limit ? Math.max(1, Math.ceil((ends - now) / 1000)) : 0;
  }

  /** Counts one failure (or one attempt not yet decided, see refund). */
  record(address: string): void {
    const now = this.options.now();
    const window = this.windows.get(address);
    if (window !== undefined && now < window.start + this.options.windowMs) {
      window.failures++;
      return;
    }
    if (window !== undefined) this.windows.delete(address);
    this.makeRoom(now);
    // Insertion order is window-start order, which makeRoom relies on.
    this.windows.set(address, { start: now, failures: 1 });
  }

  /** Takes back one count: an attempt counted up front that turned out to succeed. */
  refund(address: string): void {
    const window = this.windows.get(address);
    if (window !== undefined && window.failures > 0) window.failures--;
  }

  get size(): number {
    return this.windows.size;
  }

  private makeRoom(now: number): void {
    if (this.windows.size < this.options.maxAddresses) return;
    for (const [address, window] of this.windows) {
      if (this.windows.size < this.options.maxAddresses && now < window.start + this.options.windowMs) return;
      this.windows.delete(address);
    }
  }
}
