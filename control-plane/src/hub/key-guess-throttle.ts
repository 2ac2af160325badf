// Throttles gateway-key guessing: failed key checks are counted per client address in a fixed window, and
// past the limit the address is answered 429 at the upgrade until its window ends. Only failures count, so any
// number of gateways behind one NAT address connect freely with good keys. Kept in memory per replica: a
// guesser spread over N replicas gets N times the limit, which still turns thousands of guesses per second into
// a handful per minute against a 128-bit secret. IPv6 clients are counted per /64, which one host usually owns.
import { isIPv6 } from 'node:net';

export interface KeyGuessRule {
  failures: number;
  windowMs: number;
  /** Addresses remembered at most; past it expired windows are swept, then the oldest forgotten. */
  maxAddresses: number;
}

export const DEFAULT_KEY_GUESS_RULE: KeyGuessRule = { failures: 20, windowMs: 60_000, maxAddresses: 100_000 };

export type KeyGuessDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number; firstRefusal: boolean };

export interface KeyGuessThrottle {
  /** Whether `address` may try a key now. Does not count anything. */
  check(address: string): KeyGuessDecision;
  /** Counts one failed key check from `address`. */
  failed(address: string): void;
  /** Addresses currently remembered. */
  tracked(): number;
}

/** The throttling subject of an address: itself for IPv4, its /64 for IPv6. */
export function addressSubject(address: string): string {
  if (!isIPv6(address)) return address;
  const [head = '', tail] = address.split('::') as [string, string | undefined];
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups.slice(0, 4).map((group) => group.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

interface Window {
  failures: number;
  resetAt: number;
  refusedOnce: boolean;
}

export function createKeyGuessThrottle(rule: KeyGuessRule = DEFAULT_KEY_GUESS_RULE, clock: () => number = Date.now): KeyGuessThrottle {
  const windows = new Map<string, Window>();

  function current(subject: string, now: number): Window | undefined {
    const window = windows.get(subject);
    if (window !== undefined && window.resetAt <= now) {
      windows.delete(subject);
      return undefined;
    }
    return window;
  }

  function makeRoom(now: number): void {
    if (windows.size < rule.maxAddresses) return;
    for (const [subject, window] of windows) if (window.resetAt <= now) windows.delete(subject);
    for (const subject of windows.keys()) {
      if (windows.size < rule.maxAddresses) break;
      windows.delete(subject);
    }
  }

  return {
    check(address) {
      const now = clock();
      const window = current(addressSubject(address), now);
      if (window === undefined || window.failures < rule.failures) return { allowed: true };
      const firstRefusal = !window.refusedOnce;
      window.refusedOnce = true;
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((window.resetAt - now) / 1000)), firstRefusal };
    },
    failed(address) {
      const now = clock();
      const subject = addressSubject(address);
      let window = current(subject, now);
      if (window === undefined) {
        makeRoom(now);
        window = { failures: 0, resetAt: now + rule.windowMs, refusedOnce: false };
        windows.set(subject, window);
      }
      window.failures += 1;
    },
    tracked: () => windows.size,
  };
}
