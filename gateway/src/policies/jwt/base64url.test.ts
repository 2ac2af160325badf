import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBase64url, isCanonicalBase64url } from './base64url.js';

test('only canonical unpadded base64url is accepted', () => {
  const good = Buffer.from('hello, world').toString('base64url'); // 16 characters, no padding needed
  const odd = Buffer.from('hi!').toString('base64url'); // 'aGkh'
  const two = Buffer.from([0xff, 0xee]).toString('base64url'); // '_-4': 2 spare bits, all zero
  for (const segment of [good, odd, two, '']) assert.equal(isCanonicalBase64url(segment), true, segment);
  const refused = [
    `${two}=`, // padding
    `${good}==`,
    `${good}!`, // a character Node's decoder skips
    `${good} `,
    '/+4', // base64, not base64url
    `${good}/`,
    '_-5', // same bytes as '_-4' with non-zero trailing bits
    '_-7',
    'a', // a length no encoding produces
    `${good}a`,
    'aGk=h',
  ];
  for (const segment of refused) assert.equal(isCanonicalBase64url(segment), false, segment);
  assert.equal(Buffer.from('_-5', 'base64url').equals(Buffer.from('_-4', 'base64url')), true, 'Node decodes both alike');
});

test('decodeBase64url gives the bytes of a canonical segment only', () => {
  assert.deepEqual(decodeBase64url('_-4'), Buffer.from([0xff, 0xee]));
  assert.equal(decodeBase64url('_-5'), undefined);
  assert.equal(decodeBase64url('_-4='), undefined);
});
