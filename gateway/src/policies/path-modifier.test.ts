import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modifiedPath } from './path-modifier.js';

test('replacePrefixMatch replaces the matched prefix and keeps the rest (Gateway API examples)', () => {
  // prefix /foo matched: rest is what follows it.
  assert.equal(modifiedPath({ replacePrefixMatch: '/xyz' }, '/foo/bar', '/bar'), '/xyz/bar');
  assert.equal(modifiedPath({ replacePrefixMatch: '/xyz/' }, '/foo/bar', '/bar'), '/xyz/bar');
  assert.equal(modifiedPath({ replacePrefixMatch: '/xyz' }, '/foo', '/'), '/xyz');
  assert.equal(modifiedPath({ replacePrefixMatch: '/xyz' }, '/foo/', '/'), '/xyz/');
  assert.equal(modifiedPath({ replacePrefixMatch: '/' }, '/foo/bar', '/bar'), '/bar');
  assert.equal(modifiedPath({ replacePrefixMatch: '/' }, '/foo', '/'), '/');
});

test('replaceFullPath replaces the whole path', () => {
  assert.equal(modifiedPath({ replaceFullPath: '/profile' }, '/users/7', '/7'), '/profile');
});
