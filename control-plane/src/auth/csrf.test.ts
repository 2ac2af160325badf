import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cookieWriteProblems, isStateChanging } from './csrf.js';
import { csrfTokenMatches, csrfTokenOf, sessionIdOf, SESSION_COOKIE } from './sessions.js';

const ORIGIN = 'https://novagate.example.com';
const SESSION = 'a'.repeat(43);
const TOKEN = csrfTokenOf(SESSION);

test('a cookie write is judged on its Origin and CSRF token header, naming each problem', () => {
  const cases: [string | undefined, string | undefined, string[]][] = [
    [ORIGIN, TOKEN, []],
    [ORIGIN, undefined, ['headers.x-csrf-token']],
    [ORIGIN, '', ['headers.x-csrf-token']],
    [ORIGIN, csrfTokenOf('b'.repeat(43)), ['headers.x-csrf-token']],
    [ORIGIN, TOKEN.slice(0, -1), ['headers.x-csrf-token']],
    [undefined, TOKEN, ['headers.origin']],
    ['null', TOKEN, ['headers.origin']],
    [`${ORIGIN}/`, TOKEN, ['headers.origin']],
    ['https://novagate.example.com.evil.example', TOKEN, ['headers.origin']],
    ['http://novagate.example.com', TOKEN, ['headers.origin']],
    ['https://evil.example', undefined, ['headers.x-csrf-token', 'headers.origin']],
  ];
  for (const [origin, csrfToken, expected] of cases) {
    const problems = cookieWriteProblems({ origin, csrfToken, expectedOrigin: ORIGIN, csrfMatches: (token) => csrfTokenMatches(SESSION, token) });
    assert.deepEqual(problems.map((p) => p.path), expected, `${origin} ${csrfToken}`);
  }
});

test('only GET, HEAD and OPTIONS are safe methods', () => {
  assert.deepEqual(['GET', 'HEAD', 'OPTIONS', 'get', 'POST', 'PUT', 'PATCH', 'DELETE'].map(isStateChanging), [false, false, false, false, true, true, true, true]);
});

test("the session cookie is found among others; the first of two wins; other cookies' values are never taken", () => {
  assert.equal(sessionIdOf(`a=1; ${SESSION_COOKIE}=abc; b=2`), 'abc');
  assert.equal(sessionIdOf(`${SESSION_COOKIE}=first; ${SESSION_COOKIE}=second`), 'first');
  assert.equal(sessionIdOf(`x${SESSION_COOKIE}=abc`), null);
  assert.equal(sessionIdOf('novagate_session=abc'), null);
  assert.equal(sessionIdOf(undefined), null);
});
