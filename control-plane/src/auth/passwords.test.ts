import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSlots, hashPassword, verifyPassword } from './passwords.js';

test('slots run at most their number of tasks at once, the rest in arrival order', async () => {
  const inSlot = createSlots(2);
  let running = 0;
  let most = 0;
  const order: number[] = [];
  const releases: (() => void)[] = [];
  const tasks = Array.from({ length: 5 }, (_, i) =>
    inSlot(async () => {
      running += 1;
      most = Math.max(most, running);
      order.push(i);
      await new Promise<void>((resolve) => releases.push(resolve));
      running -= 1;
      return i;
    }),
  );
  while (order.length < 5) {
    await new Promise((r) => setImmediate(r));
    releases.shift()?.();
  }
  for (const release of releases) release();
  assert.deepEqual(await Promise.all(tasks), [0, 1, 2, 3, 4]);
  assert.equal(most, 2);
  assert.deepEqual(order, [0, 1, 2, 3, 4]);
});

test('a task that fails frees its slot', async () => {
  const inSlot = createSlots(1);
  await assert.rejects(inSlot(async () => Promise.reject(new Error('boom'))), /boom/);
  assert.equal(await inSlot(async () => 'next'), 'next');
});

test('hashes are bcrypt cost 10 and verify only the right password', async () => {
  const hash = await hashPassword('correct horse battery');
  assert.match(hash, /^\$2b\$10\$/);
  assert.equal(await verifyPassword('correct horse battery', hash), true);
  assert.equal(await verifyPassword('wrong horse battery', hash), false);
  assert.equal(await verifyPassword('correct horse battery', null), false);
});
