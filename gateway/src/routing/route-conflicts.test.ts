import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRouter } from './router.js';
import { describeOverlap, findRouteConflicts, pathShape, routeOverlap, routePathShape, type RouteClaim } from './route-conflicts.js';

const claim = (name: string, paths: string[], methods: string[] = [], hosts: string[] = [], caseInsensitive = false): RouteClaim => ({
  name,
  paths,
  methods,
  hosts,
  caseInsensitive,
});

test('a path shape treats every :param as the same segment and keeps literals, wildcards and trailing slashes apart', () => {
  const table: [string, string, boolean][] = [
    ['/users/:id', '/users/:name', true],
    ['/users/:id/orders/:o', '/users/:u/orders/:x', true],
    ['/users/%7Eme', '/users/~me', true],
    ['/users/:id', '/users/me', false],
    ['/users/*', '/users/:id', false],
    ['/users', '/users/', false],
    ['/Users', '/users', false],
    ['/a/*', '/a/*', true],
  ];
  for (const [a, b, same] of table) assert.equal(pathShape(a) === pathShape(b), same, `${a} vs ${b}`);
  assert.equal(pathShape('/Users', true), pathShape('/users', true));
  assert.notEqual(pathShape('/users', true), pathShape('/users'), 'a case-insensitive route has its own table');
});

test('two routes conflict on the same host, the same path shape and overlapping methods, and only then', () => {
  const base = claim('a', ['/users/:id'], ['GET', 'POST'], ['api.example.com']);
  const table: [string, RouteClaim, boolean][] = [
    ['same everything but the param name', claim('b', ['/users/:uid'], ['POST'], ['api.example.com']), true],
    ['one shared path among several', claim('b', ['/x', '/users/:id'], ['GET'], ['other.example.com', 'api.example.com']), true],
    ['disjoint methods', claim('b', ['/users/:id'], ['PUT'], ['api.example.com']), false],
    ['any method beside some methods (methods are tried first)', claim('b', ['/users/:id'], [], ['api.example.com']), false],
    ['another host', claim('b', ['/users/:id'], ['GET'], ['www.example.com']), false],
    ['no host beside a host (the host table is tried first)', claim('b', ['/users/:id'], ['GET']), false],
    ['a literal beside a param', claim('b', ['/users/me'], ['GET'], ['api.example.com']), false],
    ['a case-insensitive twin', claim('b', ['/users/:id'], ['GET'], ['api.example.com'], true), false],
  ];
  for (const [label, other, conflicts] of table) {
    assert.equal(routeOverlap(base, other) !== null, conflicts, label);
    assert.equal(routeOverlap(other, base) !== null, conflicts, `${label} (reversed)`);
  }
  assert.deepEqual(routeOverlap(claim('a', ['/'], []), claim('b', ['/'], [])), { host: '', path: '/', methods: [] });
  assert.ok(routeOverlap(claim('a', ['/Users'], [], [], true), claim('b', ['/users'], [], [], true)));
});

test('routes on disjoint listeners never conflict; a route without listeners meets every route', () => {
  const on = (name: string, listeners: string[] | undefined): RouteClaim => ({ ...claim(name, ['/users/:id'], ['GET']), listeners });
  assert.equal(routeOverlap(on('a', ['web']), on('b', ['admin'])), null);
  assert.ok(routeOverlap(on('a', ['web', 'admin']), on('b', ['admin'])));
  assert.ok(routeOverlap(on('a', undefined), on('b', ['admin'])));
  assert.ok(routeOverlap(on('a', ['web']), on('b', undefined)));
  assert.deepEqual(findRouteConflicts([on('a', ['web']), on('b', ['admin'])]), []);
  assert.deepEqual(
    findRouteConflicts([on('a', ['web']), on('b', ['admin']), on('c', ['admin'])]).map((c) => [c.route.name, c.winner.name]),
    [['c', 'b']],
  );
});

