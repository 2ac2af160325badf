// The config-only policies' fields (DESIGN §10): what they accept, and attacker input refused naming the field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateGatewayConfig } from '../config/validate.js';
import { configHash } from '../config/hash.js';

const services = [{ name: 'users', url: 'http://users:8080' }];
const route = (extra: Record<string, unknown>, paths: unknown[] = ['/x/*']) => ({ services, routes: [{ name: 'r', service: 'users', paths, ...extra }] });

function problems(input: unknown): { path: string; message: string }[] {
  const result = validateGatewayConfig(input);
  assert.equal(result.ok, false, 'config should have been refused');
  return result.ok ? [] : result.problems;
}
const pathsOf = (input: unknown) => problems(input).map((problem) => problem.path);

test('a config without the new fields parses and hashes exactly as before; preserveHost false is left out', () => {
  const plain = route({});
  const parsed = validateGatewayConfig(plain);
  assert.ok(parsed.ok);
  const keys = Object.keys(parsed.value.routes[0] as object).sort();
  assert.deepEqual(keys, ['auth', 'hosts', 'methods', 'name', 'paths', 'service', 'stripPrefix']);
  assert.deepEqual(Object.keys(parsed.value.consumers), []);
  const withFalse = validateGatewayConfig(route({ preserveHost: false }));
  assert.ok(withFalse.ok);
  assert.equal(configHash(withFalse.value), configHash(parsed.value));
});

test('every policy field is accepted as DESIGN §10 writes it, and cors.maxAgeSeconds defaults to 5', () => {
  const result = validateGatewayConfig({
    services,
    consumers: [{ username: 'partner-a', groups: ['partners'] }],
    routes: [
      {
        name: 'r',
        service: 'users',
        paths: ['/x/*'],
        auth: 'key-auth',
        acl: { allow: ['partners'] },
        ipRestriction: { allow: ['10.0.0.0/8', '2001:db8::/32', '192.0.2.1'], deny: [] },
        cors: { allowOrigins: ['https://app.example.com', 'https://*.example.com'], allowMethods: ['GET'], allowHeaders: ['authorization'], exposeHeaders: [], allowCredentials: true },
        requestHeaders: { set: { 'x-env': 'prod' }, add: {}, remove: ['x-debug'] },
        responseHeaders: { set: {}, add: {}, remove: ['server'] },
        rewrite: { hostname: 'users.internal', path: { replacePrefixMatch: '/v2' } },
        preserveHost: true,
        maxBodyBytes: 1_048_576,
      },
    ],
  });
  assert.ok(result.ok, JSON.stringify(result.ok ? '' : result.problems));
  assert.equal(result.value.routes[0]?.cors?.maxAgeSeconds, 5);
  assert.ok(validateGatewayConfig(route({ redirect: { scheme: 'https', hostname: 'example.com', port: 443, path: { replacePrefixMatch: '/v2' }, statusCode: 301 } })).ok);
});

test('attacker: header injection through config values (CR, LF, NUL, other controls) is refused naming the header', () => {
  for (const value of ['a\r\nx-admin: 1', 'a\nb', 'a\rb', 'a\u0000b', 'a\u0001b', 'é€']) {
    const found = pathsOf(route({ requestHeaders: { set: { 'x-env': value } } }));
    assert.deepEqual(found, ['routes[0].requestHeaders.set.x-env'], JSON.stringify(value));
  }
  assert.deepEqual(pathsOf(route({ responseHeaders: { add: { 'x-a': 'x'.repeat(5000) } } })), ['routes[0].responseHeaders.add.x-a']);
});

test('attacker: header names that are not tokens are refused naming them', () => {
  for (const name of ['x env', 'x:env', ':authority', 'x\r\ny', '', 'é']) {
    const found = pathsOf(route({ requestHeaders: { set: { [name]: 'v' } } }));
    assert.deepEqual(found, [`routes[0].requestHeaders.set.${name}`], JSON.stringify(name));
  }
  assert.deepEqual(pathsOf(route({ responseHeaders: { remove: ['ok', 'not ok'] } })), ['routes[0].responseHeaders.remove[1]']);
  // JSON.parse makes `__proto__` an own key, which a record would drop without a word.
  const proto = JSON.parse('{"set":{"__proto__":"x","x-ok":"y"}}') as unknown;
  assert.deepEqual(pathsOf(route({ requestHeaders: proto })), ['routes[0].requestHeaders.set.__proto__']);
});

test('headers the gateway owns can never be set, added or removed by config, whatever their case', () => {
  const owned = ['Host', 'content-length', 'Transfer-Encoding', 'connection', 'Keep-Alive', 'te', 'trailer', 'upgrade', 'Proxy-Authorization', 'X-Forwarded-For', 'x-forwarded-proto', 'X-Request-ID', 'x-consumer-username', 'RateLimit-Limit', 'ratelimit-remaining', 'Expect', 'X-NovaGate-Mirror', 'RateLimit'];
  for (const name of owned) {
    assert.deepEqual(pathsOf(route({ requestHeaders: { set: { [name]: 'v' } } })), [`routes[0].requestHeaders.set.${name}`], name);
    assert.deepEqual(pathsOf(route({ responseHeaders: { add: { [name]: 'v' } } })), [`routes[0].responseHeaders.add.${name}`], name);
    assert.deepEqual(pathsOf(route({ requestHeaders: { remove: [name] } })), ['routes[0].requestHeaders.remove[0]'], name);
  }
  assert.match(problems(route({ requestHeaders: { set: { host: 'evil' } } }))[0]?.message ?? '', /rewrite\.hostname/);
});

