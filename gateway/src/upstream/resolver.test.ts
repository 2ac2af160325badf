// The shared resolver cache: one lookup per name per TTL, concurrent lookups shared, failures not kept, bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cachingResolver } from './resolver.js';

test('concurrent lookups of one name share one lookup; the answer is reused until the TTL ends', async () => {
  let clock = 0;
  const calls: string[] = [];
  let release: () => void = () => undefined;
  const resolver = cachingResolver(
    (name) => {
      calls.push(name);
      return new Promise((resolve) => (release = () => resolve([`10.0.0.${calls.length}`])));
    },
    1_000,
    () => clock,
  );
  const answers = [resolver('a.internal'), resolver('a.internal'), resolver('a.internal')];
  release();
  assert.deepEqual(await Promise.all(answers), [['10.0.0.1'], ['10.0.0.1'], ['10.0.0.1']]);
  assert.equal(calls.length, 1);
  clock = 999;
  assert.deepEqual(await resolver('a.internal'), ['10.0.0.1']);
  assert.equal(calls.length, 1, 'fresh: no new lookup');
  clock = 1_000;
  const again = resolver('a.internal');
  release();
  assert.deepEqual(await again, ['10.0.0.2']);
  assert.equal(calls.length, 2, 'stale: looked up again');
});

test('a failed lookup is not cached, and the cache holds at most maxNames names', async () => {
  let failing = true;
  let calls = 0;
  const resolver = cachingResolver(
    async (name) => {
      calls++;
      if (failing) throw new Error('SERVFAIL');
      return [name];
    },
    60_000,
    () => 0,
    2,
  );
  await assert.rejects(resolver('a'));
  failing = false;
  assert.deepEqual(await resolver('a'), ['a']);
  assert.equal(calls, 2);
  await resolver('b');
  await resolver('c'); // drops 'a', the oldest
  await resolver('a');
  assert.equal(calls, 5);
  await resolver('c');
  assert.equal(calls, 5);
});
