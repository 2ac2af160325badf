import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeRequestTarget, requestTargetProblem } from './normalize-path.js';

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

test('only origin-form targets are routed: fragments, controls, spaces, non-ASCII, absolute- and asterisk-form are refused', () => {
  const refused: [string, RegExp][] = [
    ['/secure#x', /fragment/],
    ['/secure#', /fragment/],
    ['/open?a=1#/secure', /fragment/],
    ['/%23ok#', /fragment/],
    ['/a\u0000b', /control/],
    ['/a\u0001b', /control/],
    ['/a\tb', /control/],
    ['/a\rb', /control/],
    ['/a\nb', /control/],
    ['/a b', /control/],
    ['/a\u001fb', /control/],
    ['/a\u007fb', /control/],
    ['/caf\u00c3\u00a9', /non-ASCII/],
    ['/a?q=\u0080', /non-ASCII/],
    ['http://evil.test/secure', /absolute-form/],
    ['HTTPS://evil.test/', /absolute-form/],
    ['mailto:x', /absolute-form/],
    ['*', /asterisk-form/],
    ['secure', /absolute path/],
    ['', /absolute path/],
  ];
  for (const [target, reason] of refused) {
    const result = normalizeRequestTarget(target);
    assert.equal(result.ok, false, JSON.stringify(target));
    assert.match((result as { reason: string }).reason, reason, JSON.stringify(target));
  }
});

test('every printable ASCII character but # passes the origin-form check', () => {
  let printable = '';
  for (let code = 0x21; code < 0x7f; code++) if (code !== 0x23 && code !== 0x5c && code !== 0x25) printable += String.fromCharCode(code);
  assert.equal(requestTargetProblem(`/${printable}`), null);
  assert.equal(requestTargetProblem('/%23?x=%23'), null, 'an encoded # is data, not a fragment');
});
