import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unhealthyTargetsOf } from './unhealthy-targets.js';

test('the unhealthy targets of a report, sorted by service then target, each once', () => {
  const { unhealthy, dropped } = unhealthyTargetsOf([
    { service: 'users', target: '10.0.0.2:8080', healthy: false },
    { service: 'users', target: '10.0.0.1:8080', healthy: true },
    { service: 'orders', target: 'orders:80', healthy: false },
    { service: 'users', target: '10.0.0.2:8080', healthy: false },
  ]);
  assert.deepEqual(unhealthy, [
    { service: 'orders', target: 'orders:80' },
    { service: 'users', target: '10.0.0.2:8080' },
  ]);
  assert.equal(dropped, 0);
  assert.deepEqual(unhealthyTargetsOf([]), { unhealthy: [], dropped: 0 });
});

test('service and target names that concatenate alike stay two targets', () => {
  const { unhealthy } = unhealthyTargetsOf([
    { service: 'a.b', target: 'c:1', healthy: false },
    { service: 'a', target: 'b.c:1', healthy: false },
  ]);
  assert.equal(unhealthy.length, 2);
});

test('past the cap further unhealthy targets are dropped and counted; repeats and healthy targets are not', () => {
  const report = [
    ...Array.from({ length: 10 }, (_, i) => ({ service: 's', target: `t${i}:1`, healthy: false })),
    { service: 's', target: 't0:1', healthy: false },
    { service: 's', target: 'ok:1', healthy: true },
  ];
  const { unhealthy, dropped } = unhealthyTargetsOf(report, 3);
  assert.deepEqual(unhealthy.map((t) => t.target), ['t0:1', 't1:1', 't2:1']);
  assert.equal(dropped, 7);
});
