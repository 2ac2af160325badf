import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MIN_RETRIES_PER_SECOND, RetryBudget } from './retry-budget.js';

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

function retriesAllowed(budget: RetryBudget, tries: number): number {
  let allowed = 0;
  for (let i = 0; i < tries; i++) if (budget.tryRetry()) allowed++;
  return allowed;
}

test('a storm of failing requests gets retries for 20% of its requests plus the per-second floor', () => {
  const time = clock();
  const budget = new RetryBudget(time.now);
  let allowed = 0;
  for (let i = 0; i < 1_000; i++) {
    budget.recordRequest();
    allowed += retriesAllowed(budget, 3);
  }
  assert.equal(allowed, 200 + MIN_RETRIES_PER_SECOND);
});

test('with little traffic the floor still allows a few retries each second', () => {
  const time = clock();
  const budget = new RetryBudget(time.now);
  budget.recordRequest();
  assert.equal(retriesAllowed(budget, 10), 3 + 1, 'the free three, and one as 20% of one request rounds up');
  time.advance(1_000);
  assert.equal(retriesAllowed(budget, 10), 3, 'a new second, three free retries again');
});

test('requests older than the window no longer earn retries', () => {
  const time = clock();
  const budget = new RetryBudget(time.now, 0.2, 10, 0);
  for (let i = 0; i < 100; i++) budget.recordRequest();
  assert.equal(retriesAllowed(budget, 50), 20);
  time.advance(5_000);
  assert.equal(retriesAllowed(budget, 50), 0, 'the window still holds the 20 retries');
  time.advance(5_000);
  assert.equal(retriesAllowed(budget, 50), 0, 'the requests left the window');
  for (let i = 0; i < 10; i++) budget.recordRequest();
  assert.equal(retriesAllowed(budget, 50), 2);
});

test('a slot reused after the window counts only its new second', () => {
  const time = clock();
  const budget = new RetryBudget(time.now, 0.5, 2, 0);
  for (let i = 0; i < 10; i++) budget.recordRequest();
  time.advance(2_000); // the same slot, two seconds later
  budget.recordRequest();
  budget.recordRequest();
  assert.equal(retriesAllowed(budget, 10), 1);
});
