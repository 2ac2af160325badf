import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressSubject, createKeyGuessThrottle } from './key-guess-throttle.js';

const rule = { failures: 3, windowMs: 60_000, maxAddresses: 100 };

test('past the failure limit an address is refused until its window ends, with the seconds left', () => {
  let now = 0;
  const throttle = createKeyGuessThrottle(rule, () => now);
  for (let i = 0; i < 3; i++) {
    assert.deepEqual(throttle.check('203.0.113.9'), { allowed: true });
    throttle.failed('203.0.113.9');
  }
  now = 15_000;
  assert.deepEqual(throttle.check('203.0.113.9'), { allowed: false, retryAfterSeconds: 45, firstRefusal: true });
  assert.deepEqual(throttle.check('203.0.113.9'), { allowed: false, retryAfterSeconds: 45, firstRefusal: false });
  assert.deepEqual(throttle.check('203.0.113.10'), { allowed: true }, 'another address is not affected');
  now = 60_000;
  assert.deepEqual(throttle.check('203.0.113.9'), { allowed: true });
});

test('checks alone never count: only failures do', () => {
  const throttle = createKeyGuessThrottle(rule, () => 0);
  for (let i = 0; i < 1_000; i++) assert.deepEqual(throttle.check('198.51.100.1'), { allowed: true });
});

test('IPv6 addresses are counted per /64', () => {
  assert.equal(addressSubject('2001:db8:0:1::5'), '2001:db8:0:1::/64');
  assert.equal(addressSubject('2001:0db8:0000:0001:aaaa:bbbb:cccc:dddd'), '2001:db8:0:1::/64');
  assert.equal(addressSubject('::1'), '0:0:0:0::/64');
  assert.equal(addressSubject('192.0.2.1'), '192.0.2.1');
  const throttle = createKeyGuessThrottle(rule, () => 0);
  for (let i = 0; i < 3; i++) throttle.failed(`2001:db8:0:1::${i + 1}`);
  assert.equal(throttle.check('2001:db8:0:1::ffff').allowed, false);
});

test('the remembered addresses stay bounded under a spray of addresses', () => {
  const throttle = createKeyGuessThrottle({ ...rule, maxAddresses: 10 }, () => 0);
  for (let i = 0; i < 1_000; i++) throttle.failed(`10.0.${i >> 8}.${i & 255}`);
  assert.equal(throttle.tracked(), 10);
  // The newest are still remembered; the oldest were forgotten to stay within the bound.
  throttle.failed('10.0.3.231');
  throttle.failed('10.0.3.231');
  assert.equal(throttle.check('10.0.3.231').allowed, false);
});
