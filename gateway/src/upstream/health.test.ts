import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_EJECTION_MS, TargetHealth, ejectionBudget, ejectionDuration, ejectionEnded, passiveFailure, passiveSuccess, probeResult } from './health.js';

const rules = { consecutiveFailures: 3, ejectionMs: 10_000, maxEjectionPercent: 50 };

test('a target is ejected after consecutiveFailures failures in a row; a success in between resets the count', () => {
  const health = new TargetHealth();
  assert.equal(passiveFailure(health, rules, 0, 4, 0), 0);
  assert.equal(passiveFailure(health, rules, 0, 4, 0), 0);
  passiveSuccess(health);
  assert.equal(passiveFailure(health, rules, 0, 4, 0), 0);
  assert.equal(passiveFailure(health, rules, 0, 4, 0), 0);
  assert.equal(passiveFailure(health, rules, 0, 4, 0), 10_000);
  assert.equal(health.healthy, false);
  ejectionEnded(health, 10_000);
  assert.equal(health.healthy, true);
});

test('each ejection lasts twice the one before, capped at max(ejectionMs, 5 minutes)', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 99].map((times) => ejectionDuration(rules, times)), [10_000, 20_000, 40_000, 80_000, 160_000, MAX_EJECTION_MS, MAX_EJECTION_MS]);
  assert.equal(ejectionDuration({ ...rules, ejectionMs: 3_600_000 }, 3), 3_600_000);
  const health = new TargetHealth();
  const eject = (now: number) => {
    for (let i = 1; i < rules.consecutiveFailures; i++) passiveFailure(health, rules, 0, 4, now);
    return passiveFailure(health, rules, 0, 4, now);
  };
  assert.equal(eject(0), 10_000);
  ejectionEnded(health, 10_000);
  assert.equal(eject(11_000), 20_000);
  ejectionEnded(health, 31_000);
  assert.equal(eject(31_000 + MAX_EJECTION_MS), 10_000, 'a target that stayed in for the longest ejection starts over');
});

test('never more than maxEjectionPercent of the targets are ejected at once', () => {
  assert.equal(ejectionBudget(rules, 4), 2);
  assert.equal(ejectionBudget(rules, 3), 1);
  assert.equal(ejectionBudget({ ...rules, maxEjectionPercent: 100 }, 3), 3);
  const health = new TargetHealth();
  for (let i = 0; i < 10; i++) assert.equal(passiveFailure(health, rules, 2, 4, 0), 0, 'the budget is used up');
  assert.equal(health.healthy, true);
  assert.equal(passiveFailure(health, rules, 1, 4, 0), 10_000);
});

test('active health: unhealthyThreshold failures take a target out, healthyThreshold successes bring it back', () => {
  const active = { healthyThreshold: 2, unhealthyThreshold: 3 };
  const health = new TargetHealth();
  assert.equal(probeResult(health, active, false), false);
  assert.equal(probeResult(health, active, false), false);
  assert.equal(probeResult(health, active, true), false, 'a success breaks the streak');
  assert.equal(probeResult(health, active, false), false);
  assert.equal(probeResult(health, active, false), false);
  assert.equal(probeResult(health, active, false), true);
  assert.equal(health.healthy, false);
  assert.equal(probeResult(health, active, true), false);
  assert.equal(probeResult(health, active, true), true);
  assert.equal(health.healthy, true);
});
