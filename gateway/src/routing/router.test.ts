import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRouter, hostOf, type RouteDefinition } from './router.js';

function route(name: string, paths: string[], methods: string[] = [], hosts: string[] = [], caseInsensitive = false): RouteDefinition<string> {
  return { target: name, paths, methods, hosts, caseInsensitive };
}

test('precedence: host beats no host, exact > :param > /*, longer before shorter, methods beat none, then file order', () => {
  const router = compileRouter([
    route('wild-root', ['/*']),
    route('v1-any', ['/v1/*']),
    route('v1-users-any', ['/v1/users/*']),
    route('user-param', ['/users/:id']),
    route('user-me', ['/users/me']),
    route('user-param-get', ['/users/:id'], ['GET']),
    route('user-param-dup', ['/users/:id'], ['GET']),
    route('orders-host', ['/*'], [], ['api.example.com']),
    route('param-then-literal', ['/a/:x/c']),
    route('literal-then-wild', ['/a/b/*']),
    route('exact-root', ['/']),
    route('trailing', ['/users/']),
  ]);
  const cases: [string, string, string, string | undefined][] = [
    ['GET', 'other.test', '/users/me', 'user-me'],
    ['GET', 'other.test', '/users/42', 'user-param-get'],
    ['POST', 'other.test', '/users/42', 'user-param'],
    ['GET', 'api.example.com', '/users/me', 'orders-host'],
    ['GET', 'other.test', '/v1/users/7', 'v1-users-any'],
    ['GET', 'other.test', '/v1/orders', 'v1-any'],
    ['GET', 'other.test', '/v1', 'v1-any'],
    ['GET', 'other.test', '/a/b/c', 'literal-then-wild'],
    ['GET', 'other.test', '/a/z/c', 'param-then-literal'],
    ['GET', 'other.test', '/', 'exact-root'],
    ['GET', 'other.test', '/users/', 'trailing'],
    ['GET', 'other.test', '/users', 'wild-root'],
    ['GET', 'other.test', '/nothing/here', 'wild-root'],
  ];
  for (const [method, host, path, expected] of cases) {
    assert.equal(router.match(method, host, path)?.target, expected, `${method} ${host}${path}`);
  }
});

test('no route matches when path, method or host do not', () => {
  const router = compileRouter([route('users', ['/users/:id'], ['GET']), route('hosted', ['/h'], [], ['a.test'])]);
  assert.equal(router.match('GET', 'x.test', '/users/'), undefined, 'a parameter never matches an empty segment');
  assert.equal(router.match('DELETE', 'x.test', '/users/1'), undefined);
  assert.equal(router.match('GET', 'x.test', '/users/1/extra'), undefined);
  assert.equal(router.match('GET', 'b.test', '/h'), undefined);
  assert.equal(router.match('GET', 'a.test', '/h')?.target, 'hosted');
});

test('the match names the template and the path left after the matched prefix', () => {
  const router = compileRouter([route('v1', ['/v1/*']), route('user', ['/users/:id']), route('all', ['/*'])]);
  assert.deepEqual(router.match('GET', '', '/v1/users/7'), { target: 'v1', template: '/v1/*', strippedPath: '/users/7' });
  assert.deepEqual(router.match('GET', '', '/v1'), { target: 'v1', template: '/v1/*', strippedPath: '/' });
  assert.deepEqual(router.match('GET', '', '/users/7'), { target: 'user', template: '/users/:id', strippedPath: '/' });
  assert.deepEqual(router.match('GET', '', '/x/y'), { target: 'all', template: '/*', strippedPath: '/x/y' });
});

test('Host is compared lower case without port', () => {
  assert.equal(hostOf('API.Example.com:8443'), 'api.example.com');
  assert.equal(hostOf('[::1]:80'), '[::1]');
  assert.equal(hostOf(undefined), '');
});

test('paths are case-sensitive by default: /SECURE is not /secure', () => {
  const router = compileRouter([route('secure', ['/secure/*']), route('catch-all', ['/*'])]);
  assert.equal(router.match('GET', '', '/secure/x')?.target, 'secure');
  assert.equal(router.match('GET', '', '/SECURE/x')?.target, 'catch-all');
  assert.equal(router.match('GET', '', '/Secure')?.target, 'catch-all');
});

test('a caseInsensitive route matches its literal segments in any case; params and the stripped path keep the request\'s case', () => {
  const router = compileRouter([
    route('secure', ['/secure/*', '/admin/:id/Settings'], [], [], true),
    route('catch-all', ['/*']),
    route('hosted', ['/Caf%c3%a9'], [], ['api.test'], true),
  ]);
  for (const path of ['/secure/x', '/SECURE/x', '/sEcUrE', '/Admin/AbC/settings', '/ADMIN/1/SETTINGS']) {
    assert.equal(router.match('GET', '', path)?.target, 'secure', path);
  }
  assert.deepEqual(router.match('GET', '', '/SECURE/Inner/Path'), { target: 'secure', template: '/secure/*', strippedPath: '/Inner/Path' });
  assert.equal(router.match('GET', '', '/secured')?.target, 'catch-all', 'still whole segments only');
  assert.equal(router.match('GET', 'api.test', '/CAF%C3%A9')?.target, 'hosted', 'escapes compare as the normaliser writes them');
});

test('a case-sensitive route spelled like the request beats a caseInsensitive one at the same segment', () => {
  const router = compileRouter([route('folded', ['/admin'], [], [], true), route('exact', ['/Admin']), route('param', ['/:x'])]);
  assert.equal(router.match('GET', '', '/Admin')?.target, 'exact');
  assert.equal(router.match('GET', '', '/admin')?.target, 'folded');
  assert.equal(router.match('GET', '', '/ADMIN')?.target, 'folded');
  assert.equal(router.match('GET', '', '/other')?.target, 'param');
});
