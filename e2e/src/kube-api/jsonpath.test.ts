import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateJsonPath } from './jsonpath.js';

const tenant = {
  spec: { plan: 'pro', hosts: ['a.example', 'b.example'] },
  status: { conditions: [{ type: 'Accepted', status: 'True' }, { type: 'Ready', status: 'False' }] },
};

test('printer-column JSONPath selects fields, indexes, wildcards and filters', () => {
  assert.deepEqual(evaluateJsonPath(tenant, '.spec.plan'), ['pro']);
  assert.deepEqual(evaluateJsonPath(tenant, '.spec.hosts[1]'), ['b.example']);
  assert.deepEqual(evaluateJsonPath(tenant, '.spec.hosts[*]'), ['a.example', 'b.example']);
  assert.deepEqual(evaluateJsonPath(tenant, '.status.conditions[?(@.type=="Ready")].status'), ['False']);
  assert.deepEqual(evaluateJsonPath(tenant, '.spec.missing'), []);
});
