import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, type TestGateway } from '../../testing/in-process-gateway.js';
import { startUpstream, type TestUpstream } from '../../testing/upstream.js';
import { startOwnRedis, type OwnRedis } from '../../testing/redis-server.js';
import { createRespClient, type RespClient } from '../../redis/resp-client.js';
import { createRedisBackend } from './redis-backend.js';

// A private redis-server, killed and restarted; the shared Redis is never touched here.
let redis: OwnRedis;
let client: RespClient;
let upstream: TestUpstream;
let open: TestGateway;
let closed: TestGateway;

const config = (name: string, url: string) => ({
  services: [{ name: 'up', url }],
  routes: [{ name, service: 'up', paths: ['/x'], rateLimit: { limit: 2, windowSeconds: 3600, by: 'ip' } }],
});

before(async () => {
  redis = await startOwnRedis();
  await new Promise<void>((resolve) => {
    client = createRespClient(redis.url, { onReady: resolve });
  });
  upstream = await startUpstream();
  const backend = createRedisBackend(client);
  open = await startTestGateway(config('open-route', upstream.url), { backend, failureMode: 'open' });
  closed = await startTestGateway(config('closed-route', upstream.url), { backend, failureMode: 'closed' });
});

after(async () => {
  await open.close();
  await closed.close();
  await upstream.close();
  client.close();
  await redis.kill();
});

async function status(gateway: TestGateway): Promise<number> {
  // A hung request would fail the test here instead of passing silently.
  const response = await fetch(`${gateway.url}/x`, { signal: AbortSignal.timeout(5_000) });
  await response.arrayBuffer();
  return response.status;
}

async function backendErrors(gateway: TestGateway): Promise<number> {
  const text = await gateway.metrics.registry.metrics();
  return Number(/^novagate_rate_limit_backend_errors_total (\d+)/m.exec(text)?.[1] ?? NaN);
}

test('Redis killed mid-test: open mode serves and counts, closed mode answers 503, nothing hangs; Redis back: limits again', { timeout: 60_000 }, async () => {
  assert.deepEqual([await status(open), await status(open), await status(open)], [200, 200, 429]);
  assert.deepEqual([await status(closed), await status(closed), await status(closed)], [200, 200, 429]);

  await redis.kill();
  const whileDown = await Promise.all(Array.from({ length: 5 }, () => status(open)));
  assert.deepEqual(whileDown, [200, 200, 200, 200, 200]);
  assert.equal(await backendErrors(open), 5);
  assert.deepEqual(await Promise.all(Array.from({ length: 3 }, () => status(closed))), [503, 503, 503]);

  await redis.restart();
  let recovered = false;
  for (let i = 0; i < 100 && !recovered; i++) {
    recovered = (await status(closed)) === 200;
    if (!recovered) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.ok(recovered, 'the closed-mode gateway serves again once Redis is back');
  // The restarted Redis starts empty: the open-mode route counts from zero and limits at 2 again.
  assert.deepEqual([await status(open), await status(open), await status(open)], [200, 200, 429]);
});

test('a Redis that stops answering fails requests within the command timeout instead of holding them', { timeout: 60_000 }, async () => {
  assert.equal(await status(closed), 200); // fresh window after the restart above: 1 of 2
  redis.freeze();
  try {
    // status() gives each request 5 s before failing the test: a request held by the frozen Redis would fail it.
    assert.deepEqual(await Promise.all([status(closed), status(closed), status(open)]), [503, 503, 200]);
  } finally {
    redis.thaw();
  }
  let recovered = false;
  for (let i = 0; i < 100 && !recovered; i++) {
    recovered = (await status(closed)) !== 503;
    if (!recovered) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.ok(recovered, 'limits apply again once Redis answers');
});
