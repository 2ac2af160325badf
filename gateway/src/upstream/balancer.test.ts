import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pickLeastRequest, pickRendezvous, pickRoundRobin, type BalancedEntry } from './balancer.js';
import { hashKey, mix } from './hash.js';

interface Entry extends BalancedEntry {
  weight: number;
  available: boolean;
  inFlight: number;
}

const entries = (...weights: number[]): Entry[] =>
  weights.map((weight, index) => ({ weight, available: true, inFlight: 0, currentWeight: 0, seed: hashKey(`target-${index}`) }));

/** A seeded PRNG (mulberry32), so statistical tests are reproducible. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Asserts each count is within 4 binomial standard deviations of n·weight/total. */
function assertBinomial(counts: number[], weights: number[], n: number): void {
  const total = weights.reduce((a, b) => a + b, 0);
  counts.forEach((count, index) => {
    const p = (weights[index] as number) / total;
    const sigma = Math.sqrt(n * p * (1 - p));
    assert.ok(Math.abs(count - n * p) <= 4 * sigma + 1e-9, `target ${index}: ${count} picks, expected ${n * p} ± ${4 * sigma}`);
  });
}

test('smooth weighted round-robin interleaves weights 5,1,1 as a a b a c a a (nginx)', () => {
  const list = entries(5, 1, 1);
  const order = Array.from({ length: 14 }, () => 'abc'[pickRoundRobin(list)]).join('');
  assert.equal(order, 'aabacaaaabacaa');
});

test('round-robin gives equal weights exactly equal shares and weight 0 none', () => {
  const list = entries(1, 1, 1, 0);
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < 300; i++) (counts[pickRoundRobin(list)] as number)++;
  assert.deepEqual(counts, [100, 100, 100, 0]);
});

test('round-robin skips unavailable and excluded entries, and answers -1 when none is left', () => {
  const list = entries(1, 1, 1);
  list[1]!.available = false;
  for (let i = 0; i < 10; i++) assert.notEqual(pickRoundRobin(list), 1);
  for (let i = 0; i < 10; i++) assert.equal(pickRoundRobin(list, list[0]), 2);
  list[0]!.available = false;
  list[2]!.available = false;
  assert.equal(pickRoundRobin(list), -1);
  assert.equal(pickRoundRobin(entries(0)), -1);
  assert.equal(pickRoundRobin(entries(1)), 0);
});

test('least-request with nothing in flight follows the weights within 4 sigma over 10,000 picks', () => {
  const weights = [1, 2, 7];
  const list = entries(...weights);
  const random = seeded(42);
  const counts = [0, 0, 0];
  for (let i = 0; i < 10_000; i++) (counts[pickLeastRequest(list, random)] as number)++;
  assertBinomial(counts, weights, 10_000);
});

test('least-request prefers the target with fewer requests in flight per weight, and never a weight-0 one', () => {
  const list = entries(1, 1, 0);
  list[0]!.inFlight = 10;
  const random = seeded(7);
  const counts = [0, 0, 0];
  for (let i = 0; i < 1_000; i++) (counts[pickLeastRequest(list, random)] as number)++;
  assert.equal(counts[2], 0);
  // Only a draw of the busy target twice picks it: about a quarter.
  assert.ok((counts[1] as number) > 650, `the idle target got ${counts[1]} of 1000`);
  list[0]!.available = false;
  list[1]!.available = false;
  assert.equal(pickLeastRequest(list, random), -1);
});

test('weighted rendezvous hashing follows the weights within 4 sigma over 10,000 keys', () => {
  const weights = [1, 3, 6];
  const list = entries(...weights);
  const counts = [0, 0, 0];
  for (let i = 0; i < 10_000; i++) (counts[pickRendezvous(list, hashKey(`user-${i}`), mix)] as number)++;
  assertBinomial(counts, weights, 10_000);
});

test('consistent hashing: the same key always lands on the same target', () => {
  const list = entries(1, 1, 1, 1);
  for (let i = 0; i < 100; i++) {
    const key = hashKey(`session-${i}`);
    assert.equal(pickRendezvous(list, key, mix), pickRendezvous(list, key, mix));
  }
});

test('consistent hashing: when 1 of 4 targets leaves, only its keys move (about 25%, not 75%)', () => {
  const list = entries(1, 1, 1, 1);
  const keys = Array.from({ length: 10_000 }, (_, i) => hashKey(`key-${i}`));
  const before = keys.map((key) => pickRendezvous(list, key, mix));
  list[2]!.available = false;
  const after = keys.map((key) => pickRendezvous(list, key, mix));
  let moved = 0;
  keys.forEach((_, i) => {
    if (before[i] !== after[i]) {
      moved++;
      assert.equal(before[i], 2, 'a key moved that the leaving target did not own');
    }
  });
  const share = moved / keys.length;
  assert.ok(share > 0.22 && share < 0.28, `moved ${share}`);
});
