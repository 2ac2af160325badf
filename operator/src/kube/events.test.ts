import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { createEventFailureReporter, eventFailureCause } from '../telemetry/event-failures.js';
import { createLogger } from '../telemetry/logger.js';
import { createMetrics } from '../telemetry/metrics.js';
import { describeError } from '../telemetry/logger.js';
import { KubeAccess } from './resources.js';

/** An API server stand-in that records each Event body and answers with the status `answer` gives. */
async function eventServer(answer: () => number) {
  const bodies: Record<string, unknown>[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      bodies.push(JSON.parse(text) as Record<string, unknown>);
      const code = answer();
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(code < 300 ? bodies.at(-1) : { kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason: 'BadRequest', message: 'refused' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    // Plain HTTP needs skipTLSVerify in client-node; this stand-in speaks no TLS.
    clusters: [{ name: 'c', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return { bodies, kubeConfig, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const route = { apiVersion: 'novagate.dev/v1alpha1', kind: 'Route', metadata: { name: 'users', namespace: 'default', uid: 'u-1' } };

test('an Event is sent with a MicroTime eventTime of exactly six fractional digits', async () => {
  const server = await eventServer(() => 201);
  try {
    await new KubeAccess(server.kubeConfig, '').recordEvent(route, 'Normal', 'Programmed', 'ok', new Date('2026-11-29T17:21:33.572Z'));
    assert.equal(server.bodies[0]?.eventTime, '2026-11-29T17:21:33.572000Z');
  } finally {
    await server.close();
  }
});

test('refused Events are counted by cause and warned about once per cause, the rest at debug', async () => {
  let code = 400;
  const server = await eventServer(() => code);
  const metrics = createMetrics();
  const lines: Array<{ level: string; message: string; cause?: string }> = [];
  const log = createLogger('debug', (line) => lines.push(JSON.parse(line) as { level: string; message: string }));
  const kube = new KubeAccess(server.kubeConfig, '', undefined, createEventFailureReporter(metrics.eventsFailed, log, describeError));
  try {
    await kube.recordEvent(route, 'Warning', 'Invalid', 'a');
    await kube.recordEvent(route, 'Warning', 'Invalid', 'b');
    code = 403;
    await kube.recordEvent(route, 'Warning', 'Invalid', 'c');
    const text = await metrics.registry.metrics();
    assert.match(text, /novagate_events_failed_total\{cause="400"\} 2/);
    assert.match(text, /novagate_events_failed_total\{cause="403"\} 1/);
    assert.deepEqual(lines.map((line) => [line.level, line.cause]), [['warn', '400'], ['debug', '400'], ['warn', '403']]);
  } finally {
    await server.close();
  }
});

test('a failure without an HTTP status is counted as network', () => {
  assert.equal(eventFailureCause(new Error('ECONNREFUSED')), 'network');
  assert.equal(eventFailureCause({ code: 'ECONNRESET' }), 'network');
  assert.equal(eventFailureCause({ code: 422 }), '422');
});
