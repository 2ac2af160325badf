import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonEqual, setCondition, transitions, type Condition } from './conditions.js';

const t0 = new Date('2026-01-01T00:00:00Z');
const t1 = new Date('2026-01-01T00:05:00Z');

test('setting a condition with the same status keeps its lastTransitionTime but updates reason, message and generation', () => {
  const first = setCondition([], { type: 'Ready', status: 'False', reason: 'Pending', message: 'a' }, 1, t0);
  const second = setCondition(first, { type: 'Ready', status: 'False', reason: 'Other', message: 'b' }, 2, t1);
  assert.deepEqual(second, [{ type: 'Ready', status: 'False', reason: 'Other', message: 'b', lastTransitionTime: t0.toISOString(), observedGeneration: 2 }]);
});

test('a status flip moves lastTransitionTime and is reported as a transition; other conditions are kept', () => {
  const before: Condition[] = [
    { type: 'Accepted', status: 'True', reason: 'Accepted', message: '', lastTransitionTime: t0.toISOString(), observedGeneration: 1 },
    { type: 'Programmed', status: 'False', reason: 'Pending', message: '', lastTransitionTime: t0.toISOString(), observedGeneration: 1 },
  ];
  const after = setCondition(before, { type: 'Programmed', status: 'True', reason: 'Programmed', message: 'ok' }, 1, t1);
  assert.equal(after.find((c) => c.type === 'Programmed')?.lastTransitionTime, t1.toISOString());
  assert.deepEqual(after.find((c) => c.type === 'Accepted'), before[0]);
  assert.deepEqual(transitions(before, after).map((c) => c.type), ['Programmed']);
  assert.deepEqual(transitions(after, after), []);
});

test('jsonEqual ignores key order and undefined fields but not values', () => {
  assert.ok(jsonEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1, d: undefined }));
  assert.ok(!jsonEqual({ a: 1 }, { a: 2 }));
  assert.ok(!jsonEqual([1, 2], [2, 1]));
  assert.ok(!jsonEqual({ a: [] }, { a: {} }));
});
