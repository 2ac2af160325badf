import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateGatewayConfig } from '../config/validate.js';
import type { PolicyDeps, PolicyEnv } from '../pipeline/policy.js';
import { createMemoryBackend } from './rate-limit/memory-backend.js';
import { compilePolicies, POLICY_DEFINITIONS } from './registry.js';

const EXPECTED = ['ip-restriction', 'cors', 'jwt', 'key-auth', 'basic-auth', 'acl', 'rate-limit', 'redirect', 'request-headers', 'response-headers', 'rewrite'];

function envFor(config: unknown): { env: PolicyEnv; route: NonNullable<ReturnType<typeof parsed>['routes'][number]> } {
  const value = parsed(config);
  const deps: PolicyDeps = {
    tenant: 'default',
    jwtSecret: Buffer.from('secret'),
    rateLimitBackend: createMemoryBackend(),
    failureMode: 'open',
    now: Date.now,
    onRateLimitBackendError: () => undefined,
    onRateLimited: () => undefined,
  };
  const shared = new Map<string, unknown>();
  const env: PolicyEnv = {
    deps,
    config: value,
    routeIndex: 0,
    shared: <T>(key: string, build: () => T) => (shared.has(key) ? (shared.get(key) as T) : (shared.set(key, build()), shared.get(key) as T)),
    warn: () => undefined,
  };
  return { env, route: value.routes[0] as NonNullable<(typeof value.routes)[number]> };
}

function parsed(config: unknown) {
  const result = validateGatewayConfig(config);
  assert.ok(result.ok, JSON.stringify(result.ok ? '' : result.problems));
  return result.value;
}

test('the registry lists every policy once, in priority order (lower runs first)', () => {
  assert.deepEqual(POLICY_DEFINITIONS.map((definition) => definition.name), EXPECTED);
  const priorities = POLICY_DEFINITIONS.map((definition) => definition.priority);
  assert.deepEqual(priorities, [...priorities].sort((a, b) => a - b));
  assert.equal(new Set(priorities).size, priorities.length);
});

test('a route that uses no policy compiles to an empty chain', () => {
  const { env, route } = envFor({ services: [{ name: 's', url: 'http://s:1' }], routes: [{ name: 'r', service: 's', paths: ['/x'] }] });
  assert.deepEqual(compilePolicies(route, env), []);
});

test('a route using several policies gets one handler each, in registry order', () => {
  const order: string[] = [];
  const { env, route } = envFor({
    services: [{ name: 's', url: 'http://s:1' }],
    routes: [{ name: 'r', service: 's', paths: ['/x/*'], auth: 'key-auth', acl: { allow: ['g'] }, ipRestriction: { allow: ['10.0.0.0/8'] }, cors: { allowOrigins: ['*'] }, rateLimit: { limit: 1, windowSeconds: 1 } }],
  });
  const traced = POLICY_DEFINITIONS.map((definition) => ({
    ...definition,
    compile: (r: typeof route, e: PolicyEnv) => {
      const policy = definition.compile(r, e);
      if (policy !== undefined) order.push(definition.name);
      return policy;
    },
  }));
  assert.equal(compilePolicies(route, env, traced).length, 5);
  assert.deepEqual(order, ['ip-restriction', 'cors', 'key-auth', 'acl', 'rate-limit']);
});
