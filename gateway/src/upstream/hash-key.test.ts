import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cookieValue, hashKeyOf } from './hash-key.js';
import { MAX_HASHED_KEY_CHARS, hashKey } from './hash.js';

const context = (headers: Record<string, string | string[]>, clientIp?: string, consumer?: string) => ({ headers, clientIp, consumer });

test('the hash key comes from the named header, cookie, client IP or consumer; absent or empty is undefined', () => {
  assert.equal(hashKeyOf({ type: 'header', name: 'X-User' }, context({ 'x-user': 'ada' })), 'ada');
  assert.equal(hashKeyOf({ type: 'header', name: 'x-user' }, context({})), undefined);
  assert.equal(hashKeyOf({ type: 'header', name: 'x-user' }, context({ 'x-user': '' })), undefined);
  assert.equal(hashKeyOf({ type: 'cookie', name: 'sid' }, context({ cookie: 'a=1; sid=abc; b=2' })), 'abc');
  assert.equal(hashKeyOf({ type: 'cookie', name: 'sid' }, context({ cookie: ['a=1', 'sid=h2'] })), 'h2');
  assert.equal(hashKeyOf({ type: 'client-ip' }, context({}, '10.0.0.7')), '10.0.0.7');
  assert.equal(hashKeyOf({ type: 'consumer' }, context({}, '10.0.0.7', 'ada')), 'ada');
  assert.equal(hashKeyOf({ type: 'consumer' }, context({}, '10.0.0.7')), undefined);
});

test('attacker: malformed Cookie headers never throw and match nothing they should not', () => {
  const malformed = ['', ';', ';;;', '=', '==;=', 'sid', 'sid;', '=sid', ' ; sid ', 'sidx=1', 'x=sid=1', '\u0000sid=1', 'sid=', `${'a'.repeat(10_000)}=1; sid=ok`];
  for (const header of malformed) assert.doesNotThrow(() => cookieValue(header, 'sid'), header);
  assert.equal(cookieValue('sid', 'sid'), undefined);
  assert.equal(cookieValue('sid=', 'sid'), undefined);
  assert.equal(cookieValue('sidx=1', 'sid'), undefined);
  assert.equal(cookieValue('x=sid=1', 'sid'), undefined);
  assert.equal(cookieValue(' ; sid = v ;', 'sid'), 'v');
  assert.equal(cookieValue(`${'a'.repeat(10_000)}=1; sid=ok`, 'sid'), 'ok');
});

test('attacker: a huge hash key is read only up to its bound (the work per request is bounded)', () => {
  const huge = 'x'.repeat(1_000_000);
  const sameHeadSameLength = `${'x'.repeat(MAX_HASHED_KEY_CHARS)}${'y'.repeat(1_000_000 - MAX_HASHED_KEY_CHARS)}`;
  assert.equal(hashKey(huge), hashKey(sameHeadSameLength), 'characters past the bound are not read');
  assert.notEqual(hashKey(huge), hashKey(huge.slice(1)), 'the length still counts');
  assert.ok(Number.isInteger(hashKey(huge)) && hashKey(huge) >= 0 && hashKey(huge) < 2 ** 32);
});
