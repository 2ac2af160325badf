import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createRedisBackend } from './redis-backend.js';
import { TEST_REDIS_URL } from '../../testing/redis-server.js';

// The shared Redis: every key here carries a random id, and only those keys are deleted.
const redis = new Redis(TEST_REDIS_URL, { enableAutoPipelining: true });
const prefix = `rl:test-${randomUUID()}`;
after(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

test('200 concurrent hits at limit 50 on one key: exactly 50 are allowed, counts 1..50 each once', async () => {
  const backend = createRedisBackend(redis);
  const key = `${prefix}:orders:ip:10.0.0.1:0`;
  const outcomes = await Promise.all(Array.from({ length: 200 }, () => backend.hit([{ key, limit: 50, ttlMs: 60_000 }])));
  const allowed = outcomes.filter((o) => o.allowed);
  assert.equal(allowed.length, 50);
  assert.deepEqual(allowed.map((o) => (o.allowed ? o.counts[0] : 0)).sort((a, b) => (a ?? 0) - (b ?? 0)), Array.from({ length: 50 }, (_, i) => i + 1));
  assert.equal(await redis.get(key), '50', 'refused requests do not count');
  const ttl = await redis.pttl(key);
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
  assert.equal(await redis.get(route), '1');
});
