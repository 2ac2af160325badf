// GatewayError: what a refused request carries, without the stack trace an answer has no use for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError, rateLimited, unauthorized } from './errors.js';

function nested(depth: number, make: () => Error): Error {
  return depth === 0 ? make() : nested(depth - 1, make);
}

test('a GatewayError keeps its status, code, message, headers and reason, and is an Error', () => {
  const error = unauthorized('bad_signature', 'the token signature is invalid');
  assert.ok(error instanceof GatewayError);
  assert.ok(error instanceof Error);
  assert.equal(error.name, 'GatewayError');
  assert.equal(error.status, 401);
  assert.equal(error.code, 'unauthorized');
  assert.equal(error.message, 'the token signature is invalid');
  assert.deepEqual(error.headers, { 'www-authenticate': 'Bearer' });
  assert.equal(error.authReason, 'bad_signature');
  assert.deepEqual(rateLimited({ 'retry-after': '3' }).headers, { 'retry-after': '3' });
});

test('a GatewayError captures no stack frames, however deep it is made', () => {
  const error = nested(20, () => new GatewayError(503, 'shutting_down', 'gateway is shutting down'));
  assert.equal(error.stack, 'GatewayError: gateway is shutting down');
  assert.doesNotMatch(String(error.stack), /\n\s+at /);
});

test('making a GatewayError leaves Error.stackTraceLimit as it was: other errors keep their stacks', () => {
  const before = Error.stackTraceLimit;
  try {
    for (const limit of [before, 3, 50]) {
      Error.stackTraceLimit = limit;
      unauthorized('missing_token', 'a Bearer token is required');
      assert.equal(Error.stackTraceLimit, limit);
      const ordinary = nested(60, () => new Error('a fault'));
      const frames = String(ordinary.stack).split('\n').filter((line) => /^\s+at /.test(line)).length;
      assert.equal(frames, limit, `stackTraceLimit ${limit}`);
    }
  } finally {
    Error.stackTraceLimit = before;
  }
});
