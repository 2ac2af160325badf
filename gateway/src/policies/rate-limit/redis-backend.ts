// Redis counters shared by every gateway process: a Lua script checks all the counters of a request and
// increments them only when every one is under its limit, so concurrent gateways count exactly. The
// requests of one event-loop turn go to Redis as one script call, and requests with the same counters
// (the same consumer or client on the same route) are counted as a group: the script reads the group's
// counters once, allows as many of its requests as every counter has room for, and adds that number once.
// That is what taking the group's requests one by one would give, and Redis runs a script atomically, so
// the counts stay exact across processes while a hot consumer costs Redis a few commands per turn.
import type { CounterOutcome, CounterSpec, RateLimitBackend } from './backend.js';
import { RespError, type RespClient } from '../../redis/resp-client.js';

// ARGV = per group: its request count, its counter count n, then n pairs (limit, ttlMs); KEYS = the
// groups' counter keys in the same order. Returns per group the number of requests allowed, then the n
// counts before them, all in one flat array.
export const RATE_LIMIT_SCRIPT = `
local result = {}
local k = 0
local a = 1
while a <= #ARGV do
  local requests = tonumber(ARGV[a])
  local n = tonumber(ARGV[a + 1])
  local allowed = requests
  local before = {}
  for i = 1, n do
    local count = tonumber(redis.call('GET', KEYS[k + i]) or '0')
    before[i] = count
    local room = tonumber(ARGV[a + i * 2]) - count
    if room < allowed then
      allowed = room
    end
  end
  if allowed < 0 then
    allowed = 0
  end
  if allowed > 0 then
    for i = 1, n do
      redis.call('INCRBY', KEYS[k + i], allowed)
      if before[i] == 0 then
        redis.call('PEXPIRE', KEYS[k + i], ARGV[a + i * 2 + 1])
      end
    end
  end
  result[#result + 1] = allowed
  for i = 1, n do
    result[#result + 1] = before[i]
  end
  k = k + n
  a = a + 2 + n * 2
end
return result
`;

/** Most groups in one script call: Redis runs a script alone, so a call stays short. */
const MAX_GROUPS = 512;

interface Waiting {
  resolve: (outcome: CounterOutcome) => void;
  reject: (error: Error) => void;
}

/** Requests of one turn with the same counters (keys, limits and lifetimes), in arrival order. */
interface Group {
  specs: readonly CounterSpec[];
  waiting: Waiting[];
}

function signatureOf(specs: readonly CounterSpec[]): string {
  let signature = '';
  for (const spec of specs) signature += `${spec.key}\u0000${spec.limit}\u0000${spec.ttlMs}\u0001`;
  return signature;
}

/**
 * The outcome of the `index`-th request (0-based) of a group whose counters stood at `before` and of which
 * `allowed` requests passed: what the request would have seen had the group's requests gone one by one.
 */
export function groupOutcome(specs: readonly CounterSpec[], before: readonly number[], allowed: number, index: number): CounterOutcome | undefined {
  if (index < allowed) return { allowed: true, counts: before.map((count) => count + index + 1) };
  for (let i = 0; i < specs.length; i++) {
    const count = (before[i] as number) + allowed;
    if (count >= (specs[i] as CounterSpec).limit) return { allowed: false, index: i, count };
  }
  return undefined;
}

/** Hands each request of each group its outcome from the script's flat reply. */
function settle(groups: readonly Group[], reply: unknown): void {
  const rejectAll = (error: Error) => {
    for (const group of groups) for (const entry of group.waiting) entry.reject(error);
  };
  if (reply instanceof Error) return rejectAll(reply);
  if (!Array.isArray(reply)) return rejectAll(new RespError('unexpected rate-limit script reply'));
  const numbers = reply as unknown[];
  let position = 0;
  for (const group of groups) {
    const n = group.specs.length;
    const allowed = numbers[position];
    const before = numbers.slice(position + 1, position + 1 + n);
    position += 1 + n;
    const wellFormed = typeof allowed === 'number' && before.length === n && before.every((count) => typeof count === 'number');
    group.waiting.forEach((entry, index) => {
      const outcome = wellFormed ? groupOutcome(group.specs, before as number[], allowed, index) : undefined;
      if (outcome === undefined) entry.reject(new RespError('unexpected rate-limit script reply'));
      else entry.resolve(outcome);
    });
  }
}

export function createRedisBackend(redis: RespClient): RateLimitBackend {
  let batch = new Map<string, Group>();
  let scheduled = false;

  function send(groups: readonly Group[]): void {
    const keys: string[] = [];
    const args: number[] = [];
    for (const { specs, waiting } of groups) {
      args.push(waiting.length, specs.length);
      for (const spec of specs) {
        keys.push(spec.key);
        args.push(spec.limit, spec.ttlMs);
      }
    }
    redis.evalScript(RATE_LIMIT_SCRIPT, keys, args).then(
      (reply) => settle(groups, reply),
      (error: Error) => {
        for (const group of groups) for (const entry of group.waiting) entry.reject(error);
      },
    );
  }

  function sendBatch(): void {
    scheduled = false;
    const groups = [...batch.values()];
    batch = new Map();
    for (let start = 0; start < groups.length; start += MAX_GROUPS) send(groups.slice(start, start + MAX_GROUPS));
    // Sent now rather than at the client's own end of turn, which comes one event-loop turn later from here.
    redis.flush();
  }

  return {
    hit(specs: readonly CounterSpec[]): Promise<CounterOutcome> {
      return new Promise((resolve, reject) => {
        const signature = signatureOf(specs);
        let group = batch.get(signature);
        if (group === undefined) {
          group = { specs, waiting: [] };
          batch.set(signature, group);
        }
        group.waiting.push({ resolve, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(sendBatch);
        }
      });
    },
  };
}
