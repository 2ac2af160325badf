import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMessageRates, createTokenBucket, messageUnits, type MessageRateRules } from './message-rates.js';

test('a token bucket grants its burst, then its rate, never more', () => {
  const bucket = createTokenBucket({ perSecond: 10, burst: 20 }, 0);
  assert.equal(bucket.take(25, 0), 20);
  assert.equal(bucket.take(5, 0), 0);
  assert.equal(bucket.take(50, 1_000), 10);
  assert.equal(bucket.take(50, 100_000), 20, 'refill stops at the burst');
});

test('reserving past the tokens answers the wait for the debt to clear', () => {
  const bucket = createTokenBucket({ perSecond: 10, burst: 2 }, 0);
  assert.equal(bucket.reserve(1, 0), 0);
  assert.equal(bucket.reserve(1, 0), 0);
  assert.equal(bucket.reserve(1, 0), 100);
  assert.equal(bucket.reserve(1, 0), 200);
  assert.equal(bucket.reserve(1, 1_000), 0, 'a second later the debt is paid');
});

const rules: MessageRateRules = {
  connectionMessages: { perSecond: 10, burst: 10 },
  tenantMessages: { perSecond: 15, burst: 15 },
  connectionLogEntries: { perSecond: 100, burst: 1_000 },
  tenantLogEntries: { perSecond: 150, burst: 1_500 },
};

test('log entries past a connection rate are dropped and said to be', () => {
  let now = 0;
  const rates = createMessageRates(rules, () => now);
  const connection = rates.connection('t1');
  assert.deepEqual(connection.logEntries(500), { granted: 500, droppedByConnection: 0, droppedByTenant: 0 });
  assert.deepEqual(connection.logEntries(700), { granted: 500, droppedByConnection: 200, droppedByTenant: 0 });
  assert.deepEqual(connection.logEntries(500), { granted: 0, droppedByConnection: 500, droppedByTenant: 0 });
  now = 1_000;
  assert.equal(connection.logEntries(500).granted, 100);
});

test('the connections of one tenant share its rate, and another tenant is not affected', () => {
  const rates = createMessageRates(rules, () => 0);
  const a = rates.connection('t1');
  const b = rates.connection('t1');
  const other = rates.connection('t2');
  assert.equal(a.logEntries(1_000).granted, 1_000);
  assert.deepEqual(b.logEntries(1_000), { granted: 500, droppedByConnection: 0, droppedByTenant: 500 });
  assert.equal(other.logEntries(1_000).granted, 1_000);
});

test('messages past the connection or tenant rate are delayed, not dropped', () => {
  const rates = createMessageRates(rules, () => 0);
  const a = rates.connection('t1');
  const b = rates.connection('t1');
  const delays = Array.from({ length: 12 }, () => a.messageDelayMs(100));
  assert.deepEqual(delays.slice(0, 10), Array(10).fill(0));
  assert.deepEqual(delays.slice(10), [100, 200]);
  // The tenant has 15 - 12 = 3 left for b.
  assert.deepEqual([b.messageDelayMs(100), b.messageDelayMs(100), b.messageDelayMs(100), b.messageDelayMs(100)], [0, 0, 0, 67]);
});

test('a tenant whose last connection left starts afresh (its state is not kept forever)', () => {
  const rates = createMessageRates(rules, () => 0);
  const a = rates.connection('t1');
  a.logEntries(1_500);
  a.release();
  a.release();
  assert.equal(rates.connection('t1').logEntries(1_000).granted, 1_000);
});

test('a big message costs more of the message rate than a small one', () => {
  assert.equal(messageUnits(100), 1);
  assert.equal(messageUnits(75 * 1024), 19);
  const rates = createMessageRates(rules, () => 0);
  const connection = rates.connection('t1');
  assert.equal(connection.messageDelayMs(36 * 1024), 0, '10 units: the whole burst');
  assert.equal(connection.messageDelayMs(100), 100);
});
