import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loginDelayMs } from './login-delay.js';

test('the per-email login delay doubles with each failure from its base and stops at its cap', () => {
  const policy = { baseMs: 250, capMs: 4_000, windowSeconds: 900 };
  const cases: [number, number][] = [[0, 0], [1, 250], [2, 500], [3, 1_000], [4, 2_000], [5, 4_000], [6, 4_000], [1_000_000, 4_000]];
  for (const [failures, ms] of cases) assert.equal(loginDelayMs(failures, policy), ms, `${failures} failures`);
  assert.equal(loginDelayMs(5, { ...policy, baseMs: 0 }), 0, 'a zero base turns the delay off');
});
