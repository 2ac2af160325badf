// Fixed-window request throttling and cooldowns for the /auth endpoints: in Redis when there is one (shared by
// every replica), in memory otherwise. Keys are hashed so an email never appears in Redis in clear.
import type { Redis } from 'ioredis';
import { sha256Hex } from '../tenancy/api-key-format.js';

export interface ThrottleRule {
  limit: number;
  windowSeconds: number;
}

export interface ThrottleDecision {
  allowed: boolean;
  retryAfterSeconds: number;
  /** Attempts counted in the current window (this one included, for `hit`). */
  count: number;
}

export interface Throttle {
  /** Counts one attempt against `key` and says whether it is within `rule`. */
  hit(key: string, rule: ThrottleRule): Promise<ThrottleDecision>;
  /** Says whether one more attempt against `key` would be within `rule`, without counting it. */
  peek(key: string, rule: ThrottleRule): Promise<ThrottleDecision>;
  /** Starts (or restarts) a cooldown of `ms` on `key`. */
  startCooldown(key: string, ms: number): Promise<void>;
  /** What is left of `key`'s cooldown, in ms (0 when none). */
  cooldownMs(key: string): Promise<number>;
}

const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('PTTL', KEYS[1])}
`;

function throttleKey(key: string): string {
  return `throttle:${sha256Hex(key)}`;
}

function cooldownKey(key: string): string {
  return `throttle:cooldown:${sha256Hex(key)}`;
}

export function createRedisThrottle(redis: Redis): Throttle {
  const decide = (count: number, ttlMs: number, rule: ThrottleRule, allowedUpTo: number): ThrottleDecision => ({
    allowed: count <= allowedUpTo,
    count,
    retryAfterSeconds: Math.max(1, Math.ceil((ttlMs > 0 ? ttlMs : rule.windowSeconds * 1000) / 1000)),
  });
  return {
    async hit(key, rule) {
      const [count, ttlMs] = (await redis.eval(HIT_SCRIPT, 1, throttleKey(key), rule.windowSeconds * 1000)) as [number, number];
      return decide(count, ttlMs, rule, rule.limit);
    },
    async peek(key, rule) {
      const id = throttleKey(key);
      const [[, count], [, ttlMs]] = (await redis.multi().get(id).pttl(id).exec()) as [[unknown, string | null], [unknown, number]];
      return decide(Number(count ?? 0), ttlMs, rule, rule.limit - 1);
    },
    async startCooldown(key, ms) {
      if (ms > 0) await redis.set(cooldownKey(key), '1', 'PX', Math.ceil(ms));
    },
    async cooldownMs(key) {
      return Math.max(0, await redis.pttl(cooldownKey(key)));
    },
  };
}

export function createMemoryThrottle(now: () => number = Date.now): Throttle {
  const windows = new Map<string, { count: number; resetAt: number }>();
  const cooldowns = new Map<string, number>();
  return {
    async peek(key, rule) {
      const at = now();
      const window = windows.get(throttleKey(key));
      const live = window !== undefined && window.resetAt > at;
      return {
        allowed: !live || window.count < rule.limit,
        count: live ? window.count : 0,
        retryAfterSeconds: Math.max(1, Math.ceil((live ? window.resetAt - at : rule.windowSeconds * 1000) / 1000)),
      };
    },
    async startCooldown(key, ms) {
      const at = now();
      if (cooldowns.size > 100_000) for (const [k, until] of cooldowns) if (until <= at) cooldowns.delete(k);
      if (ms > 0) cooldowns.set(cooldownKey(key), at + ms);
    },
    async cooldownMs(key) {
      return Math.max(0, (cooldowns.get(cooldownKey(key)) ?? 0) - now());
    },
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
      return { allowed: window.count <= rule.limit, count: window.count, retryAfterSeconds: Math.max(1, Math.ceil((window.resetAt - at) / 1000)) };
    },
  };
}
