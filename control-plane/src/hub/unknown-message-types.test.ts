import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KNOWN_GATEWAY_MESSAGE_TYPES, createUnknownTypeLabels, unknownMessageType } from './unknown-message-types.js';

test('the known types are the protocol\'s gateway messages, health included', () => {
  assert.deepEqual([...KNOWN_GATEWAY_MESSAGE_TYPES].sort(), ['ack', 'errors', 'health', 'hello', 'logs', 'nack']);
});

test('only a string type the control plane does not know is unknown; anything else goes to validation', () => {
  assert.equal(unknownMessageType({ type: 'metrics', samples: [] }), 'metrics');
  assert.equal(unknownMessageType({ type: '' }), '');
  for (const parsed of [{ type: 'ack' }, { type: 'health' }, { type: 7 }, {}, [], null, 'ack', 3]) {
    assert.equal(unknownMessageType(parsed), null, JSON.stringify(parsed));
  }
});

test('unknown types label the metric by name up to the cap, then as other; ill-shaped names are other at once', () => {
  const label = createUnknownTypeLabels(2);
  assert.equal(label('metrics'), 'metrics');
  assert.equal(label('traces'), 'traces');
  assert.equal(label('profiles'), 'other');
  assert.equal(label('metrics'), 'metrics');
  const fresh = createUnknownTypeLabels(2);
  for (const type of ['', 'Metrics', 'x'.repeat(33), 'a b', '{"x":1}']) assert.equal(fresh(type), 'other', type);
});
