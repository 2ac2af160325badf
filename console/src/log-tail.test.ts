import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeTail } from './log-tail.js';

const row = (requestId: string, second: number) => ({ requestId, time: `2026-11-30T10:00:0${second}.000Z` });

test('rows that arrived oldest first go on top of the shown list, newest first', () => {
  const merged = mergeTail([row('b', 2), row('a', 1)], [row('c', 3), row('d', 4), row('e', 4)], 10);
  assert.deepEqual(merged.map((r) => r.requestId), ['e', 'd', 'c', 'b', 'a']);
});

test('a row already shown, or twice in one answer, is shown once', () => {
  const merged = mergeTail([row('b', 2), row('a', 1)], [row('b', 2), row('c', 3), row('c', 3)], 10);
  assert.deepEqual(merged.map((r) => r.requestId), ['c', 'b', 'a']);
});

test('the list keeps at most max rows, dropping the oldest', () => {
  const merged = mergeTail([row('b', 2), row('a', 1)], [row('c', 3), row('d', 4)], 3);
  assert.deepEqual(merged.map((r) => r.requestId), ['d', 'c', 'b']);
  assert.deepEqual(mergeTail([], [row('a', 1), row('b', 2), row('c', 3)], 2).map((r) => r.requestId), ['c', 'b']);
});
