// Redis counters shared by every gateway process: a Lua script checks all the counters of a request and
// increments them only when every one is under its limit, so concurrent gateways count exactly. The
// requests of one event-loop turn go to Redis as one script call: the script takes them in order, each
// all-or-nothing as alone, and Redis runs a script atomically, so the counts stay exact while the per-call
// cost (command parsing, script lookup, Lua entry, one reply) is paid once per turn instead of per request.
import type { CounterOutcome, CounterSpec, RateLimitBackend } from './backend.js';
import { RespError, type RespClient } from './resp-client.js';

// ARGV = per request: its counter count n, then n pairs (limit, ttlMs); KEYS = the requests' counter keys
// in the same order. Returns per request {1, count1, ..., countN} when allowed, {0, index (1-based), count}
// when denied, all in one flat array.
export const RATE_LIMIT_SCRIPT = `
local result = {}
local k = 0
local a = 1
while a <= #ARGV do
  local n = tonumber(ARGV[a])
  local denied = 0
  for i = 1, n do
    local count = tonumber(redis.call('GET', KEYS[k + i]) or '0')
    if count >= tonumber(ARGV[a + i * 2 - 1]) then
      result[#result + 1] = 0
      result[#result + 1] = i
      result[#result + 1] = count
      denied = i
      break
    end
  end
  if denied == 0 then
    result[#result + 1] = 1
    for i = 1, n do
      local count = redis.call('INCR', KEYS[k + i])
      if count == 1 then
        redis.call('PEXPIRE', KEYS[k + i], ARGV[a + i * 2])
      end
      result[#result + 1] = count
    end
  end
  k = k + n
  a = a + 1 + n * 2
end
return result
`;

/** Most requests in one script call: Redis runs a script alone, so a call stays short. */
const MAX_BATCH = 512;

interface Waiting {
  specs: readonly CounterSpec[];
  resolve: (outcome: CounterOutcome) => void;
  reject: (error: Error) => void;
}

/** Hands each waiting request its part of the script's flat reply. */
function settle(waiting: readonly Waiting[], reply: unknown): void {
  if (reply instanceof Error || !Array.isArray(reply)) {
    const error = reply instanceof Error ? reply : new RespError('unexpected rate-limit script reply');
    for (const entry of waiting) entry.reject(error);
    return;
  }
  const numbers = reply as unknown[];
  let position = 0;
  for (const entry of waiting) {
    const n = entry.specs.length;
    if (numbers[position] === 1 && position + n < numbers.length) {
      entry.resolve({ allowed: true, counts: numbers.slice(position + 1, position + 1 + n) as number[] });
      position += 1 + n;
    } else if (numbers[position] === 0 && typeof numbers[position + 1] === 'number' && typeof numbers[position + 2] === 'number') {
      entry.resolve({ allowed: false, index: (numbers[position + 1] as number) - 1, count: numbers[position + 2] as number });
      position += 3;
    } else {
      entry.reject(new RespError('unexpected rate-limit script reply'));
      position = numbers.length;
    }
  }
}

export function createRedisBackend(redis: RespClient): RateLimitBackend {
  let batch: Waiting[] = [];
  let scheduled = false;

  function send(waiting: readonly Waiting[]): void {
    const keys: string[] = [];
    const args: number[] = [];
    for (const { specs } of waiting) {
      args.push(specs.length);
      for (const spec of specs) {
        keys.push(spec.key);
        args.push(spec.limit, spec.ttlMs);
      }
    }
    redis.evalScript(RATE_LIMIT_SCRIPT, keys, args).then(
      (reply) => settle(waiting, reply),
      (error: Error) => {
        for (const entry of waiting) entry.reject(error);
      },
    );
  }

  function sendBatch(): void {
    scheduled = false;
    const waiting = batch;
    batch = [];
    for (let start = 0; start < waiting.length; start += MAX_BATCH) send(waiting.slice(start, start + MAX_BATCH));
    // Sent now rather than at the client's own end of turn, which comes one event-loop turn later from here.
    redis.flush();
  }

  return {
    hit(specs: readonly CounterSpec[]): Promise<CounterOutcome> {
      return new Promise((resolve, reject) => {
        batch.push({ specs, resolve, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(sendBatch);
        }
      });
    },
  };
}
