import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cappedDelay, fullJitterDelay } from './backoff.js';

test('full jitter: the delay is uniform below the exponential ceiling, which stops at the cap', () => {
  const options = { baseMs: 500, capMs: 30_000 };
  assert.equal(fullJitterDelay(0, { ...options, random: () => 0.999999 }), 499);
  assert.equal(fullJitterDelay(3, { ...options, random: () => 0.5 }), 2_000);
  assert.equal(fullJitterDelay(10, { ...options, random: () => 0.999999 }), 29_999);
  assert.equal(fullJitterDelay(1_000, { ...options, random: () => 0.5 }), 15_000);
  assert.equal(fullJitterDelay(5, { ...options, random: () => 0 }), 0);
});

test('after a refusal the delay is at the cap: between half the cap and the cap, never near zero', () => {
  const options = { baseMs: 500, capMs: 30_000 };
  assert.equal(cappedDelay({ ...options, random: () => 0 }), 15_000);
  assert.equal(cappedDelay({ ...options, random: () => 0.999999 }), 29_999);
});
