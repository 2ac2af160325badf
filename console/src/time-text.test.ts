import { test } from 'node:test';
import assert from 'node:assert/strict';
import { timeText } from './time-text.js';

test('an API time is shown to the minute in UTC; none is a dash; text that is no time is shown as it is', () => {
  assert.equal(timeText('2026-11-30T10:39:44.123Z'), '2026-11-30 10:39 UTC');
  assert.equal(timeText('2026-11-30T12:39:44+02:00'), '2026-11-30 10:39 UTC');
  assert.equal(timeText(null), '—');
  assert.equal(timeText(undefined), '—');
  assert.equal(timeText('soon'), 'soon');
});