test('a header named twice ignoring case, across set, add and remove, is refused at the second', () => {
  assert.deepEqual(pathsOf(route({ requestHeaders: { set: { 'X-Env': 'a', 'x-env': 'b' } } })), ['routes[0].requestHeaders.set.x-env']);
  assert.deepEqual(pathsOf(route({ requestHeaders: { set: { 'x-env': 'a' }, remove: ['X-ENV'] } })), ['routes[0].requestHeaders.remove[0]']);
  const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`x-h${i}`, 'v']));
  assert.deepEqual(pathsOf(route({ requestHeaders: { set: many } })), ['routes[0].requestHeaders.set']);
});

test('cors: origins with a path, userinfo, a wildcard not at the start, or another scheme are refused naming the entry', () => {
  const bad = ['https://app.example.com/', 'https://user@app.example.com', 'https://app.*.com', 'ftp://app.example.com', 'app.example.com', 'https://*', 'HTTPS://APP.EXAMPLE.COM', 'https://a.example.com:99999999'];
  bad.forEach((origin) => {
    assert.deepEqual(pathsOf(route({ cors: { allowOrigins: ['https://ok.example.com', origin] } })), ['routes[0].cors.allowOrigins[1]'], origin);
  });
  assert.deepEqual(pathsOf(route({ cors: { allowOrigins: ['*'], allowMethods: ['get'] } })), ['routes[0].cors.allowMethods[0]']);
  assert.deepEqual(pathsOf(route({ cors: { allowOrigins: ['*'], exposeHeaders: ['*'], allowCredentials: true } })), ['routes[0].cors.exposeHeaders']);
  assert.deepEqual(pathsOf(route({ cors: { allowOrigins: [] } })), ['routes[0].cors.allowOrigins']);
});

test('ipRestriction: malformed addresses and prefixes are refused naming the entry; a list past 1,024 is refused', () => {
  for (const entry of ['10.0.0.0/33', '10.0.0', '::1/129', '10.0.0.0/-1', '10.0.0.0/08x', 'example.com', '10.0.0.0/8 ', '']) {
    assert.deepEqual(pathsOf(route({ ipRestriction: { allow: ['10.0.0.0/8', entry] } })), ['routes[0].ipRestriction.allow[1]'], entry);
  }
  const huge = Array.from({ length: 1025 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`);
  assert.deepEqual(pathsOf(route({ ipRestriction: { deny: huge } })), ['routes[0].ipRestriction.deny']);
  assert.deepEqual(pathsOf(route({ ipRestriction: {} })), ['routes[0].ipRestriction']);
});

test('acl needs exactly one of allow and deny, and an auth that identifies consumers; groups are names', () => {
  assert.deepEqual(pathsOf(route({ auth: 'jwt', acl: { allow: ['a'], deny: ['b'] } })), ['routes[0].acl']);
  assert.deepEqual(pathsOf(route({ acl: { allow: ['a'] } })), ['routes[0].acl']);
  assert.deepEqual(pathsOf({ ...route({}), consumers: [{ username: 'u', groups: ['ok', 'not ok'] }] }), ['consumers[0].groups[1]']);
});

test('redirect: status codes other than 301/302/303/307/308, bad hostnames and paths are refused naming the field', () => {
  assert.deepEqual(pathsOf(route({ redirect: { statusCode: 300 } })), ['routes[0].redirect.statusCode']);
  assert.deepEqual(pathsOf(route({ redirect: { hostname: 'evil.com/x' } })), ['routes[0].redirect.hostname']);
  assert.deepEqual(pathsOf(route({ redirect: { hostname: 'a@evil.com' } })), ['routes[0].redirect.hostname']);
  for (const path of ['//evil.com', 'relative', '/a\r\nb', '/a?b', '/a/../b']) {
    assert.deepEqual(pathsOf(route({ redirect: { path: { replaceFullPath: path } } })), ['routes[0].redirect.path.replaceFullPath'], path);
  }
  assert.deepEqual(pathsOf(route({ redirect: { path: { replaceFullPath: '/a', replacePrefixMatch: '/b' } } })), ['routes[0].redirect.path']);
});

test('replacePrefixMatch needs every path to be a prefix; redirect with rewrite, and stripPrefix with rewrite.path, are refused', () => {
  assert.deepEqual(pathsOf(route({ rewrite: { path: { replacePrefixMatch: '/v2' } } }, ['/x/*', '/exact'])), ['routes[0].rewrite.path.replacePrefixMatch']);
  assert.deepEqual(pathsOf(route({ redirect: { path: { replacePrefixMatch: '/v2' } } }, ['/users/:id'])), ['routes[0].redirect.path.replacePrefixMatch']);
  assert.deepEqual(pathsOf(route({ redirect: { scheme: 'https' }, rewrite: { hostname: 'a.b' } })), ['routes[0].rewrite']);
  assert.deepEqual(pathsOf(route({ stripPrefix: true, rewrite: { path: { replaceFullPath: '/a' } } })), ['routes[0].rewrite.path']);
  assert.deepEqual(pathsOf(route({ rewrite: {} })), ['routes[0].rewrite']);
  assert.deepEqual(pathsOf(route({ maxBodyBytes: -1 })), ['routes[0].maxBodyBytes']);
  assert.deepEqual(pathsOf(route({ maxBodyBytes: 2 ** 40 })), ['routes[0].maxBodyBytes']);
});
