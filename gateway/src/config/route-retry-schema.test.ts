// routes[].retry and routes[].timeouts (DESIGN §10): bounds, conditions, and policies a route cannot honour.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateGatewayConfig } from './validate.js';

const services = [{ name: 'users', url: 'http://users:8080' }];
const route = (extra: Record<string, unknown>) => ({ services, routes: [{ name: 'r', service: 'users', paths: ['/x'], ...extra }] });

function pathsOfProblems(input: unknown): string[] {
  const result = validateGatewayConfig(input);
  assert.equal(result.ok, false, 'config should have been refused');
  return result.ok ? [] : result.problems.map((problem) => problem.path);
}

test('a retry gets its documented defaults; timeouts stay as written', () => {
  const result = validateGatewayConfig(route({ retry: { attempts: 2 }, timeouts: { requestMs: 1_000 } }));
  assert.ok(result.ok);
  assert.deepEqual(result.value.routes[0]?.retry, { attempts: 2, on: ['connect-failure'], backoffMs: 25 });
  assert.deepEqual(result.value.routes[0]?.timeouts, { requestMs: 1_000 });
});

test('attacker: huge, negative, fractional and unknown retry and timeout values are refused naming the field', () => {
  assert.deepEqual(pathsOfProblems(route({ retry: { attempts: 1_000_000 } })), ['routes[0].retry.attempts']);
  assert.deepEqual(pathsOfProblems(route({ retry: { attempts: -1 } })), ['routes[0].retry.attempts']);
  assert.deepEqual(pathsOfProblems(route({ retry: { attempts: 1.5 } })), ['routes[0].retry.attempts']);
  assert.deepEqual(pathsOfProblems(route({ retry: { attempts: 1, on: ['500'] } })), ['routes[0].retry.on[0]']);
  assert.deepEqual(pathsOfProblems(route({ retry: { attempts: 1, on: [] } })), ['routes[0].retry.on']);
  assert.deepEqual(pathsOfProblems(route({ retry: { attempts: 1, backoffMs: 1e12 } })), ['routes[0].retry.backoffMs']);
  assert.deepEqual(pathsOfProblems(route({ timeouts: { requestMs: 1e12 } })), ['routes[0].timeouts.requestMs']);
  assert.deepEqual(pathsOfProblems(route({ timeouts: { backendRequestMs: -5 } })), ['routes[0].timeouts.backendRequestMs']);
  assert.deepEqual(pathsOfProblems(route({ timeouts: { perTryMs: 5 } })), ['routes[0].timeouts.perTryMs']);
});

test('backendRequestMs above requestMs is refused; either at 0 (disabled) is not compared', () => {
  assert.deepEqual(pathsOfProblems(route({ timeouts: { requestMs: 100, backendRequestMs: 200 } })), ['routes[0].timeouts.backendRequestMs']);
  assert.ok(validateGatewayConfig(route({ timeouts: { requestMs: 0, backendRequestMs: 200 } })).ok);
  assert.ok(validateGatewayConfig(route({ timeouts: { requestMs: 100, backendRequestMs: 0 } })).ok);
});

test('a route of only non-idempotent methods cannot retry on anything but connect-failure', () => {
  assert.deepEqual(pathsOfProblems(route({ methods: ['POST'], retry: { attempts: 2, on: ['503'] } })), ['routes[0].retry.on']);
  assert.ok(validateGatewayConfig(route({ methods: ['POST'], retry: { attempts: 2, on: ['connect-failure', '503'] } })).ok);
  assert.ok(validateGatewayConfig(route({ methods: ['POST', 'GET'], retry: { attempts: 2, on: ['503'] } })).ok);
});
