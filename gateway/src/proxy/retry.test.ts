import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isRetriable, isTimeout } from './retry.js';

const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
const reset = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
const connectTimeout = Object.assign(new Error('connect timeout'), { code: 'UND_ERR_CONNECT_TIMEOUT' });

test('only idempotent methods without a body, on errors before any byte went out, within the retry budget', () => {
  const cases: [string, boolean, unknown, number, number, boolean][] = [
    ['GET', false, refused, 0, 1, true],
    ['GET', false, connectTimeout, 0, 1, true],
    ['HEAD', false, refused, 1, 2, true],
    ['GET', false, refused, 1, 1, false],
    ['GET', false, reset, 0, 3, false],
    ['POST', false, refused, 0, 3, false],
    ['PATCH', false, refused, 0, 3, false],
    ['PUT', true, refused, 0, 3, false],
    ['DELETE', false, { cause: refused }, 0, 1, true],
  ];
  for (const [method, hasBody, error, attempt, retries, expected] of cases) {
    assert.equal(isRetriable(method, hasBody, error, attempt, retries), expected, `${method} ${String(hasBody)} ${attempt}/${retries}`);
  }
});

test('timeouts are told apart from other failures', () => {
  assert.equal(isTimeout(connectTimeout), true);
  assert.equal(isTimeout({ code: 'UND_ERR_HEADERS_TIMEOUT' }), true);
  assert.equal(isTimeout(refused), false);
});
