// Fixed-window request throttling for the /auth endpoints: in Redis when there is one (shared by every
// replica), in memory otherwise. Keys are hashed so an email never appears in Redis in clear.
import type { Redis } from 'ioredis';
import { sha256Hex } from './api-keys.js';

export interface ThrottleRule {
  limit: number;
  windowSeconds: number;
}

export interface ThrottleDecision {
  allowed: boolean;
  retryAfterSeconds: number;
}

export interface Throttle {
  /** Counts one attempt against `key` and says whether it is within `rule`. */
  hit(key: string, rule: ThrottleRule): Promise<ThrottleDecision>;
}

const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('PTTL', KEYS[1])}
`;

function throttleKey(key: string): string {
  return `throttle:${sha256Hex(key)}`;
}

export function createRedisThrottle(redis: Redis): Throttle {
  return {
    async hit(key, rule) {
      const [count, ttlMs] = (await redis.eval(HIT_SCRIPT, 1, throttleKey(key), rule.windowSeconds * 1000)) as [number, number];
      const retryAfterSeconds = Math.max(1, Math.ceil((ttlMs > 0 ? ttlMs : rule.windowSeconds * 1000) / 1000));
      return { allowed: count <= rule.limit, retryAfterSeconds };
    },
  };
}

export function createMemoryThrottle(now: () => number = Date.now): Throttle {
  const windows = new Map<string, { count: number; resetAt: number }>();
  return {
    async hit(key, rule) {
      const at = now();
      const id = throttleKey(key);
      let window = windows.get(id);
      if (window === undefined || window.resetAt <= at) {
        if (windows.size > 100_000) for (const [k, w] of windows) if (w.resetAt <= at) windows.delete(k);
        window = { count: 0, resetAt: at + rule.windowSeconds * 1000 };
        windows.set(id, window);
      }
      window.count += 1;
      return { allowed: window.count <= rule.limit, retryAfterSeconds: Math.max(1, Math.ceil((window.resetAt - at) / 1000)) };
    },
  };
}
