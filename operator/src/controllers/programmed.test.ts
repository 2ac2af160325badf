import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GatewayNodeState } from '@novagate/control-plane/tenancy';
import { programmedCondition } from './programmed.js';

const node = (nodeId: string, ackedVersion: number | null, nack: [number, string] | null = null): GatewayNodeState => ({
  nodeId,
  ackedVersion,
  lastNackVersion: nack?.[0] ?? null,
  lastNackMessage: nack?.[1] ?? null,
});

test('Programmed follows the acks and nacks of the connected gateways', () => {
  const table: { name: string; nodes: GatewayNodeState[]; status: string; reason: string; settled: boolean }[] = [
    { name: 'no gateway', nodes: [], status: 'False', reason: 'NoGateways', settled: false },
    { name: 'every gateway acked the version', nodes: [node('a', 7), node('b', 8)], status: 'True', reason: 'Programmed', settled: true },
    { name: 'one gateway still behind', nodes: [node('a', 7), node('b', 6)], status: 'False', reason: 'Pending', settled: false },
    { name: 'a gateway never acked anything', nodes: [node('a', null)], status: 'False', reason: 'Pending', settled: false },
    { name: 'a nack of this version', nodes: [node('a', 6, [7, 'bad upstream'])], status: 'False', reason: 'Rejected', settled: true },
    { name: 'a nack of an older version since acked past', nodes: [node('a', 7, [5, 'old'])], status: 'True', reason: 'Programmed', settled: true },
    { name: 'a nack of a newer version holding this one', nodes: [node('a', 6, [9, 'later'])], status: 'False', reason: 'Rejected', settled: true },
    { name: 'a nack of a later version after acking one holding this', nodes: [node('a', 8, [9, 'later'])], status: 'True', reason: 'Programmed', settled: true },
  ];
  for (const row of table) {
    const result = programmedCondition(row.nodes, 7);
    assert.equal(result.condition.status, row.status, row.name);
    assert.equal(result.condition.reason, row.reason, row.name);
    assert.equal(result.settled, row.settled, row.name);
  }
});

test('a Rejected message names the gateway, the version and its reason', () => {
  const { condition } = programmedCondition([node('gw-7', 6, [7, 'route k8s.a.b: bad'])], 7);
  assert.equal(condition.message, 'gateway gw-7 rejected config version 7: route k8s.a.b: bad');
});
