import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelayMs, failureOutcome, mayRetry, retryPolicyOf, statusOutcome, type AttemptOutcome, type BodyState } from './retry-policy.js';

const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
const reset = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
const connectTimeout = Object.assign(new Error('connect timeout'), { code: 'UND_ERR_CONNECT_TIMEOUT' });
const headersTimeout = Object.assign(new Error('headers timeout'), { code: 'UND_ERR_HEADERS_TIMEOUT' });

test('failures are classed as connect-failure, reset, timeout or other', () => {
  assert.equal(failureOutcome(refused), 'connect-failure');
  assert.equal(failureOutcome(connectTimeout), 'connect-failure');
  assert.equal(failureOutcome({ code: 'ENOTFOUND' }), 'connect-failure');
  assert.equal(failureOutcome({ cause: { code: 'EHOSTUNREACH', syscall: 'connect' } }), 'connect-failure');
  assert.equal(failureOutcome({ code: 'ETIMEDOUT', syscall: 'connect' }), 'connect-failure');
  assert.equal(failureOutcome(reset), 'reset');
  assert.equal(failureOutcome({ code: 'ECONNRESET' }), 'reset');
  assert.equal(failureOutcome(headersTimeout), 'timeout');
  assert.equal(failureOutcome({ code: 'HPE_INVALID_CONSTANT' }), 'other');
  assert.equal(failureOutcome(new Error('no code')), 'other');
  assert.equal(statusOutcome(502), '502');
  assert.equal(statusOutcome(503), '503');
  assert.equal(statusOutcome(504), '504');
  assert.equal(statusOutcome(500), undefined);
  assert.equal(statusOutcome(200), undefined);
});

test('ETIMEDOUT, EHOSTUNREACH and the like on an established connection are resets, so a POST is not replayed', () => {
  const policy = retryPolicyOf({ attempts: 2, on: ['connect-failure', 'reset'], backoffMs: 0 }, 0);
  for (const code of ['ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']) {
    for (const error of [{ code, syscall: 'read' }, { cause: { code, syscall: 'write' } }, { code }]) {
      assert.equal(failureOutcome(error), 'reset', `${code} ${JSON.stringify(error)}`);
      assert.equal(mayRetry(policy, failureOutcome(error), 'POST', 0, 'replayable', error), false, `POST on ${code}`);
      assert.equal(mayRetry(policy, failureOutcome(error), 'GET', 0, 'none', error), true, `GET on ${code}`);
    }
    const connecting = { cause: { code, syscall: 'connect' } };
    assert.equal(mayRetry(policy, failureOutcome(connecting), 'POST', 0, 'replayable', connecting), true, `POST on ${code} while connecting`);
  }
});

test('services[].retries (no route retry) keeps the old rule: idempotent methods without a body, errors before any byte', () => {
  const cases: [string, BodyState, unknown, number, number, boolean][] = [
    ['GET', 'none', refused, 0, 1, true],
    ['GET', 'none', connectTimeout, 0, 1, true],
    ['HEAD', 'none', refused, 1, 2, true],
    ['GET', 'none', refused, 1, 1, false],
    ['GET', 'none', reset, 0, 3, false],
    ['POST', 'none', refused, 0, 3, false],
    ['PATCH', 'none', refused, 0, 3, false],
    ['PUT', 'replayable', refused, 0, 3, false],
    ['DELETE', 'none', { cause: refused }, 0, 1, true],
    ['GET', 'none', { code: 'EHOSTUNREACH', syscall: 'read' }, 0, 1, true],
    ['POST', 'none', { code: 'EHOSTUNREACH', syscall: 'connect' }, 0, 1, false],
  ];
  for (const [method, body, error, retriesDone, retries, expected] of cases) {
    const policy = retryPolicyOf(undefined, retries);
    assert.equal(mayRetry(policy, failureOutcome(error), method, retriesDone, body, error), expected, `${method} ${body} ${retriesDone}/${retries}`);
  }
  assert.equal(mayRetry(retryPolicyOf(undefined, 3), '503', 'GET', 0, 'none'), false);
});

test('a route retry: conditions from `on`, non-idempotent methods only on connect-failure, a spent body never', () => {
  const policy = retryPolicyOf({ attempts: 2, on: ['connect-failure', 'reset', '503'], backoffMs: 0 }, 0);
  const cases: [AttemptOutcome, string, number, BodyState, boolean][] = [
    ['connect-failure', 'GET', 0, 'none', true],
    ['connect-failure', 'POST', 0, 'replayable', true],
    ['connect-failure', 'POST', 1, 'replayable', true],
    ['connect-failure', 'POST', 2, 'replayable', false],
    ['connect-failure', 'POST', 0, 'spent', false],
    ['reset', 'GET', 0, 'none', true],
    ['reset', 'PUT', 0, 'replayable', true],
    ['reset', 'POST', 0, 'replayable', false],
    ['timeout', 'GET', 0, 'none', true],
    ['503', 'GET', 0, 'none', true],
    ['503', 'POST', 0, 'none', false],
    ['503', 'PATCH', 0, 'none', false],
    ['503', 'GET', 0, 'spent', false],
    ['502', 'GET', 0, 'none', false],
    ['504', 'GET', 0, 'none', false],
    ['other', 'GET', 0, 'none', false],
  ];
  for (const [outcome, method, retriesDone, body, expected] of cases) {
    assert.equal(mayRetry(policy, outcome, method, retriesDone, body), expected, `${outcome} ${method} ${retriesDone} ${body}`);
  }
  const without = retryPolicyOf({ attempts: 2, on: ['503'], backoffMs: 0 }, 5);
  assert.equal(mayRetry(without, 'connect-failure', 'GET', 0, 'none'), false, 'connect-failure is a condition like the others');
  assert.equal(mayRetry(without, 'timeout', 'GET', 0, 'none'), false, 'a timed-out try counts as reset');
  assert.equal(mayRetry(retryPolicyOf({ attempts: 0, on: ['connect-failure'], backoffMs: 0 }, 5), 'connect-failure', 'GET', 0, 'none'), false);
});

test('backoff is full jitter over an exponential ceiling, capped at 10× the base and 2 s', () => {
  const policy = retryPolicyOf({ attempts: 10, on: ['reset'], backoffMs: 100 }, 0);
  const top = () => 0.999_999_9;
  assert.deepEqual([1, 2, 3, 4, 5, 9].map((retry) => backoffDelayMs(policy, retry, top)), [100, 200, 400, 800, 1000, 1000]);
  assert.equal(backoffDelayMs(policy, 3, () => 0), 0);
  assert.equal(backoffDelayMs(policy, 3, () => 0.5), 200);
  const large = retryPolicyOf({ attempts: 10, on: ['reset'], backoffMs: 1_000 }, 0);
  assert.equal(backoffDelayMs(large, 10, top), 2_000);
  const huge = retryPolicyOf({ attempts: 10, on: ['reset'], backoffMs: 10_000 }, 0);
  assert.equal(backoffDelayMs(huge, 10, top), 10_000, 'the base itself is never cut');
  assert.equal(backoffDelayMs(retryPolicyOf({ attempts: 3, on: ['reset'], backoffMs: 0 }, 0), 2, top), 0);
  assert.equal(backoffDelayMs(retryPolicyOf(undefined, 3), 1, top), 0, 'legacy retries have no backoff');
});
