import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRespClient } from '../../redis/resp-client.js';
import { startGatewayProcess, writeConfigFile, type GatewayProcess } from '../../testing/gateway-process.js';
import { startUpstream, type TestUpstream } from '../../testing/upstream.js';
import { TEST_REDIS_URL } from '../../testing/redis-server.js';

// Two real gateway processes share the test Redis; the route name is random so the keys are ours alone.
const route = `rl-exact-${randomBytes(6).toString('hex')}`;
let upstream: TestUpstream;
const gateways: GatewayProcess[] = [];

before(async () => {
  upstream = await startUpstream();
  const configFile = writeConfigFile({
    services: [{ name: 'up', url: upstream.url }],
    routes: [{ name: route, service: 'up', paths: ['/limited'], rateLimit: { limit: 50, windowSeconds: 3600, by: 'ip' } }],
  });
  const env = { CONFIG_FILE: configFile, REDIS_URL: TEST_REDIS_URL };
  gateways.push(...(await Promise.all([startGatewayProcess(env), startGatewayProcess(env)])));
});

after(async () => {
  await Promise.all(gateways.map((gateway) => gateway.stop()));
  await upstream.close();
  await new Promise<void>((resolve) => {
    const redis = createRespClient(TEST_REDIS_URL, {
      onReady: () => {
        void (async () => {
          const keys = (await redis.command(['KEYS', `rl:default:${route}:*`])) as string[];
          if (keys.length > 0) await redis.command(['DEL', ...keys]);
          redis.close();
          resolve();
        })();
      },
    });
  });
});

test('200 concurrent requests at limit 50 across two gateway processes: exactly 50 pass, 150 get 429', { timeout: 60_000 }, async () => {
  const requests = Array.from({ length: 200 }, async (_, i) => {
    const gateway = gateways[i % 2] as GatewayProcess;
    const response = await fetch(`http://127.0.0.1:${gateway.port}/limited`, { signal: AbortSignal.timeout(15_000) });
    await response.arrayBuffer();
    return { status: response.status, retryAfter: response.headers.get('retry-after'), limit: response.headers.get('ratelimit-limit') };
  });
  const results = await Promise.all(requests);
  const statuses = results.map((r) => r.status);
  assert.equal(statuses.filter((s) => s === 200).length, 50);
  assert.equal(statuses.filter((s) => s === 429).length, 150);
  assert.equal(upstream.received.length, 50, 'only admitted requests reach the upstream');
  for (const result of results) {
    assert.equal(result.limit, '50');
    if (result.status === 429) assert.match(result.retryAfter ?? '', /^\d+$/);
  }
});
