import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createProgressReporter, progressOf, type MigrationProgress } from './migration-progress.js';

test('progress says done of total, the rate so far and the seconds left at that rate', () => {
  const cases: [number, number, number, MigrationProgress][] = [
    [0, 10, 0, { done: 0, total: 10, ratePerSecond: 0, secondsLeft: null, elapsedSeconds: 0 }],
    [50, 200, 10_000, { done: 50, total: 200, ratePerSecond: 5, secondsLeft: 30, elapsedSeconds: 10 }],
    [3, 10, 2_000, { done: 3, total: 10, ratePerSecond: 1.5, secondsLeft: 5, elapsedSeconds: 2 }],
    [10, 10, 4_000, { done: 10, total: 10, ratePerSecond: 2.5, secondsLeft: 0, elapsedSeconds: 4 }],
  ];
  for (const [done, total, elapsed, expected] of cases) assert.deepEqual(progressOf(done, total, elapsed), expected);
});

function run(total: number, everySchemas: number, everyMs: number, msPerSchema: number): number[] {
  let clock = 0;
  const reported: number[] = [];
  const reporter = createProgressReporter({ total, everySchemas, everyMs, now: () => clock, report: (p) => reported.push(p.done) });
  for (let i = 0; i < total; i++) {
    clock += msPerSchema;
    reporter.schemaDone();
  }
  return reported;
}

test('progress is reported every N schemas, or every few seconds when schemas are slow, and always at the end', () => {
  assert.deepEqual(run(10, 4, 60_000, 1), [4, 8, 10]);
  assert.deepEqual(run(10, 1000, 2_500, 1_000), [3, 6, 9, 10]);
  assert.deepEqual(run(1, 1000, 60_000, 1), [1]);
  assert.deepEqual(run(0, 10, 1_000, 1), []);
});
