import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, WorkQueue } from './queue.js';

/** Waits, bounded, until `check` holds. */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000; i += 1) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.fail(`timed out waiting for ${what}`);
}

test('the retry delay doubles per consecutive failure and stops at the cap', () => {
  const table: [number, number][] = [
    [1, 100],
    [2, 200],
    [3, 400],
    [8, 12_800],
    [10, 30_000],
    [500, 30_000],
  ];
  for (const [failures, delay] of table) assert.equal(backoffDelay(failures, 100, 30_000), delay, `failure ${failures}`);
});

test('a key added many times while waiting is processed once', async () => {
  const seen: string[] = [];
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const queue = new WorkQueue(async (key) => {
    seen.push(key);
    if (key === 'blocker') await gate;
  }, { concurrency: 1 });
  queue.start();
  queue.add('blocker');
  for (let i = 0; i < 5; i += 1) queue.add('a');
  assert.equal(queue.depth, 1);
  release();
  await until(() => seen.length === 2, 'both keys');
  await queue.stop();
  assert.deepEqual(seen, ['blocker', 'a']);
});

test('a key is never reconciled twice at once; an add during its run queues exactly one more run', async () => {
  let running = 0;
  let maxRunning = 0;
  let runs = 0;
  let release: () => void = () => undefined;
  let gate = new Promise<void>((resolve) => (release = resolve));
  const queue = new WorkQueue(async () => {
    running += 1;
    runs += 1;
    maxRunning = Math.max(maxRunning, running);
    await gate;
    running -= 1;
  }, { concurrency: 4 });
  queue.start();
  queue.add('k');
  await until(() => runs === 1, 'the first run');
  queue.add('k');
  queue.add('k');
  const firstRelease = release;
  gate = new Promise<void>((resolve) => (release = resolve));
  firstRelease();
  await until(() => runs === 2, 'the second run');
  release();
  await queue.stop();
  assert.equal(maxRunning, 1);
  assert.equal(runs, 2);
});

test('no more than `concurrency` reconciles run at once', async () => {
  let running = 0;
  let maxRunning = 0;
  let done = 0;
  const queue = new WorkQueue(async () => {
    running += 1;
    maxRunning = Math.max(maxRunning, running);
    await new Promise((resolve) => setTimeout(resolve, 5));
    running -= 1;
    done += 1;
  }, { concurrency: 3 });
  queue.start();
  for (let i = 0; i < 20; i += 1) queue.add(`key-${i}`);
  await until(() => done === 20, 'every key');
  await queue.stop();
  assert.equal(maxRunning, 3);
});

test('a failing key is retried with backoff and its failure count resets after a success', async () => {
  let attempts = 0;
  const results: string[] = [];
  const queue = new WorkQueue(
    async () => {
      attempts += 1;
      if (attempts < 3) throw new Error('transient');
    },
    { concurrency: 1, baseDelayMs: 1, maxDelayMs: 4, onResult: (result) => results.push(result) },
  );
  queue.start();
  queue.add('flaky');
  await until(() => results.length === 3, 'three attempts');
  await queue.stop();
  assert.deepEqual(results, ['error', 'error', 'success']);
  assert.equal(queue.failuresOf('flaky'), 0);
});

test('a reconcile asking to be requeued runs again after the delay', async () => {
  let runs = 0;
  const queue = new WorkQueue(async () => {
    runs += 1;
    return runs < 3 ? { requeueAfterMs: 1 } : undefined;
  }, { concurrency: 1 });
  queue.start();
  queue.add('poll');
  await until(() => runs === 3, 'three runs');
  await queue.stop();
  assert.equal(runs, 3);
});
