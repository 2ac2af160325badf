// DESIGN §10's precedence, one rule at a time: host (exact > longest wildcard > none); Exact; RegularExpression
// (longer first); strings and PathPrefix by §4 segment rank; method; most header matches; most query matches; order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRouter, regexLiteralPrefix, type RouteDefinition } from './router.js';
import type { RoutePath } from './path-match.js';
import type { RouteMatchConditions } from './request-match.js';

function route(target: string, paths: RoutePath[], extra: Partial<RouteDefinition<string>> = {}): RouteDefinition<string> {
  return { target, paths, methods: [], hosts: [], ...extra };
}
const exact = (value: string): RoutePath => ({ type: 'Exact', value });
const prefix = (value: string): RoutePath => ({ type: 'PathPrefix', value });
const regex = (value: string): RoutePath => ({ type: 'RegularExpression', value });
const when = (match: RouteMatchConditions) => ({ match });

function target(router: ReturnType<typeof compileRouter<string>>, path: string, options: { method?: string; host?: string; headers?: string[]; query?: string } = {}) {
  return router.match(options.method ?? 'GET', options.host ?? 'any.test', path, { rawHeaders: options.headers ?? [], query: options.query ?? '' })?.target;
}

test('host: an exact host beats the longest matching wildcard, which beats a shorter one, which beats no host', () => {
  const router = compileRouter([
    route('none', [exact('/x')]),
    route('short-wild', [prefix('/')], { hosts: ['*.example.com'] }),
    route('long-wild', [prefix('/')], { hosts: ['*.api.example.com'] }),
    route('exact-host', [prefix('/')], { hosts: ['v1.api.example.com'] }),
  ]);
  assert.equal(target(router, '/x', { host: 'v1.api.example.com' }), 'exact-host');
  assert.equal(target(router, '/x', { host: 'v2.api.example.com' }), 'long-wild');
  assert.equal(target(router, '/x', { host: 'a.b.example.com' }), 'short-wild', 'a wildcard covers one or more labels');
  assert.equal(target(router, '/x', { host: 'example.com' }), 'none', '*.example.com does not match example.com itself');
  assert.equal(target(router, '/x', { host: 'badexample.com' }), 'none', 'the wildcard matches at a label boundary');
});

test('path kind: Exact beats RegularExpression beats strings and PathPrefix, whatever the file order', () => {
  const router = compileRouter([
    route('string-literal', ['/users/me']),
    route('prefix', [prefix('/users')]),
    route('regex', [regex('/users/[a-z]+')]),
    route('exact', [exact('/users/me')]),
  ]);
  assert.equal(target(router, '/users/me'), 'exact');
  assert.equal(target(router, '/users/you'), 'regex');
  assert.equal(target(router, '/users/42'), 'prefix');
  assert.equal(target(router, '/users'), 'prefix');
});

test('RegularExpression: the longer pattern first, and a pattern must match the whole path', () => {
  const router = compileRouter([
    route('short', [regex('/v[0-9]+/.*')]),
    route('long', [regex('/v[0-9]+/items/[0-9]+')]),
    route('anchored-part', [regex('/api')]),
  ]);
  assert.equal(target(router, '/v2/items/7'), 'long');
  assert.equal(target(router, '/v2/items/x'), 'short');
  assert.equal(target(router, '/api'), 'anchored-part');
  assert.equal(target(router, '/api/more'), undefined, 'a regex is a full match, not a search');
  assert.equal(target(router, '/x/api'), undefined);
});

test('RegularExpression routes whose literal prefix names a segment are only run for that segment; alternations everywhere', () => {
  const router = compileRouter([
    route('orders', [regex('/orders/[0-9]+')]),
    route('alternation', [regex('/(carts|baskets)/[0-9]+')]),
    route('optional-char', [regex('/items?/[0-9]+')]),
  ]);
  assert.equal(target(router, '/orders/12'), 'orders');
  assert.equal(target(router, '/baskets/3'), 'alternation');
  assert.equal(target(router, '/item/3'), 'optional-char', "a quantifier after the literal makes its last character optional");
  assert.equal(target(router, '/items/3'), 'optional-char');
  assert.equal(regexLiteralPrefix('/orders/[0-9]+'), '/orders/');
  assert.equal(regexLiteralPrefix('/items?/x'), '/item');
  assert.equal(regexLiteralPrefix('/a|/b'), '');
  assert.equal(regexLiteralPrefix('(?i)/a'), '');
});

test('strings and PathPrefix share §4 segment rank: exact segment > :param > prefix, longer before shorter, then order', () => {
  const router = compileRouter([
    route('v1-string', ['/v1/*']),
    route('v1-prefix', [prefix('/v1')]),
    route('users-prefix', [prefix('/v1/users/')]),
    route('param', ['/v1/:thing/list']),
  ]);
  assert.equal(target(router, '/v1/users/7'), 'users-prefix');
  assert.equal(target(router, '/v1/users'), 'users-prefix', 'a trailing / of a PathPrefix is ignored');
  assert.equal(target(router, '/v1/x/list'), 'param');
  assert.equal(target(router, '/v1/orders'), 'v1-string', 'same rank: file order');
  assert.equal(target(router, '/v1'), 'v1-string');
  assert.equal(target(router, '/v1x'), undefined, 'PathPrefix /v1 does not match /v1x');
});

