import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { GatewayError } from '../../errors.js';
import type { RequestContext } from '../../pipeline/policy.js';
import type { ConsumerConfig } from '../../config/index.js';
import type { CounterSpec, RateLimitBackend } from './backend.js';
import { createMemoryBackend } from './memory-backend.js';
import { createRateLimitPolicy, type RateLimitPolicyOptions } from './rate-limit-policy.js';
import { rateLimitKey, windowAt } from './window.js';
import { requestContext } from '../../testing/request-context.js';

const T0 = 1_800_000_000_000; // a multiple of 60 s

function context(consumer?: ConsumerConfig, clientIp = '203.0.113.9'): RequestContext {
  return requestContext({ req: {} as IncomingMessage, clientIp, consumer });
}

function policy(overrides: Partial<RateLimitPolicyOptions>) {
  return createRateLimitPolicy({
    tenant: 'default',
    routeName: 'orders',
    routeLimit: { limit: 3, windowSeconds: 60, by: 'ip' },
    backend: createMemoryBackend(() => T0),
    failureMode: 'open',
    now: () => T0,
    onBackendError: () => undefined,
    onLimited: () => undefined,
    ...overrides,
  });
}

test('window arithmetic: start of the fixed window and time to its end; the documented key shape', () => {
  assert.deepEqual(windowAt(T0 + 15_500, 60), { startSeconds: T0 / 1000, msUntilReset: 44_500 });
  assert.equal(rateLimitKey('default', 'orders', 'ip:10.0.0.1', 1_800_000_000), 'rl:default:orders:ip:10.0.0.1:1800000000');
});

test('a route limit lets exactly `limit` requests through per window, with headers, then 429 with Retry-After', async () => {
  let now = T0 + 15_000;
  const check = policy({ now: () => now, backend: createMemoryBackend(() => now) });
  const remaining: string[] = [];
  for (let i = 0; i < 3; i++) {
    const ctx = context();
    assert.equal(await check(ctx), undefined);
    remaining.push(ctx.responseHeaders?.['ratelimit-remaining'] ?? '?');
    assert.equal(ctx.responseHeaders?.['ratelimit-limit'], '3');
    assert.equal(ctx.responseHeaders?.['ratelimit-reset'], '45');
  }
  assert.deepEqual(remaining, ['2', '1', '0']);
  const refused = await check(context());
  assert.ok(refused instanceof GatewayError);
  assert.equal(refused.status, 429);
  assert.equal(refused.headers?.['retry-after'], '45');
  assert.equal(await check(context(undefined, '198.51.100.1')), undefined, 'another client IP has its own counter');
  now = T0 + 60_000;
  assert.equal(await check(context()), undefined, 'the next window starts afresh');
});

test('route and consumer limits are separate counters: both must pass and the headers report the tighter', async () => {
  const backend = createMemoryBackend(() => T0);
  const consumer: ConsumerConfig = { username: 'mobile', apiKeyHashes: [], rateLimit: { limit: 2, windowSeconds: 60 } };
  const onOrders = policy({ backend, routeLimit: { limit: 10, windowSeconds: 60, by: 'consumer' } });
  const onUsers = policy({ backend, routeName: 'users', routeLimit: { limit: 10, windowSeconds: 60, by: 'consumer' } });
  const first = context(consumer);
  assert.equal(await onOrders(first), undefined);
  assert.equal(first.responseHeaders?.['ratelimit-limit'], '2');
  assert.equal(first.responseHeaders?.['ratelimit-remaining'], '1');
  assert.equal(await onUsers(context(consumer)), undefined, 'the consumer counter spans routes');
  const refused = await onOrders(context(consumer));
  assert.ok(refused instanceof GatewayError && refused.status === 429);
  assert.equal(refused.headers?.['ratelimit-limit'], '2');
  // The refused request consumed nothing: the route counter still has 9 left for this consumer.
  const other = { ...consumer, username: 'web', rateLimit: undefined };
  const ctx = context(other);
  assert.equal(await onOrders(ctx), undefined);
  assert.equal(ctx.responseHeaders?.['ratelimit-remaining'], '9');
});

test('by: consumer without an identified consumer counts by client IP', async () => {
  const seen: string[] = [];
  const spy: RateLimitBackend = {
    hit: (counters: readonly CounterSpec[]) => {
      seen.push(...counters.map((c) => c.key));
      return Promise.resolve({ allowed: true, counts: counters.map(() => 1) });
    },
  };
  const check = policy({ backend: spy, routeLimit: { limit: 5, windowSeconds: 60, by: 'consumer' } });
  await check(context(undefined, '192.0.2.7'));
  await check(context({ username: 'mobile', apiKeyHashes: [] }, '192.0.2.7'));
  assert.deepEqual(seen, ['rl:default:orders:ip:192.0.2.7:1800000000', 'rl:default:orders:mobile:1800000000']);
});

test('a failing backend serves in open mode, answers 503 in closed mode, and is counted either way', async () => {
  const broken: RateLimitBackend = { hit: () => Promise.reject(new Error('connection refused')) };
  let errors = 0;
  const open = policy({ backend: broken, onBackendError: () => errors++ });
  const closed = policy({ backend: broken, failureMode: 'closed', onBackendError: () => errors++ });
  assert.equal(await open(context()), undefined);
  const refused = await closed(context());
  assert.ok(refused instanceof GatewayError);
  assert.equal(refused.status, 503);
  assert.equal(errors, 2);
});
