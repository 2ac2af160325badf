import { test } from 'node:test';
import assert from 'node:assert/strict';
import { changedByLabel } from './changed-by.js';

test('the operator is named "Kubernetes operator", API writes and NovaGate itself in words', () => {
  assert.equal(changedByLabel('operator'), 'Kubernetes operator');
  assert.equal(changedByLabel('api'), 'API (console or API client)');
  assert.equal(changedByLabel('system'), 'NovaGate');
});

test('a version without a recorded writer says so, and a writer the console does not know is shown as recorded', () => {
  assert.equal(changedByLabel(null), 'Not recorded');
  assert.equal(changedByLabel('migration'), 'migration');
});
