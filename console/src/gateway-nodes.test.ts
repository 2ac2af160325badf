import { test } from 'node:test';
import assert from 'node:assert/strict';
import { currentConfigVersion, isOutOfDate } from './gateway-nodes.js';

test('the current config version is the history page first entry, 0 without versions, unknown before it loads', () => {
  assert.equal(currentConfigVersion({ data: [{ version: 7, hash: 'h' }] }), 7);
  assert.equal(currentConfigVersion({ data: [] }), 0);
  assert.equal(currentConfigVersion(null), null);
});

test('a node is out of date when its config version is not the current one, or it has none; unknown current marks nothing', () => {
  assert.equal(isOutOfDate({ configVersion: 7 }, 7), false);
  assert.equal(isOutOfDate({ configVersion: 6 }, 7), true);
  assert.equal(isOutOfDate({ configVersion: null }, 7), true);
  assert.equal(isOutOfDate({ configVersion: 6 }, null), false);
});