test('PathPrefix and Exact values are literal: ":" and "*" are not parameters or wildcards there', () => {
  const router = compileRouter([route('colon', [exact('/a/:id')]), route('star', [prefix('/b/*')])]);
  assert.equal(target(router, '/a/:id'), 'colon');
  assert.equal(target(router, '/a/42'), undefined);
  assert.equal(target(router, '/b/*/c'), 'star');
  assert.equal(target(router, '/b/x'), undefined);
});

test('at the same path rank: methods beat none, then most header matches, then most query matches, then order', () => {
  const router = compileRouter([
    route('plain', [prefix('/p')]),
    route('one-query', [prefix('/p')], when({ query: [{ name: 'a', value: '1' }] })),
    route('two-query', [prefix('/p')], when({ query: [{ name: 'a', value: '1' }, { name: 'b', value: '2' }] })),
    route('one-header', [prefix('/p')], when({ headers: [{ name: 'x-a', value: '1' }] })),
    route('two-header', [prefix('/p')], when({ headers: [{ name: 'x-a', value: '1' }, { name: 'x-b', value: '2' }] })),
    route('header-and-query', [prefix('/p')], when({ headers: [{ name: 'x-a', value: '1' }], query: [{ name: 'a', value: '1' }] })),
    route('method', [prefix('/p')], { methods: ['DELETE'] }),
  ]);
  assert.equal(target(router, '/p', { method: 'DELETE', headers: ['x-a', '1', 'x-b', '2'] }), 'method');
  assert.equal(target(router, '/p', { headers: ['x-a', '1', 'x-b', '2'], query: '?a=1&b=2' }), 'two-header');
  assert.equal(target(router, '/p', { headers: ['X-A', '1'], query: '?a=1&b=2' }), 'header-and-query', 'one header beats none, then queries count');
  assert.equal(target(router, '/p', { headers: ['x-a', '1'] }), 'one-header');
  assert.equal(target(router, '/p', { query: '?b=2&a=1' }), 'two-query');
  assert.equal(target(router, '/p', { query: '?a=1' }), 'one-query');
  assert.equal(target(router, '/p', { query: '?a=2' }), 'plain');
});

test('header and query matches may be regular expressions, matched against the whole value', () => {
  const router = compileRouter([
    route('canary', [prefix('/')], when({ headers: [{ name: 'x-env', value: 'canary-[0-9]+', type: 'RegularExpression' }] })),
    route('debug', [prefix('/')], when({ query: [{ name: 'debug', value: '(1|true)', type: 'RegularExpression' }] })),
  ]);
  assert.equal(target(router, '/', { headers: ['X-Env', 'canary-12'] }), 'canary');
  assert.equal(target(router, '/', { headers: ['X-Env', 'canary-12x'] }), undefined);
  assert.equal(target(router, '/', { query: '?debug=true' }), 'debug');
  assert.equal(target(router, '/', { query: '?debug=truex' }), undefined);
  assert.equal(target(router, '/', { query: '?debug=%74rue' }), 'debug', 'query values are percent-decoded');
});

test('without request facts a route with header or query matches never matches', () => {
  const router = compileRouter([route('needs-header', [prefix('/')], when({ headers: [{ name: 'x', value: '1' }] })), route('fallback', ['/*'])]);
  assert.equal(router.match('GET', 'h', '/a')?.target, 'fallback');
});

test('a caseInsensitive route folds Exact, PathPrefix and RegularExpression paths alike', () => {
  const router = compileRouter([
    route('exact', [exact('/Health')], { caseInsensitive: true }),
    route('prefix', [prefix('/Docs')], { caseInsensitive: true }),
    route('regex', [regex('/items/[a-z]+')], { caseInsensitive: true }),
  ]);
  assert.equal(target(router, '/HEALTH'), 'exact');
  assert.equal(target(router, '/docs/a'), 'prefix');
  assert.equal(target(router, '/ITEMS/ABC'), 'regex');
});

test('the match names the path as written and strips what a PathPrefix or Exact path consumed', () => {
  const router = compileRouter([route('p', [prefix('/api/v1')]), route('e', [exact('/e/x')]), route('r', [regex('/r/.*')])]);
  assert.deepEqual(router.match('GET', 'h', '/api/v1/users/7'), { target: 'p', template: 'PathPrefix:/api/v1', strippedPath: '/users/7' });
  assert.deepEqual(router.match('GET', 'h', '/e/x'), { target: 'e', template: 'Exact:/e/x', strippedPath: '/' });
  assert.deepEqual(router.match('GET', 'h', '/r/a'), { target: 'r', template: 'RegularExpression:/r/.*', strippedPath: '/r/a' });
});

test('Exact and PathPrefix values compare after the normaliser decodes unreserved escapes', () => {
  const router = compileRouter([route('e', [exact('/%7Euser')]), route('p', [prefix('/caf%C3%A9')])]);
  assert.equal(target(router, '/~user'), 'e');
  assert.equal(target(router, '/caf%C3%A9/menu'), 'p');
});
