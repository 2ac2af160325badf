import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withTestServer } from '../testing/with-test-server.js';

const { server } = withTestServer();

test('GET /metrics on the public API port is 404: metrics are not served to API callers', async () => {
  const response = await server.request('GET', '/metrics');
  assert.equal(response.status, 404);
  assert.equal(response.body.error.code, 'not_found');
  assert.doesNotMatch(response.text, /novagate_/);
});

test('the metrics listener serves the control plane metrics on its own port, and nothing else', async () => {
  assert.equal((await server.request('GET', '/healthz')).status, 200);
  const { metricsPort, port } = server.controlPlane;
  assert.notEqual(metricsPort, port);
  const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
  assert.equal(metrics.status, 200);
  const text = await metrics.text();
  assert.match(text, /novagate_control_plane_http_requests_total\{method="GET",route="\/healthz",status="200"\} 1/);
  assert.match(text, /novagate_database_up 1/);
  assert.equal((await fetch(`http://127.0.0.1:${metricsPort}/api/v1/auth/login`, { method: 'POST' })).status, 405);
  assert.equal((await fetch(`http://127.0.0.1:${metricsPort}/healthz/../api`)).status, 404);
});
