// The schema of DESIGN §10's typed paths and header/query matches: what parses, and bad input named precisely.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateGatewayConfig } from './validate.js';

const services = [{ name: 'users', url: 'http://users:8080' }];
const configWith = (route: Record<string, unknown>, more: Record<string, unknown>[] = []) => ({
  services,
  routes: [{ name: 'r0', service: 'users', paths: ['/x'], ...route }, ...more],
});

function problemsOf(input: unknown) {
  const result = validateGatewayConfig(input);
  assert.equal(result.ok, false, 'config should have been refused');
  return result.ok ? [] : result.problems;
}

test('typed paths, header and query matches and *.-hosts parse; match types default to Exact', () => {
  const result = validateGatewayConfig(
    configWith({
      hosts: ['api.example.com', '*.example.com'],
      paths: ['/users/:id', { type: 'Exact', value: '/health' }, { type: 'RegularExpression', value: '/v[0-9]+/items' }, { type: 'PathPrefix', value: '/v1' }],
      match: { headers: [{ name: 'x-env', value: 'canary' }], query: [{ name: 'debug', value: '1', type: 'RegularExpression' }] },
    }),
  );
  assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
  assert.deepEqual(result.value.routes[0]?.match, {
    headers: [{ name: 'x-env', value: 'canary', type: 'Exact' }],
    query: [{ name: 'debug', value: '1', type: 'RegularExpression' }],
  });
});

test('a config without the new fields parses as before: the route gains no key (hash.test.ts pins the hash)', () => {
  const result = validateGatewayConfig(configWith({}));
  assert.ok(result.ok);
  assert.deepEqual(Object.keys(result.value.routes[0] ?? {}).sort(), ['auth', 'hosts', 'methods', 'name', 'paths', 'service', 'stripPrefix']);
});

test('a pattern re2js refuses is named with its path and the reason', () => {
  for (const pattern of ['/(a', '/(?<=a)b', '/(a)\\1', '/a{1001}', '/((a{100}){100}){100}']) {
    const problems = problemsOf(configWith({ paths: [{ type: 'RegularExpression', value: pattern }] }));
    assert.equal(problems.length, 1, pattern);
    assert.equal(problems[0]?.path, 'routes[0].paths[0].value', pattern);
    assert.match(problems[0]?.message ?? '', /^RegularExpression path is not a regular expression re2js accepts \(error parsing regexp: /, pattern);
  }
  const header = problemsOf(configWith({ match: { headers: [{ name: 'x', value: '(', type: 'RegularExpression' }] } }));
  assert.deepEqual(header.map((problem) => problem.path), ['routes[0].match.headers[0].value']);
});

test('regexes are at most 1,024 characters, and a config holds at most 1,000 RegularExpression paths', () => {
  const long = problemsOf(configWith({ paths: [{ type: 'RegularExpression', value: `/${'a'.repeat(1024)}` }] }));
  assert.deepEqual(long.map((problem) => problem.path), ['routes[0].paths[0].value']);
  const routes = Array.from({ length: 16 }, (_, i) => ({
    name: `r${i}`,
    service: 'users',
    paths: Array.from({ length: 64 }, (_, j) => ({ type: 'RegularExpression', value: `/r${i}/p${j}/[0-9]+` })),
  }));
  assert.ok(validateGatewayConfig({ services, routes: routes.slice(0, 15) }).ok, '960 regex paths are fine');
  const problems = problemsOf({ services, routes });
  // 15 routes of 64 hold 960: the 1,001st regex is routes[15].paths[40].
  assert.deepEqual(problems, [{ path: 'routes[15].paths[40]', message: 'at most 1000 RegularExpression paths per config' }]);
});

test('Exact and PathPrefix values are absolute paths a request can have', () => {
  const cases: [unknown, string][] = [
    [{ type: 'Exact', value: 'health' }, "Exact path must start with '/'"],
    [{ type: 'PathPrefix', value: '/a//b' }, "PathPrefix path must not contain empty segments ('//')"],
    [{ type: 'Exact', value: '/a/../b' }, "Exact path must not contain '.' or '..' segments"],
    [{ type: 'Exact', value: '/a%2Fb' }, "Exact path segment 'a%2Fb' holds an encoded '/' or '\\', which no request path can"],
    [{ type: 'Exact', value: '/a b' }, "Exact path segment 'a b' contains characters not allowed in a path"],
    [{ type: 'PathPrefix', value: '/a%zz' }, "PathPrefix path segment 'a%zz' has a malformed percent-escape"],
  ];
  for (const [path, message] of cases) {
    assert.deepEqual(problemsOf(configWith({ paths: [path] })), [{ path: 'routes[0].paths[0].value', message }], JSON.stringify(path));
  }
  assert.equal(problemsOf(configWith({ paths: [{ type: 'Prefix', value: '/a' }] }))[0]?.path.startsWith('routes[0].paths[0]'), true);
  assert.ok(validateGatewayConfig(configWith({ paths: [{ type: 'Exact', value: '/a/:id/*' }, { type: 'PathPrefix', value: '/' }] })).ok, "':' and '*' are literal characters");
});

test('header and query matches: at most 16 each, names unique (headers ignoring case), values without control characters', () => {
  const seventeen = Array.from({ length: 17 }, (_, i) => ({ name: `h${i}`, value: 'v' }));
  assert.deepEqual(problemsOf(configWith({ match: { headers: seventeen } })).map((p) => p.path), ['routes[0].match.headers']);
  assert.deepEqual(problemsOf(configWith({ match: { query: seventeen } })).map((p) => p.path), ['routes[0].match.query']);
  assert.deepEqual(problemsOf(configWith({ match: { headers: [{ name: 'X-Env', value: 'a' }, { name: 'x-env', value: 'b' }] } })), [
    { path: 'routes[0].match.headers[1].name', message: "header 'x-env' is matched twice" },
  ]);
  assert.ok(validateGatewayConfig(configWith({ match: { query: [{ name: 'a', value: '1' }, { name: 'A', value: '2' }] } })).ok, 'query names are case-sensitive');
  assert.deepEqual(problemsOf(configWith({ match: { headers: [{ name: 'bad name', value: 'a' }] } })).map((p) => p.path), ['routes[0].match.headers[0].name']);
  assert.deepEqual(problemsOf(configWith({ match: { headers: [{ name: 'x', value: 'a\r\nInjected: 1' }] } })).map((p) => p.path), ['routes[0].match.headers[0].value']);
  assert.deepEqual(problemsOf(configWith({ match: { cookies: [] } })).map((p) => p.path), ['routes[0].match.cookies']);
});

test('stripPrefix is refused on a route with a RegularExpression path (there is no prefix to strip)', () => {
  assert.deepEqual(problemsOf(configWith({ stripPrefix: true, paths: ['/a/*', { type: 'RegularExpression', value: '/b/.*' }] })), [
    { path: 'routes[0].paths[1]', message: 'stripPrefix needs prefix paths; a RegularExpression path has no prefix to strip' },
  ]);
});
