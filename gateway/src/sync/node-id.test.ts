import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runGatewayToExit, writeConfigFile } from '../testing/gateway-process.js';
import { NODE_ID_PATTERN } from '../protocol/index.js';
import { gatewayNodeId, nodeIdProblem } from './node-id.js';

test('the node id is NODE_ID when set, else <hostname>-<pid>; each worker of a cluster gets its own', () => {
  assert.equal(gatewayNodeId({ configured: 'edge-1', hostname: 'pod-a', pid: 7, workerId: undefined }), 'edge-1');
  assert.equal(gatewayNodeId({ configured: 'edge-1', hostname: 'pod-a', pid: 7, workerId: 3 }), 'edge-1-w3');
  assert.equal(gatewayNodeId({ configured: undefined, hostname: 'pod-a', pid: 7, workerId: 3 }), 'pod-a-7');
  // Whatever the host is called, the id is one the control plane accepts.
  const odd = gatewayNodeId({ configured: undefined, hostname: `host name/${'x'.repeat(300)}`, pid: 99999, workerId: undefined });
  assert.match(odd, NODE_ID_PATTERN);
  assert.match(gatewayNodeId({ configured: undefined, hostname: '', pid: 1, workerId: undefined }), NODE_ID_PATTERN);
});

test('NODE_ID is checked: the control protocol characters, at most 120 of them', () => {
  assert.equal(nodeIdProblem('edge-1.eu:a_b'), null);
  for (const bad of ['', 'has space', 'slash/', 'x'.repeat(121), 'nul\u0000', 'é']) assert.notEqual(nodeIdProblem(bad), null, JSON.stringify(bad));
});

test('a bad NODE_ID stops start-up with one clear line', { timeout: 60_000 }, async () => {
  const file = writeConfigFile({ services: [], routes: [] });
  const result = await runGatewayToExit({ CONFIG_FILE: file, PORT: '0', METRICS_PORT: '0', NODE_ID: 'bad node' });
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /NODE_ID must be 1-120 characters of \[A-Za-z0-9._:-\]/);
  assert.equal(result.stderr.trim().split('\n').length, 1);
});
