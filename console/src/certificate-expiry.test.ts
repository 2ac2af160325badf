import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expiryBadge, expiryState } from './certificate-expiry.js';

const now = new Date('2026-11-30T12:00:00Z');
const inDays = (days: number) => new Date(now.getTime() + days * 86_400_000);

test('a certificate with 14 days or more left is valid, under 14 days expiring, at or past notAfter expired', () => {
  assert.deepEqual(expiryState(inDays(90), now), { kind: 'valid', daysLeft: 90 });
  assert.deepEqual(expiryState(inDays(14), now), { kind: 'valid', daysLeft: 14 });
  assert.deepEqual(expiryState(inDays(13.9), now), { kind: 'expiring', daysLeft: 13 });
  assert.deepEqual(expiryState(inDays(0.5), now), { kind: 'expiring', daysLeft: 0 });
  assert.deepEqual(expiryState(now, now), { kind: 'expired' });
  assert.deepEqual(expiryState(inDays(-3), now), { kind: 'expired' });
});

test('the badge names the days left or says expired; a valid certificate has none', () => {
  assert.equal(expiryBadge({ kind: 'expiring', daysLeft: 9 }), 'Expires in 9 days');
  assert.equal(expiryBadge({ kind: 'expiring', daysLeft: 1 }), 'Expires in 1 day');
  assert.equal(expiryBadge({ kind: 'expiring', daysLeft: 0 }), 'Expires within a day');
  assert.equal(expiryBadge({ kind: 'expired' }), 'Expired');
  assert.equal(expiryBadge({ kind: 'valid', daysLeft: 30 }), null);
});
