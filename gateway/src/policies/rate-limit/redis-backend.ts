// Redis counters shared by every gateway process: one Lua script per request checks all counters and
// increments them only when every one is under its limit, so concurrent gateways count exactly.
import type { CounterOutcome, CounterSpec, RateLimitBackend } from './backend.js';
import { RespError, type RespClient } from './resp-client.js';

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

export function createRedisBackend(redis: RespClient): RateLimitBackend {
  return {
    async hit(specs: readonly CounterSpec[]): Promise<CounterOutcome> {
      const keys: string[] = [];
      const args: number[] = [];
      for (const spec of specs) {
        keys.push(spec.key);
        args.push(spec.limit, spec.ttlMs);
      }
      const reply = await redis.evalScript(RATE_LIMIT_SCRIPT, keys, args);
      if (reply instanceof RespError) throw reply;
      if (!Array.isArray(reply) || reply.length < 2) throw new RespError('unexpected rate-limit script reply');
      const numbers = reply as number[];
      if (numbers[0] === 1) return { allowed: true, counts: numbers.slice(1) };
      return { allowed: false, index: (numbers[1] as number) - 1, count: numbers[2] as number };
    },
  };
}
