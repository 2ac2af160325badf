import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorCode, isTimeout } from './retry.js';

const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
const connectTimeout = Object.assign(new Error('connect timeout'), { code: 'UND_ERR_CONNECT_TIMEOUT' });

test('the error code is found on the error or on its causes', () => {
  assert.equal(errorCode(refused), 'ECONNREFUSED');
  assert.equal(errorCode({ cause: { cause: refused } }), 'ECONNREFUSED');
  assert.equal(errorCode(new Error('no code')), undefined);
  assert.equal(errorCode('ECONNREFUSED'), undefined);
});

test('timeouts are told apart from other failures', () => {
  assert.equal(isTimeout(connectTimeout), true);
  assert.equal(isTimeout({ code: 'UND_ERR_HEADERS_TIMEOUT' }), true);
  assert.equal(isTimeout(refused), false);
});
