import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { isRepeatedPattern, secretAlphabetSize, secretBits, secretWeakness, shortestPeriod } from './secret-strength.js';

test('the alphabet is hex when every character is a hex digit of one case, else the sum of the classes used', () => {
  const cases: [string, number][] = [
    ['0123456789abcdef', 16],
    ['0123456789ABCDEF', 16],
    ['deadbeef', 16],
    ['0123456789', 10],
    ['0123456789abcdefABCDEF', 26 + 26 + 10],
    ['abcdefghijklmnopqrstuvwxyz', 26],
    ['ABCDEFGHIJKLMNOPQRSTUVWXYZ', 26],
    ['abcXYZ', 52],
    ['abcXYZ019', 62],
    ['a-b', 26 + 33],
    ['abcXYZ019+/=', 95],
    ['!@#$', 33],
    ['héllo', 26 + 33],
    ['', 0],
  ];
  for (const [value, size] of cases) assert.equal(secretAlphabetSize(value), size, value);
});

test('bits are length × log2(alphabet), rounded down', () => {
  assert.equal(secretBits('ab'.repeat(16)), 128); // 32 × log2(16)
  assert.equal(secretBits('g'.repeat(32)), Math.floor(32 * Math.log2(26)));
  assert.equal(secretBits('1'.repeat(31)), 102);
  assert.equal(secretBits(''), 0);
});

test('the shortest period finds repetition with a cut-short last copy', () => {
  const cases: [string, number][] = [
    ['aaaa', 1],
    ['abcabcab', 3],
    ['abcabcabc', 3],
    ['abcd', 4],
    ['abab' + 'x', 5],
    ['', 0],
  ];
  for (const [value, period] of cases) assert.equal(shortestPeriod(value), period, value);
});

test('a repeated pattern is any string made of at least two copies of one piece', () => {
  for (const value of ['a'.repeat(32), 'abc'.repeat(11), 'secretsecret', '0123456789abcdef'.repeat(3).slice(0, 42), 'xy'.repeat(20) + 'x']) {
    assert.equal(isRepeatedPattern(value), true, value);
  }
  for (const value of ['a', 'ab', 'abcab', 'a'.repeat(31) + 'b', randomBytes(32).toString('hex')]) {
    assert.equal(isRepeatedPattern(value), false, value);
  }
});

test('secrets from openssl rand pass, weak ones are refused with the reason', () => {
  const strong = [
    randomBytes(32).toString('hex'), // openssl rand -hex 32
    randomBytes(32).toString('base64'), // openssl rand -base64 32 (44 characters with + / =)
    randomBytes(16).toString('hex'), // 32 hex characters: exactly 128 bits
    'operator-e2e-jwt-secret-0123456789abcdef',
  ];
  for (const value of strong) assert.equal(secretWeakness(value), undefined, value);
  const weak: [string, RegExp][] = [
    ['a'.repeat(32), /is one repeated pattern/],
    ['abc'.repeat(11), /is one repeated pattern/],
    ['x'.repeat(64), /is one repeated pattern/],
    ['0123456789abcdef0123456789abcdef0123456789', /is one repeated pattern/],
    ['too-short', /must be at least 32 characters/],
    [randomBytes(15).toString('hex'), /must be at least 32 characters/],
    ['31415926535897932384626433832795', /is too weak: about 106 bits .*at least 128 needed/],
  ];
  for (const [value, reason] of weak) assert.match(secretWeakness(value) ?? 'accepted', reason, value);
});

test('callers may ask for a different length and strength', () => {
  assert.equal(secretWeakness('0123456789abcdef', 16, 64), undefined);
  assert.match(secretWeakness(randomBytes(16).toString('hex'), 32, 256) ?? 'accepted', /about 128 bits/);
});
