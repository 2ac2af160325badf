import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startHealthServer } from './health-server.js';
import { createMetrics } from './metrics.js';

test('/healthz answers while the process runs, /readyz follows readiness, /metrics shows the operator metrics', async () => {
  const metrics = createMetrics();
  metrics.workqueueDepth.set({ kind: 'route' }, 3);
  let ready: { ok: boolean; reason?: string } = { ok: false, reason: 'caches not synced yet' };
  const server = await startHealthServer({ port: 0, host: '127.0.0.1', registry: metrics.registry, ready: async () => ready });
  const get = async (path: string) => {
    const response = await fetch(`http://127.0.0.1:${server.port}${path}`);
    return { status: response.status, text: await response.text() };
  };
  try {
    assert.deepEqual(await get('/healthz'), { status: 200, text: 'ok\n' });
    assert.deepEqual(await get('/readyz'), { status: 503, text: 'not ready: caches not synced yet\n' });
    ready = { ok: true };
    assert.equal((await get('/readyz')).status, 200);
    assert.match((await get('/metrics')).text, /novagate_workqueue_depth\{kind="route"\} 3/);
    assert.equal((await get('/other')).status, 404);
  } finally {
    await server.close();
  }
});
