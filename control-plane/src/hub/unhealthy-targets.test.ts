import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createUnhealthyTargets } from './unhealthy-targets.js';

test('a target reported unhealthy is listed until it is reported healthy; unmentioned targets keep their state', () => {
  const state = createUnhealthyTargets();
  state.apply([
    { service: 'users', target: '10.0.0.2:8080', healthy: false },
    { service: 'users', target: '10.0.0.1:8080', healthy: true },
    { service: 'orders', target: 'orders:80', healthy: false },
  ]);
  assert.deepEqual(state.list(), [
    { service: 'orders', target: 'orders:80' },
    { service: 'users', target: '10.0.0.2:8080' },
  ]);
  state.apply([{ service: 'users', target: '10.0.0.2:8080', healthy: true }]);
  assert.deepEqual(state.list(), [{ service: 'orders', target: 'orders:80' }]);
  state.apply([]);
  assert.deepEqual(state.list(), [{ service: 'orders', target: 'orders:80' }]);
});

test('service and target names that concatenate alike stay two targets', () => {
  const state = createUnhealthyTargets();
  state.apply([
    { service: 'a.b', target: 'c:1', healthy: false },
    { service: 'a', target: 'b.c:1', healthy: false },
  ]);
  assert.equal(state.list().length, 2);
});

test('past the cap new unhealthy targets are dropped and counted, a repeated one is not, and room comes back when one recovers', () => {
  const state = createUnhealthyTargets(3);
  const flood = Array.from({ length: 10 }, (_, i) => ({ service: 's', target: `t${i}:1`, healthy: false }));
  assert.deepEqual(state.apply(flood), { dropped: 7 });
  assert.equal(state.list().length, 3);
  assert.deepEqual(state.apply(flood.slice(0, 3)), { dropped: 0 });
  state.apply([{ service: 's', target: 't0:1', healthy: true }]);
  assert.deepEqual(state.apply([{ service: 's', target: 't9:1', healthy: false }]), { dropped: 0 });
  assert.deepEqual(state.list().map((t) => t.target), ['t1:1', 't2:1', 't9:1']);
});
