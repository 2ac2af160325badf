// Redis counters shared by every gateway process: one Lua script per request checks all counters and
// increments them only when every one is under its limit, so concurrent gateways count exactly.
import type { Redis } from 'ioredis';
import type { CounterOutcome, CounterSpec, RateLimitBackend } from './backend.js';

// KEYS = counter keys; ARGV = limit1, ttlMs1, limit2, ttlMs2, ...
// Returns {1, count1, count2, ...} when allowed, {0, index (1-based), count} when denied.
export const RATE_LIMIT_SCRIPT = `
for i = 1, #KEYS do
  local count = tonumber(redis.call('GET', KEYS[i]) or '0')
  if count >= tonumber(ARGV[i * 2 - 1]) then
    return {0, i, count}
  end
end
local result = {1}
for i = 1, #KEYS do
  local count = redis.call('INCR', KEYS[i])
  if count == 1 then
    redis.call('PEXPIRE', KEYS[i], ARGV[i * 2])
  end
  result[i + 1] = count
end
return result
`;

type RateLimitCommand = (numKeys: number, ...args: (string | number)[]) => Promise<number[]>;

export function createRedisBackend(redis: Redis): RateLimitBackend {
  if (!('novagateRateLimit' in redis)) redis.defineCommand('novagateRateLimit', { lua: RATE_LIMIT_SCRIPT });
  const command = (redis as unknown as { novagateRateLimit: RateLimitCommand }).novagateRateLimit.bind(redis);
  return {
    async hit(specs: readonly CounterSpec[]): Promise<CounterOutcome> {
      const args: (string | number)[] = [];
      for (const spec of specs) args.push(spec.key);
      for (const spec of specs) args.push(spec.limit, spec.ttlMs);
      const reply = await command(specs.length, ...args);
      if (reply[0] === 1) return { allowed: true, counts: reply.slice(1) };
      return { allowed: false, index: (reply[1] as number) - 1, count: reply[2] as number };
    },
  };
}
