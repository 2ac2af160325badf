import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeTail, RecentIds } from './log-tail.js';

const row = (requestId: string, second: number) => ({ requestId, time: `2026-11-30T10:00:0${second}.000Z` });
const idsOf = (rows: { requestId: string }[]) => rows.map((r) => r.requestId);

test('arrived rows join the shown list newest first by time, rows sharing a time by request id descending', () => {
  const merged = mergeTail([row('b', 2), row('a', 1)], [row('c', 3), row('d', 4), row('e', 4)], 10);
  assert.deepEqual(idsOf(merged), ['e', 'd', 'c', 'b', 'a']);
});

test('a row that arrived late with an older time takes its place by time, not the top', () => {
  const merged = mergeTail([row('c', 3), row('a', 1)], [row('late', 2)], 10);
  assert.deepEqual(idsOf(merged), ['c', 'late', 'a']);
});

test('the list keeps at most max rows, dropping the oldest', () => {
  assert.deepEqual(idsOf(mergeTail([row('b', 2), row('a', 1)], [row('c', 3), row('d', 4)], 3)), ['d', 'c', 'b']);
  assert.deepEqual(idsOf(mergeTail([], [row('a', 1), row('b', 2), row('c', 3)], 2)), ['c', 'b']);
});

test('a row re-read by later polls, or twice in one answer, gets through once', () => {
  const seen = new RecentIds(100);
  assert.deepEqual(idsOf(seen.keepUnseen([row('a', 1), row('b', 2)])), ['a', 'b']);
  // The next poll re-reads the overlap (a, b) and brings a late row and a new one.
  assert.deepEqual(idsOf(seen.keepUnseen([row('a', 1), row('late', 0), row('b', 2), row('c', 3), row('c', 3)])), ['late', 'c']);
  assert.deepEqual(idsOf(seen.keepUnseen([row('late', 0), row('c', 3)])), []);
});

test('the remembered ids are bounded: past capacity the least recently seen is forgotten, one seen again is kept', () => {
  const seen = new RecentIds(3);
  seen.keepUnseen([row('a', 1), row('b', 2), row('c', 3)]);
  seen.keepUnseen([row('a', 1)]);
  seen.keepUnseen([row('d', 4)]);
  assert.deepEqual(idsOf(seen.keepUnseen([row('a', 1), row('c', 3), row('d', 4)])), [], 'a was seen again, so b went first');
  assert.deepEqual(idsOf(seen.keepUnseen([row('b', 2)])), ['b']);
  seen.clear();
  assert.deepEqual(idsOf(seen.keepUnseen([row('d', 4)])), ['d']);
});
