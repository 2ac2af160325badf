import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createHealthReporter } from './health-reporter.js';
import type { HealthMessage } from '../protocol/messages.js';
import { gatewayMessage } from '../protocol/messages.js';

function harness(minIntervalMs: number, helloGraceMs = 10_000) {
  const sent: HealthMessage[] = [];
  let connected = true;
  let targets: HealthMessage['targets'] = [{ service: 'svc', target: '10.0.0.1:80', healthy: true }];
  const reporter = createHealthReporter({
    snapshot: () => targets,
    send: (message) => (sent.push(message), true),
    connected: () => connected,
    minIntervalMs,
    helloGraceMs,
  });
  return {
    sent,
    reporter,
    setTargets: (next: HealthMessage['targets']) => (targets = next),
    setConnected: (value: boolean) => (connected = value),
  };
}

test('after connecting, the full state goes out once the hello is admitted; a burst of changes is coalesced into one message per interval', async () => {
  const h = harness(200);
  h.reporter.connectedAgain();
  h.reporter.changed();
  await sleep(20);
  assert.equal(h.sent.length, 0, 'nothing before the control plane admitted the hello');
  h.reporter.helloAdmitted();
  await sleep(20);
  assert.equal(h.sent.length, 1);
  assert.equal(gatewayMessage.safeParse(h.sent[0]).success, true, 'a valid protocol message');
  h.setTargets([{ service: 'svc', target: '10.0.0.1:80', healthy: false }]);
  for (let i = 0; i < 50; i++) h.reporter.changed();
  await sleep(60);
  assert.equal(h.sent.length, 1, 'not before the interval');
  await sleep(250);
  assert.equal(h.sent.length, 2);
  assert.deepEqual(h.sent[1]?.targets, [{ service: 'svc', target: '10.0.0.1:80', healthy: false }]);
  h.reporter.close();
});

test('nothing is sent while disconnected, and nothing after close', async () => {
  const h = harness(10);
  h.setConnected(false);
  h.reporter.changed();
  await sleep(30);
  assert.equal(h.sent.length, 0);
  h.setConnected(true);
  h.reporter.close();
  h.reporter.connectedAgain();
  await sleep(30);
  assert.equal(h.sent.length, 0);
});

test('without a config frame, the first message goes out after the hello grace time', async () => {
  const h = harness(10, 100);
  h.reporter.connectedAgain();
  await sleep(50);
  assert.equal(h.sent.length, 0);
  await sleep(120);
  assert.equal(h.sent.length, 1);
  h.reporter.helloAdmitted();
  await sleep(30);
  assert.equal(h.sent.length, 1, 'a late config frame sends nothing more');
  h.reporter.close();
});