test('knowing which listeners a Gateway owns, a route without listeners meets only routes on unowned listeners', () => {
  const on = (name: string, listeners: string[] | undefined): RouteClaim => ({ ...claim(name, ['/'], []), listeners });
  const owned = new Set(['gwapi.infra.gw.0a1b2c3d.http']);
  assert.equal(routeOverlap(on('api', undefined), on('gw', ['gwapi.infra.gw.0a1b2c3d.http']), owned), null);
  assert.ok(routeOverlap(on('api', undefined), on('mixed', ['gwapi.infra.gw.0a1b2c3d.http', 'web']), owned), 'web has no owner');
  assert.ok(routeOverlap(on('api', undefined), on('other', undefined), owned));
  assert.deepEqual(findRouteConflicts([on('api', undefined), on('gw', ['gwapi.infra.gw.0a1b2c3d.http'])], owned), []);
  assert.equal(findRouteConflicts([on('api', undefined), on('gw', ['gwapi.infra.gw.0a1b2c3d.http'])]).length, 1, 'without owners: conservative');
});

test('findRouteConflicts: the first claim wins, and a loser never makes a third route lose', () => {
  const a = claim('a', ['/users/:id'], ['GET']);
  const b = claim('b', ['/users/:x'], ['GET', 'DELETE']);
  const c = claim('c', ['/users/:y'], ['DELETE']);
  const d = claim('d', ['/orders'], []);
  const e = claim('e', ['/orders'], []);
  const conflicts = findRouteConflicts([a, b, c, d, e]);
  assert.deepEqual(
    conflicts.map((conflict) => [conflict.route.name, conflict.winner.name, describeOverlap(conflict.overlap)]),
    [
      ['b', 'a', 'any host, path /users/:x, GET'],
      ['e', 'd', 'any host, path /orders, any method'],
    ],
  );
  assert.deepEqual(findRouteConflicts([b, a]).map((conflict) => conflict.route.name), ['a']);
});

test('the router agrees: the loser of every conflict gets none of the shared requests', () => {
  const routes = [
    claim('first', ['/users/:id'], ['GET'], ['api.example.com']),
    claim('second', ['/users/:name'], ['GET', 'PUT'], ['api.example.com']),
    claim('third', ['/v1/*'], []),
    claim('fourth', ['/v1/*'], []),
  ];
  const router = compileRouter(routes.map((route) => ({ ...route, target: route.name })));
  const conflicts = findRouteConflicts(routes);
  assert.equal(conflicts.length, 2);
  for (const { route, winner, overlap } of conflicts) {
    const path = overlap.path.replace(/:[^/]+/g, '42').replace(/\*$/, 'x');
    const method = overlap.methods[0] ?? 'GET';
    assert.equal(router.match(method, overlap.host || 'any.test', path)?.target, winner.name, `${route.name} loses to ${winner.name}`);
  }
});

test('conflict detection stays linear: 10,000 routes with distinct paths report none', () => {
  const routes = Array.from({ length: 10_000 }, (_, i) => claim(`r${i}`, [`/items/${i}/:id`], ['GET']));
  assert.deepEqual(findRouteConflicts(routes), []);
  assert.equal(findRouteConflicts([...routes, claim('dup', ['/items/9999/:x'], ['GET'])])[0]?.winner.name, 'r9999');
});

test('typed paths: PathPrefix /v1 has the shape of /v1/*; Exact and RegularExpression only meet their own kind', () => {
  const shape = (path: Parameters<typeof routePathShape>[0], ci = false) => routePathShape(path, ci);
  assert.equal(shape({ type: 'PathPrefix', value: '/v1' }), pathShape('/v1/*'));
  assert.equal(shape({ type: 'PathPrefix', value: '/v1/' }), pathShape('/v1/*'), 'a trailing / of a prefix is ignored');
  assert.equal(shape({ type: 'PathPrefix', value: '/' }), pathShape('/*'));
  assert.notEqual(shape({ type: 'PathPrefix', value: '/:id' }), pathShape('/:x/*'), "a literal ':' is not a parameter");
  assert.notEqual(shape({ type: 'Exact', value: '/health' }), pathShape('/health'));
  assert.equal(shape({ type: 'Exact', value: '/%7Ehealth' }), shape({ type: 'Exact', value: '/~health' }));
  assert.equal(shape({ type: 'Exact', value: '/Health' }, true), shape({ type: 'Exact', value: '/health' }, true));
  assert.equal(shape({ type: 'RegularExpression', value: '/v[0-9]+' }), shape({ type: 'RegularExpression', value: '/v[0-9]+' }));
  assert.notEqual(shape({ type: 'RegularExpression', value: '/v[0-9]+' }), shape({ type: 'RegularExpression', value: '/v[0-9]{1,}' }), 'compared as written');
});

