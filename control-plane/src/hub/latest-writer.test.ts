import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLatestWriter } from './latest-writer.js';

test('a flood of values while a write is in flight ends in two writes, the second with the newest value', async () => {
  const written: number[] = [];
  let coalesced = 0;
  let release: () => void = () => undefined;
  const writer = createLatestWriter<number>({
    write: (value) =>
      new Promise<void>((resolve) => {
        written.push(value);
        release = resolve;
      }),
    coalesced: () => (coalesced += 1),
    failed: () => assert.fail('no write fails'),
  });
  for (let i = 0; i < 10_000; i++) writer.submit(i);
  assert.deepEqual(written, [0]);
  release();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(written, [0, 9_999]);
  release();
  await writer.settled();
  assert.equal(coalesced, 9_998);
});

test('a failed write is reported and a newer value is still written', async () => {
  const written: number[] = [];
  const failures: unknown[] = [];
  const writer = createLatestWriter<number>({
    write: async (value) => {
      written.push(value);
      if (value === 1) throw new Error('database down');
    },
    coalesced: () => undefined,
    failed: (error) => failures.push(error),
  });
  writer.submit(1);
  writer.submit(2);
  await writer.settled();
  assert.deepEqual(written, [1, 2]);
  assert.equal(failures.length, 1);
});

test('discard forgets the waiting value (shutdown)', async () => {
  const written: number[] = [];
  let release: () => void = () => undefined;
  const writer = createLatestWriter<number>({
    write: (value) => new Promise<void>((resolve) => ((release = resolve), written.push(value))),
    coalesced: () => undefined,
    failed: () => undefined,
  });
  writer.submit(1);
  writer.submit(2);
  assert.equal(writer.discard(), true);
  release();
  await writer.settled();
  assert.deepEqual(written, [1]);
});

test('writes are spaced by minIntervalMs: the first at once, the newest value after the interval', async () => {
  let now = 1_000;
  const written: [number, number][] = [];
  const slept: number[] = [];
  const writer = createLatestWriter<number>({
    write: async (value) => {
      written.push([value, now]);
    },
    coalesced: () => undefined,
    failed: () => undefined,
    minIntervalMs: 100,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  });
  writer.submit(1);
  await writer.settled();
  now += 30;
  writer.submit(2);
  writer.submit(3);
  await writer.settled();
  assert.deepEqual(written, [[1, 1_000], [3, 1_100]]);
  assert.deepEqual(slept, [70]);
});
