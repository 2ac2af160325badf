import { test } from 'node:test';
import assert from 'node:assert/strict';
import { absoluteTime, relativeTime } from './relative-time.js';

const now = new Date('2026-11-30T12:00:00Z');
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000);

test('relative time uses the largest whole unit, past and future', () => {
  assert.equal(relativeTime(ago(0), now), 'just now');
  assert.equal(relativeTime(ago(1), now), 'just now');
  assert.equal(relativeTime(ago(45), now), '45 s ago');
  assert.equal(relativeTime(ago(60), now), '1 min ago');
  assert.equal(relativeTime(ago(3599), now), '59 min ago');
  assert.equal(relativeTime(ago(7200 + 1800), now), '2 h ago');
  assert.equal(relativeTime(ago(3 * 86_400 + 5), now), '3 d ago');
  assert.equal(relativeTime(ago(-90), now), 'in 1 min');
});

test('absolute time is UTC to the second', () => {
  assert.equal(absoluteTime(new Date('2026-11-30T10:15:02.789Z')), '2026-11-30 10:15:02 UTC');
});
