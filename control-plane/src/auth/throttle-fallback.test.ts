import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { createRedisHealth } from '../redis/health.js';
import { createLogger } from '../telemetry/logger.js';
import { createFallbackThrottle } from './throttle-fallback.js';
import { createMemoryThrottle, type Throttle } from './throttle.js';

test('while the shared throttle fails, hits count in memory (still limited), with one warning and a counted fallback each', async () => {
  const lines: string[] = [];
  const logger = createLogger('debug', new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) }));
  const registry = new Registry();
  let redisUp = true;
  const memoryForShared = createMemoryThrottle();
  const up = <T>(call: () => Promise<T>): Promise<T> => (redisUp ? call() : Promise.reject(new Error('Connection is closed.')));
  const shared: Throttle = {
    hit: (key, rule) => up(() => memoryForShared.hit(key, rule)),
    peek: (key, rule) => up(() => memoryForShared.peek(key, rule)),
    startCooldown: (key, ms) => up(() => memoryForShared.startCooldown(key, ms)),
    cooldownMs: (key) => up(() => memoryForShared.cooldownMs(key)),
  };
  const health = createRedisHealth({ logger, registry, ping: async () => (redisUp ? 'PONG' : Promise.reject(new Error('down'))) });
  const throttle = createFallbackThrottle(shared, createMemoryThrottle(), health);
  const rule = { limit: 2, windowSeconds: 60 };
  assert.equal((await throttle.hit('login:bob', rule)).allowed, true);
  redisUp = false;
  const during = [];
  for (let i = 0; i < 3; i++) during.push((await throttle.hit('login:bob', rule)).allowed);
  assert.deepEqual(during, [true, true, false], 'the fallback still limits');
  assert.equal(lines.filter((l) => l.includes('redis is unreachable')).length, 1);
  assert.match(await registry.metrics(), /novagate_redis_fallback_total\{use="throttle"\} 3/);
  assert.match(await registry.metrics(), /novagate_redis_up 0/);
  redisUp = true;
  assert.equal((await throttle.hit('login:bob', rule)).allowed, true, 'back on the shared counter (1 earlier hit + this one)');
  assert.equal((await throttle.hit('login:bob', rule)).allowed, false);
  assert.equal(lines.filter((l) => l.includes('redis is back')).length, 1);
  assert.match(await registry.metrics(), /novagate_redis_up 1/);
});
