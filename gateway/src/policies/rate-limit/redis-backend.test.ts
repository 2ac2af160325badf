import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createRedisBackend } from './redis-backend.js';
import { createRespClient, parseReply, RespError, type RespClient } from './resp-client.js';
import { TEST_REDIS_URL } from '../../testing/redis-server.js';

// The shared Redis: every key here carries a random id, and only those keys are deleted.
let markReady!: () => void;
const ready = new Promise<void>((resolve) => (markReady = resolve));
const redis = createRespClient(TEST_REDIS_URL, { onReady: () => markReady() });
const prefix = `rl:test-${randomUUID()}`;
before(() => ready);
after(async () => {
  const keys = (await redis.command(['KEYS', `${prefix}*`])) as string[];
  if (keys.length > 0) await redis.command(['DEL', ...keys]);
  redis.close();
});

test('RESP replies are parsed whole or not at all', () => {
  const reply = Buffer.from('*3\r\n:1\r\n$5\r\nhello\r\n*2\r\n+OK\r\n-ERR bad\r\n');
  const parsed = parseReply(reply, 0);
  assert.equal(parsed?.next, reply.length);
  const [one, hello, nested] = parsed?.value as [number, string, [string, RespError]];
  assert.deepEqual([one, hello, nested[0]], [1, 'hello', 'OK']);
  assert.ok(nested[1] instanceof RespError && nested[1].message === 'ERR bad');
  for (let cut = 1; cut < reply.length; cut++) assert.equal(parseReply(reply.subarray(0, cut), 0), undefined, `cut at ${cut}`);
  assert.deepEqual(parseReply(Buffer.from('$-1\r\n'), 0), { value: null, next: 5 });
});

test('RESP integers are read in place: negative, multi-digit, and in arrays', () => {
  assert.deepEqual(parseReply(Buffer.from(':-42\r\n'), 0), { value: -42, next: 6 });
  assert.deepEqual(parseReply(Buffer.from('*2\r\n:1\r\n:1234567890\r\n'), 0)?.value, [1, 1234567890]);
  assert.deepEqual(parseReply(Buffer.from('$3\r\nabc\r\n'), 0), { value: 'abc', next: 9 });
  assert.deepEqual(parseReply(Buffer.from('*-1\r\n'), 0), { value: null, next: 5 });
});

test('200 concurrent hits at limit 50 on one key: exactly 50 are allowed, counts 1..50 each once', async () => {
  const backend = createRedisBackend(redis);
  const key = `${prefix}:orders:ip:10.0.0.1:0`;
  const outcomes = await Promise.all(Array.from({ length: 200 }, () => backend.hit([{ key, limit: 50, ttlMs: 60_000 }])));
  const allowed = outcomes.filter((o) => o.allowed);
  assert.equal(allowed.length, 50);
  assert.deepEqual(allowed.map((o) => (o.allowed ? o.counts[0] : 0)).sort((a, b) => (a ?? 0) - (b ?? 0)), Array.from({ length: 50 }, (_, i) => i + 1));
  assert.equal(await redis.command(['GET', key]), '50', 'refused requests do not count');
  const ttl = (await redis.command(['PTTL', key])) as number;
  assert.ok(ttl > 0 && ttl <= 60_000, `the key expires (pttl ${ttl})`);
});

test('two counters are checked and counted together: a full one stops the other from counting', async () => {
  const backend = createRedisBackend(redis);
  const route = `${prefix}:orders:mobile:0`;
  const consumer = `${prefix}:*:mobile:0`;
  const specs = [
    { key: route, limit: 10, ttlMs: 60_000 },
    { key: consumer, limit: 1, ttlMs: 60_000 },
  ];
  assert.deepEqual(await backend.hit(specs), { allowed: true, counts: [1, 1] });
  assert.deepEqual(await backend.hit(specs), { allowed: false, index: 1, count: 1 });
  assert.equal(await redis.command(['GET', route]), '1');
});

test('the hits of one event-loop turn go to Redis in one script call, each request all-or-nothing and in order', async () => {
  let calls = 0;
  const counting: RespClient = {
    ...redis,
    evalScript: (script, keys, args) => {
      calls++;
      return redis.evalScript(script, keys, args);
    },
  };
  const backend = createRedisBackend(counting);
  const route = `${prefix}:batch:mobile:0`;
  const consumer = `${prefix}:*:batch-mobile:0`;
  const single = `${prefix}:batch:ip:10.0.0.9:0`;
  const both = [
    { key: route, limit: 10, ttlMs: 60_000 },
    { key: consumer, limit: 1, ttlMs: 60_000 },
  ];
  const outcomes = await Promise.all([
    backend.hit(both),
    backend.hit(both),
    backend.hit([both[0] as (typeof both)[0]]),
    backend.hit([{ key: single, limit: 1, ttlMs: 60_000 }]),
    backend.hit([{ key: single, limit: 1, ttlMs: 60_000 }]),
  ]);
  assert.equal(calls, 1);
  assert.deepEqual(outcomes, [
    { allowed: true, counts: [1, 1] },
    { allowed: false, index: 1, count: 1 },
    { allowed: true, counts: [2] },
    { allowed: true, counts: [1] },
    { allowed: false, index: 0, count: 1 },
  ]);
  assert.equal(await redis.command(['GET', route]), '2', 'the refused request counted on neither counter');
  assert.equal(await redis.command(['GET', single]), '1');
  assert.deepEqual(await backend.hit([{ key: single, limit: 2, ttlMs: 60_000 }]), { allowed: true, counts: [2] });
  assert.equal(calls, 2, 'a later turn makes its own call');
});

test('a batch whose script call fails rejects every request of it', async () => {
  const failing: RespClient = { ...redis, evalScript: () => Promise.resolve(new RespError('ERR something')) };
  const backend = createRedisBackend(failing);
  const results = await Promise.allSettled([backend.hit([{ key: `${prefix}:x`, limit: 1, ttlMs: 1_000 }]), backend.hit([{ key: `${prefix}:y`, limit: 1, ttlMs: 1_000 }])]);
  assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
});
