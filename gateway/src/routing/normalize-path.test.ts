import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeRequestTarget } from './normalize-path.js';

test('dot segments are resolved, // collapsed, unreserved escapes decoded, the query kept apart', () => {
  const cases: [string, string, string][] = [
    ['/users/1', '/users/1', ''],
    ['/public/../admin', '/admin', ''],
    ['/a/./b/../c?x=1&y=/..', '/a/c', '?x=1&y=/..'],
    ['/a//b///c', '/a/b/c', ''],
    ['/a/b/', '/a/b/', ''],
    ['/a/b/..', '/a/', ''],
    ['/%61dmin', '/admin', ''],
    ['/public/%2e%2e/admin', '/admin', ''],
    ['/caf%c3%a9', '/caf%C3%A9', ''],
    ['/', '/', ''],
  ];
  for (const [input, path, query] of cases) {
    assert.deepEqual(normalizeRequestTarget(input), { ok: true, path, query }, input);
  }
});

test('encoded separators, backslashes, bad escapes and climbing above the root are refused', () => {
  for (const input of ['/a%2Fb', '/a%2fb', '/a%5Cb', '/a%5cb', '/a\\b', '/..', '/a/../..', '/%2e%2e', '/a%zz', '/a%4', 'http://x/', '*']) {
    const result = normalizeRequestTarget(input);
    assert.equal(result.ok, false, input);
  }
});
