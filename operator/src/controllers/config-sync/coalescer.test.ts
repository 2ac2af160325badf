import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Coalescer } from './coalescer.js';

test('callers arriving during a run share exactly one follow-up run, which sees their state', async () => {
  const coalescer = new Coalescer<number>();
  let runs = 0;
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const work = async () => {
    runs += 1;
    const run = runs;
    if (run === 1) await gate;
    return run;
  };
  const first = coalescer.run('tenant', work);
  const others = [coalescer.run('tenant', work), coalescer.run('tenant', work), coalescer.run('tenant', work)];
  const unrelated = await coalescer.run('other-tenant', work);
  release();
  assert.equal(await first, 1);
  assert.deepEqual(await Promise.all(others), [3, 3, 3]);
  assert.equal(unrelated, 2);
  assert.equal(await coalescer.run('tenant', work), 4, 'a later caller starts a fresh run');
});

test('a failed run rejects its callers and does not block the next one', async () => {
  const coalescer = new Coalescer<string>();
  await assert.rejects(coalescer.run('k', async () => Promise.reject(new Error('boom'))), /boom/);
  assert.equal(await coalescer.run('k', async () => 'ok'), 'ok');
});
