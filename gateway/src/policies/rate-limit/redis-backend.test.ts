import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createRedisBackend, groupOutcome } from './redis-backend.js';
import type { CounterOutcome, CounterSpec } from './backend.js';
import { createRespClient, RespError, type RespClient } from '../../redis/resp-client.js';
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

test('a group of requests with the same counters gets, request by request, what one-by-one counting gives', () => {
  // The one-request-at-a-time rule of the script before grouping: all counters under their limit, then all +1.
  function oneByOne(specs: CounterSpec[], start: number[], requests: number): CounterOutcome[] {
    const counts = [...start];
    const outcomes: CounterOutcome[] = [];
    for (let r = 0; r < requests; r++) {
      const full = specs.findIndex((spec, i) => (counts[i] as number) >= spec.limit);
      if (full !== -1) {
        outcomes.push({ allowed: false, index: full, count: counts[full] as number });
        continue;
      }
      for (let i = 0; i < counts.length; i++) counts[i] = (counts[i] as number) + 1;
      outcomes.push({ allowed: true, counts: [...counts] });
    }
    return outcomes;
  }
  let seed = 7;
  const random = (below: number) => ((seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0) >>> 16) % below;
  for (let trial = 0; trial < 2_000; trial++) {
    const n = 1 + random(3);
    const specs = Array.from({ length: n }, (_, i) => ({ key: `k${i}`, limit: 1 + random(8), ttlMs: 1_000 }));
    const before = specs.map((spec) => random(spec.limit + 3));
    const requests = 1 + random(10);
    const allowed = Math.max(0, Math.min(requests, ...specs.map((spec, i) => spec.limit - (before[i] as number))));
    const grouped = Array.from({ length: requests }, (_, index) => groupOutcome(specs, before, allowed, index));
    assert.deepEqual(grouped, oneByOne(specs, before, requests), JSON.stringify({ specs, before, requests }));
  }
});

test('a group stops at the counter with the least room and counts only the requests it allowed', async () => {
  const backend = createRedisBackend(redis);
  const route = `${prefix}:group:mobile:0`;
  const consumer = `${prefix}:*:group-mobile:0`;
  await redis.command(['SET', route, 8]);
  const specs = [
    { key: route, limit: 10, ttlMs: 60_000 },
    { key: consumer, limit: 100, ttlMs: 60_000 },
  ];
  const outcomes = await Promise.all(Array.from({ length: 5 }, () => backend.hit(specs)));
  assert.deepEqual(outcomes, [
    { allowed: true, counts: [9, 1] },
    { allowed: true, counts: [10, 2] },
    { allowed: false, index: 0, count: 10 },
    { allowed: false, index: 0, count: 10 },
    { allowed: false, index: 0, count: 10 },
  ]);
  assert.equal(await redis.command(['GET', route]), '10');
  assert.equal(await redis.command(['GET', consumer]), '2');
  const ttl = (await redis.command(['PTTL', consumer])) as number;
  assert.ok(ttl > 0 && ttl <= 60_000, `a counter the group created expires (pttl ${ttl})`);
});