test('routes with different header or query matches split the traffic; identical matches (order and name case aside) conflict', () => {
  const base = { methods: [], hosts: ['api.test'] };
  const a: RouteClaim = { name: 'a', paths: [{ type: 'PathPrefix', value: '/v1' }], ...base, match: { headers: [{ name: 'X-Env', value: 'canary' }, { name: 'x-b', value: '1' }] } };
  const sameMatch: RouteClaim = { name: 'same', paths: ['/v1/*'], ...base, match: { headers: [{ name: 'x-b', value: '1', type: 'Exact' }, { name: 'x-env', value: 'canary' }] } };
  const otherValue: RouteClaim = { name: 'other-value', paths: ['/v1/*'], ...base, match: { headers: [{ name: 'x-env', value: 'prod' }, { name: 'x-b', value: '1' }] } };
  const regexType: RouteClaim = { name: 'regex-type', paths: ['/v1/*'], ...base, match: { headers: [{ name: 'x-env', value: 'canary', type: 'RegularExpression' }, { name: 'x-b', value: '1' }] } };
  const noMatch: RouteClaim = { name: 'plain', paths: ['/v1/*'], ...base };
  const query: RouteClaim = { name: 'query', paths: ['/v1/*'], ...base, match: { query: [{ name: 'X-Env', value: 'canary' }] } };
  const queryCase: RouteClaim = { name: 'query-case', paths: ['/v1/*'], ...base, match: { query: [{ name: 'x-env', value: 'canary' }] } };
  assert.deepEqual(routeOverlap(sameMatch, a), { host: 'api.test', path: '/v1/*', methods: [] });
  for (const other of [otherValue, regexType, noMatch, query]) assert.equal(routeOverlap(other, a), null, other.name);
  assert.equal(routeOverlap(queryCase, query), null, 'query names are case-sensitive');
  const conflicts = findRouteConflicts([a, otherValue, sameMatch, noMatch]);
  assert.deepEqual(conflicts.map((c) => [c.route.name, c.winner.name, c.overlap.path]), [['same', 'a', '/v1/*']]);
  assert.equal(describeOverlap(findRouteConflicts([a, { ...a, name: 'a2' }])[0]?.overlap ?? { host: '', path: '', methods: [] }), 'host api.test, path PathPrefix:/v1, any method');
});

test('the router agrees: of two routes with identical typed paths and matches, the first takes every request', () => {
  const router = compileRouter([
    { target: 'first', paths: [{ type: 'RegularExpression', value: '/r/[0-9]+' }], methods: ['GET'], hosts: [], match: { query: [{ name: 'a', value: '1' }] } },
    { target: 'second', paths: [{ type: 'RegularExpression', value: '/r/[0-9]+' }], methods: ['GET', 'POST'], hosts: [], match: { query: [{ name: 'a', value: '1' }] } },
  ]);
  assert.equal(router.match('GET', 'h', '/r/1', { rawHeaders: [], query: 'a=1' })?.target, 'first');
  const conflicts = findRouteConflicts<RouteClaim>([
    { name: 'first', paths: [{ type: 'RegularExpression', value: '/r/[0-9]+' }], methods: ['GET'], hosts: [], match: { query: [{ name: 'a', value: '1' }] } },
    { name: 'second', paths: [{ type: 'RegularExpression', value: '/r/[0-9]+' }], methods: ['GET', 'POST'], hosts: [], match: { query: [{ name: 'a', value: '1' }] } },
  ]);
  assert.deepEqual(conflicts.map((c) => [c.route.name, c.overlap.methods]), [['second', ['GET']]]);
});
