import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FailureThrottle, throttleSubject } from './failure-throttle.js';

function throttle(maxAddresses = 100) {
  const clock = { now: 1_000_000 };
  return { clock, throttle: new FailureThrottle({ limit: 10, windowMs: 60_000, maxAddresses, now: () => clock.now }) };
}

test('an address is throttled after 10 failures in a minute, with the seconds left in its window', () => {
  const { clock, throttle: t } = throttle();
  for (let i = 0; i < 9; i++) t.record('203.0.113.7');
  assert.equal(t.retryAfterSeconds('203.0.113.7'), 0);
  t.record('203.0.113.7');
  clock.now += 15_500;
  assert.equal(t.retryAfterSeconds('203.0.113.7'), 45);
  assert.equal(t.retryAfterSeconds('203.0.113.8'), 0, 'another address is not affected');
  clock.now += 44_500;
  assert.equal(t.retryAfterSeconds('203.0.113.7'), 0, 'the window ended');
  t.record('203.0.113.7');
  assert.equal(t.retryAfterSeconds('203.0.113.7'), 0, 'a new window counts from one');
});

test('a refunded attempt does not count toward the limit', () => {
  const { throttle: t } = throttle();
  for (let i = 0; i < 10; i++) {
    t.record('198.51.100.1');
    t.refund('198.51.100.1');
  }
  for (let i = 0; i < 9; i++) t.record('198.51.100.1');
  assert.equal(t.retryAfterSeconds('198.51.100.1'), 0);
});

test('a flood of distinct addresses never holds more than the bound, expired windows leaving first', () => {
  const { clock, throttle: t } = throttle(1_000);
  for (let i = 0; i < 10; i++) t.record('192.0.2.1');
  clock.now += 1;
  for (let i = 0; i < 100_000; i++) t.record(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
  assert.ok(t.size <= 1_000, `size ${t.size}`);
  clock.now += 60_000;
  t.record('192.0.2.99');
  assert.equal(t.size, 1, 'every expired window was dropped to make room');
});

test('IPv6 addresses are counted per /64 and IPv4-mapped addresses as their IPv4 address', () => {
  assert.equal(throttleSubject('2001:db8:0:1::1'), '2001:db8:0:1::/64');
  assert.equal(throttleSubject('2001:DB8:0000:0001:ffff:1:2:3'), '2001:db8:0:1::/64');
  assert.equal(throttleSubject('::1'), '0:0:0:0::/64');
  assert.equal(throttleSubject('::ffff:192.0.2.7'), '192.0.2.7');
  assert.equal(throttleSubject('192.0.2.7'), '192.0.2.7');
});
