import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPrefixPath, literalSegments, pathLabel, regexProblem, routeHasOnlyPrefixPaths } from './path-match.js';

test('routeHasOnlyPrefixPaths: true only when every path is a PathPrefix or a /* string (the hook replacePrefixMatch checks)', () => {
  assert.equal(routeHasOnlyPrefixPaths({ paths: ['/v1/*', { type: 'PathPrefix', value: '/v2' }, '/*'] }), true);
  assert.equal(routeHasOnlyPrefixPaths({ paths: ['/v1/*', '/v1'] }), false);
  assert.equal(routeHasOnlyPrefixPaths({ paths: [{ type: 'Exact', value: '/v1' }] }), false);
  assert.equal(routeHasOnlyPrefixPaths({ paths: [{ type: 'RegularExpression', value: '/v1/.*' }] }), false);
  assert.equal(routeHasOnlyPrefixPaths({ paths: [] }), false);
  assert.equal(isPrefixPath('/users/:id'), false);
});

test('literalSegments: a PathPrefix ignores one trailing slash; PathPrefix / has no segments; Exact keeps its slash', () => {
  assert.deepEqual(literalSegments({ type: 'PathPrefix', value: '/a/b/' }), ['a', 'b']);
  assert.deepEqual(literalSegments({ type: 'PathPrefix', value: '/' }), []);
  assert.deepEqual(literalSegments({ type: 'Exact', value: '/a/' }), ['a', '']);
  assert.deepEqual(literalSegments({ type: 'Exact', value: '/' }), ['']);
});

test('regexProblem names re2js refusals and the length bound; pathLabel names typed paths', () => {
  assert.equal(regexProblem('/v[0-9]+'), null);
  assert.match(regexProblem('/(a') ?? '', /^is not a regular expression re2js accepts \(error parsing regexp: missing closing \)/);
  assert.equal(regexProblem('a'.repeat(1025)), 'must be at most 1024 characters');
  assert.equal(pathLabel({ type: 'Exact', value: '/h' }), 'Exact:/h');
  assert.equal(pathLabel('/h/*'), '/h/*');
});
