import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateGatewayConfig } from './validate.js';
import { configHash } from './hash.js';

const validConfig = {
  services: [{ name: 'users', url: 'http://users:8080' }],
  routes: [{ name: 'get-user', service: 'users', paths: ['/users/:id', '/v1/*'], methods: ['GET'] }],
  consumers: [{ username: 'mobile-app', apiKeyHashes: ['a'.repeat(64)], jwtSubject: 'mobile-app' }],
};

function problemsOf(input: unknown) {
  const result = validateGatewayConfig(input);
  assert.equal(result.ok, false, 'config should have been refused');
  return result.ok ? [] : result.problems;
}

test('a valid config gets its documented defaults', () => {
  const result = validateGatewayConfig(validConfig);
  assert.ok(result.ok);
  assert.deepEqual(result.value.services[0], {
    name: 'users',
    url: 'http://users:8080',
    connectTimeoutMs: 2000,
    timeoutMs: 10000,
    retries: 1,
  });
  assert.equal(result.value.routes[0]?.auth, 'none');
  assert.deepEqual(result.value.routes[0]?.hosts, []);
});

test('problems name the path of the offending value', () => {
  const problems = problemsOf({
    ...validConfig,
    routes: [validConfig.routes[0], { name: 'r2', service: 'users', paths: ['/ok', 'no-slash'] }],
  });
  assert.deepEqual(problems, [{ path: 'routes[1].paths[1]', message: "path must start with '/'" }]);
});

test('unknown fields are refused and named, never dropped', () => {
  const problems = problemsOf({ ...validConfig, services: [{ ...validConfig.services[0], colour: 'blue' }], extra: 1 });
  assert.deepEqual(
    problems.map((p) => p.path).sort(),
    ['extra', 'services[0].colour'],
  );
});

test('a route naming an undefined service is refused', () => {
  const problems = problemsOf({ ...validConfig, services: [] });
  assert.deepEqual(problems, [{ path: 'routes[0].service', message: "service 'users' is not defined in services" }]);
});

test('duplicate names, keys and subjects are refused', () => {
  const problems = problemsOf({
    services: [validConfig.services[0], validConfig.services[0]],
    routes: [],
    consumers: [validConfig.consumers[0], { ...validConfig.consumers[0], username: 'other' }],
  });
  assert.deepEqual(problems.map((p) => p.path).sort(), [
    'consumers[1].apiKeyHashes[0]',
    'consumers[1].jwtSubject',
    'services[1].name',
  ]);
});

test('path patterns: wildcard only last, no dot segments, valid params', () => {
  for (const bad of ['/a/*/b', '/a/../b', '/a//b', '/:1x', '/a/:id/:id', '/bad%zz']) {
    const problems = problemsOf({ ...validConfig, routes: [{ ...validConfig.routes[0], paths: [bad] }] });
    assert.equal(problems[0]?.path, 'routes[0].paths[0]', bad);
  }
});

test('upstream URLs must be http(s) without credentials', () => {
  for (const url of ['ftp://x', 'not a url', 'http://u:p@x', 'http://x/?q=1']) {
    const problems = problemsOf({ ...validConfig, services: [{ name: 'users', url }] });
    assert.equal(problems[0]?.path, 'services[0].url', url);
  }
});

test('the config hash ignores key order and changes with content', () => {
  const a = configHash({ b: 1, a: [{ y: 2, x: 1 }] });
  const b = configHash({ a: [{ x: 1, y: 2 }], b: 1 });
  assert.equal(a, b);
  assert.match(a, /^[0-9a-f]{64}$/);
  assert.notEqual(a, configHash({ a: [{ x: 1, y: 3 }], b: 1 }));
});

test('caseInsensitive: true is kept; false is left out, so the config hashes as if it never said it', () => {
  const withRoute = (extra: object) => ({ ...validConfig, routes: [{ ...validConfig.routes[0], ...extra }] });
  const folded = validateGatewayConfig(withRoute({ caseInsensitive: true }));
  const unsaid = validateGatewayConfig(withRoute({}));
  const sensitive = validateGatewayConfig(withRoute({ caseInsensitive: false }));
  assert.ok(folded.ok && unsaid.ok && sensitive.ok);
  assert.equal(folded.value.routes[0]?.caseInsensitive, true);
  assert.equal(JSON.stringify(sensitive.value), JSON.stringify(unsaid.value));
  assert.equal(configHash(sensitive.value), configHash(unsaid.value));
  assert.notEqual(configHash(folded.value), configHash(unsaid.value));
  assert.deepEqual(problemsOf(withRoute({ caseInsensitive: 'yes' })).map((p) => p.path), ['routes[0].caseInsensitive']);
});

test('NUL (U+0000) in any string of a config is refused naming the field', () => {
  const config = {
    services: [{ name: 'users', url: 'http://users:8080/base' }],
    routes: [{ name: 'get-user', service: 'users', paths: ['/users/:id'], methods: ['GET'], hosts: ['api.example.com'] }],
    consumers: [{ username: 'mobile-app', apiKeyHashes: ['a'.repeat(64)], jwtSubject: 'mobile-app' }],
  };
  assert.ok(validateGatewayConfig(config).ok);
  const leaves: [string, (c: typeof config) => void][] = [
    ['services[0].name', (c) => (c.services[0]!.name = 'us\u0000ers')],
    ['services[0].url', (c) => (c.services[0]!.url = 'http://users:8080/ba\u0000se')],
    ['routes[0].name', (c) => (c.routes[0]!.name = 'get\u0000user')],
    ['routes[0].service', (c) => (c.routes[0]!.service = 'users\u0000')],
    ['routes[0].paths[0]', (c) => (c.routes[0]!.paths[0] = '/users/\u0000')],
    ['routes[0].hosts[0]', (c) => (c.routes[0]!.hosts[0] = 'api\u0000.example.com')],
    ['consumers[0].username', (c) => (c.consumers[0]!.username = 'mobile\u0000')],
    ['consumers[0].apiKeyHashes[0]', (c) => (c.consumers[0]!.apiKeyHashes[0] = `${'a'.repeat(63)}\u0000`)],
    ['consumers[0].jwtSubject', (c) => (c.consumers[0]!.jwtSubject = 'mobile\u0000app')],
  ];
  for (const [path, spoil] of leaves) {
    const copy = structuredClone(config);
    spoil(copy);
    assert.ok(problemsOf(copy).some((problem) => problem.path === path), path);
  }
});
