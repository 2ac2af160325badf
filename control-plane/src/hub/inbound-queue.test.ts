import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createInboundQueue, type InboundQueueLimits } from './inbound-queue.js';

const limits: InboundQueueLimits = { maxMessages: 4, maxBytes: 1_000, hardMaxBytes: 2_000 };

function harness(overrides: Partial<InboundQueueLimits> = {}) {
  const events: string[] = [];
  const handled: number[] = [];
  const dropped: Record<string, number> = {};
  let release: (() => void) | null = null;
  const queue = createInboundQueue<number>({
    limits: { ...limits, ...overrides },
    handle: (item) =>
      new Promise<void>((resolve) => {
        handled.push(item);
        release = resolve;
      }),
    pause: () => events.push('pause'),
    resume: () => events.push('resume'),
    dropped: (reason, count) => (dropped[reason] = (dropped[reason] ?? 0) + count),
    failed: () => events.push('failed'),
  });
  /** Lets the item being handled finish and the next one start. */
  const step = async () => {
    const current = release as (() => void) | null;
    release = null;
    current?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { queue, events, handled, dropped, step };
}

test('a full queue stops reading the socket and resumes once it is down to half', async () => {
  const { queue, events, step } = harness();
  queue.push(0, 10); // being handled at once
  for (let i = 1; i <= 4; i++) queue.push(i, 10);
  assert.deepEqual(events, ['pause']);
  assert.equal(queue.isPaused(), true);
  await step(); // 3 left queued
  assert.deepEqual(events, ['pause']);
  await step(); // 2 left: half of 4
  assert.deepEqual(events, ['pause', 'resume']);
  assert.equal(queue.isPaused(), false);
});

test('queued bytes over the bound pause reading too', () => {
  const { queue, events } = harness();
  queue.push(0, 10);
  queue.push(1, 1_000);
  assert.deepEqual(events, ['pause']);
});

test('past the hard cap in bytes messages are dropped and counted, never queued, so the queue stays bounded', () => {
  const { queue, dropped } = harness();
  for (let i = 0; i < 10_000; i++) queue.push(i, 10);
  assert.equal(queue.length(), 200);
  assert.equal(dropped.queue_full, 10_000 - 200 - 1);
});

test('messages are handled one at a time and in order', async () => {
  const { queue, handled, step } = harness();
  for (let i = 0; i < 5; i++) queue.push(i, 1);
  assert.deepEqual(handled, [0]);
  for (let i = 0; i < 5; i++) await step();
  assert.deepEqual(handled, [0, 1, 2, 3, 4]);
  await queue.idle();
});

test('discard drops every queued message (counted as shutdown) and every later one, and idle resolves after the one in flight', async () => {
  const { queue, handled, dropped, step } = harness();
  for (let i = 0; i < 6; i++) queue.push(i, 1);
  assert.equal(queue.discard(), 5);
  queue.push(99, 1);
  assert.deepEqual(dropped, { shutdown: 6 });
  let idle = false;
  const waiting = queue.idle().then(() => (idle = true));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(idle, false, 'the message in flight still runs');
  await step();
  await waiting;
  assert.deepEqual(handled, [0]);
});

test('a handler that throws is reported and the next message still runs', async () => {
  const events: string[] = [];
  const handled: number[] = [];
  const queue = createInboundQueue<number>({
    limits,
    handle: async (item) => {
      handled.push(item);
      if (item === 0) throw new Error('boom');
    },
    pause: () => undefined,
    resume: () => undefined,
    dropped: () => undefined,
    failed: () => events.push('failed'),
  });
  queue.push(0, 1);
  queue.push(1, 1);
  await queue.idle();
  assert.deepEqual(handled, [0, 1]);
  assert.deepEqual(events, ['failed']);
});
