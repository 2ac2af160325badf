import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTenantGate, tenantGateLimits, TenantBusyError, type TenantGateLimits } from './tenant-gate.js';

const limits: TenantGateLimits = { running: 2, queued: 2, writers: 1, queuedWriters: 2, maxWaitMs: 60_000 };

/** Work that runs until `finish` is called, counting how many run at once. */
function blocker() {
  let running = 0;
  let peak = 0;
  const finishers: (() => void)[] = [];
  const work = () =>
    new Promise<void>((resolve) => {
      running += 1;
      peak = Math.max(peak, running);
      finishers.push(() => {
        running -= 1;
        resolve();
      });
    });
  return { work, finishOne: () => finishers.shift()?.(), get running() { return running; }, get peak() { return peak; } };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test('a pool of 20 gives each tenant 5 running, a pool of 4 still 2', () => {
  assert.equal(tenantGateLimits(20).running, 5);
  assert.equal(tenantGateLimits(4).running, 2);
  assert.equal(tenantGateLimits(100).running, 25);
  assert.equal(tenantGateLimits(20).writers, 2, 'one writer on the tenant lock, one waiting on it');
});

test('a tenant runs at most `running` pieces at once, queues `queued` more and refuses the rest as busy', async () => {
  const gate = createTenantGate(limits);
  const b = blocker();
  const results = Array.from({ length: 6 }, () => gate.run('t', 'read', b.work).then(() => 'done', (error: unknown) => error));
  await settle();
  assert.equal(b.running, 2);
  const refused = await Promise.all(results.slice(4));
  for (const error of refused) assert.ok(error instanceof TenantBusyError && error.reason === 'busy');
  for (let i = 0; i < 4; i++) {
    b.finishOne();
    await settle();
  }
  assert.deepEqual(await Promise.all(results.slice(0, 4)), ['done', 'done', 'done', 'done']);
  assert.equal(b.peak, 2);
  assert.equal(gate.activeTenants, 0, 'an idle tenant is forgotten');
});

test("one tenant's full queue does not stop another tenant", async () => {
  const gate = createTenantGate(limits);
  const b = blocker();
  const storm = Array.from({ length: 10 }, () => gate.run('noisy', 'read', b.work).catch(() => undefined));
  await settle();
  assert.equal(await gate.run('quiet', 'read', async () => 'served'), 'served');
  while (b.running > 0) {
    b.finishOne();
    await settle();
  }
  await Promise.all(storm);
});

test("a tenant's writers take turns (here one at a time) while its readers go on beside them", async () => {
  const gate = createTenantGate({ ...limits, running: 3 });
  const writes = blocker();
  const w = [gate.run('t', 'write', writes.work), gate.run('t', 'write', writes.work)];
  await settle();
  assert.equal(writes.running, 1, 'the second writer waits without a slot');
  assert.equal(await gate.run('t', 'read', async () => 'read'), 'read');
  writes.finishOne();
  await settle();
  assert.equal(writes.running, 1);
  writes.finishOne();
  await Promise.all(w);
  assert.equal(writes.peak, 1);
});

test('work that waits longer than maxWaitMs gives up with a timeout, and its place is freed', async () => {
  const gate = createTenantGate({ running: 1, queued: 1, writers: 1, queuedWriters: 1, maxWaitMs: 20 });
  const b = blocker();
  const first = gate.run('t', 'read', b.work);
  await settle();
  await assert.rejects(gate.run('t', 'read', async () => undefined), (error) => error instanceof TenantBusyError && error.reason === 'timeout');
  b.finishOne();
  await first;
  assert.equal(await gate.run('t', 'read', async () => 'again'), 'again');
});

test('a failing piece of work releases its slot', async () => {
  const gate = createTenantGate({ running: 1, queued: 0, writers: 1, queuedWriters: 0, maxWaitMs: 1_000 });
  await assert.rejects(gate.run('t', 'write', async () => Promise.reject(new Error('boom'))), /boom/);
  assert.equal(await gate.run('t', 'write', async () => 'next'), 'next');
});
