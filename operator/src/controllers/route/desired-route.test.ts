import { test } from 'node:test';
import { generateKeyPairSync } from 'node:crypto';
import assert from 'node:assert/strict';
import type { RouteResource } from '../../kube/resources.js';
import { desiredRoute } from './desired-route.js';

const route = (spec: Partial<RouteResource['spec']>, name = 'users'): RouteResource => ({
  metadata: { name, namespace: 'shop' },
  spec: { tenantRef: { name: 'acme' }, upstream: { url: 'http://users:8080' }, match: { paths: ['/users/:id'] }, ...spec },
});

test('a Route becomes a service and a route both named k8s.<namespace>.<name>, with the gateway defaults', () => {
  const result = desiredRoute(route({ auth: 'jwt', rateLimit: { limit: 5, windowSeconds: 60 } }));
  assert.ok(result.accepted);
  assert.deepEqual(result.value.service, { name: 'k8s.shop.users', url: 'http://users:8080', connectTimeoutMs: 2000, timeoutMs: 10000, retries: 1 });
  assert.deepEqual(result.value.route, {
    name: 'k8s.shop.users',
    service: 'k8s.shop.users',
    paths: ['/users/:id'],
    methods: [],
    hosts: [],
    stripPrefix: false,
    auth: 'jwt',
    rateLimit: { limit: 5, windowSeconds: 60, by: 'consumer' },
  });
});

test('what the CRD schema cannot check is refused with the resource field named', () => {
  const table: [Partial<RouteResource['spec']>, RegExp][] = [
    [{ match: { paths: ['/a/*/b'] } }, /^spec\.match\.paths\[0\]: path '\*' is only allowed as the last segment/],
    [{ match: { paths: ['/a/:id/:id'] } }, /^spec\.match\.paths\[0\]: path parameter ':id' appears twice/],
    [{ upstream: { url: 'http://user:pw@users:8080' } }, /^spec\.upstream\.url: must not carry credentials/],
  ];
  for (const [spec, message] of table) {
    const result = desiredRoute(route(spec));
    assert.ok(!result.accepted);
    assert.equal(result.reason, 'Invalid');
    assert.match(result.message, message);
  }
});

test('a Route whose generated name is too long for the gateway is refused naming metadata.name', () => {
  const result = desiredRoute(route({}, 'x'.repeat(130)));
  assert.ok(!result.accepted);
  assert.match(result.message, /^metadata\.name: /);
});

test('spec.caseInsensitive true reaches the route; false or absent leaves the route as it always was', () => {
  const folded = desiredRoute(route({ caseInsensitive: true }));
  assert.ok(folded.accepted);
  assert.equal(folded.value.route.caseInsensitive, true);
  for (const spec of [{}, { caseInsensitive: false }]) {
    const result = desiredRoute(route(spec));
    assert.ok(result.accepted);
    assert.equal(
      JSON.stringify(result.value.route),
      '{"name":"k8s.shop.users","service":"k8s.shop.users","paths":["/users/:id"],"methods":[],"hosts":[],"stripPrefix":false,"auth":"none"}',
    );
  }
});

test('spec.upstream.http2 true reaches the service; false or absent leaves the service as it always was', () => {
  const h2 = desiredRoute(route({ upstream: { url: 'http://grpc:50051', http2: true } }));
  assert.ok(h2.accepted);
  assert.equal(h2.value.service?.http2, true);
  for (const upstream of [{ url: 'http://users:8080' }, { url: 'http://users:8080', http2: false }]) {
    const result = desiredRoute(route({ upstream }));
    assert.ok(result.accepted);
    assert.equal(JSON.stringify(result.value.service), '{"name":"k8s.shop.users","url":"http://users:8080","connectTimeoutMs":2000,"timeoutMs":10000,"retries":1}');
  }
});

test('spec.upstream targets, loadBalancing, healthChecks and circuitBreaker reach the service with the gateway defaults', () => {
  const result = desiredRoute(
    route({
      upstream: {
        targets: [{ url: 'http://10.0.0.1:8080', weight: 3 }, { url: 'http://10.0.0.2:8080' }],
        loadBalancing: { algorithm: 'consistent-hash', hashOn: { type: 'header', name: 'x-user' } },
        healthChecks: { active: { path: '/healthz' }, passive: { consecutiveFailures: 2 } },
        circuitBreaker: { maxConnections: 10 },
      },
    }),
  );
  assert.ok(result.accepted, !result.accepted ? result.message : '');
  assert.deepEqual(result.value.service, {
    name: 'k8s.shop.users',
    targets: [{ url: 'http://10.0.0.1:8080', weight: 3 }, { url: 'http://10.0.0.2:8080', weight: 1 }],
    connectTimeoutMs: 2000,
    timeoutMs: 10000,
    retries: 1,
    loadBalancing: { algorithm: 'consistent-hash', hashOn: { type: 'header', name: 'x-user' } },
    healthChecks: {
      active: { path: '/healthz', intervalMs: 5000, timeoutMs: 1000, healthyThreshold: 2, unhealthyThreshold: 3 },
      passive: { consecutiveFailures: 2, ejectionMs: 30000, maxEjectionPercent: 50 },
    },
    circuitBreaker: { maxConnections: 10, maxPendingRequests: 1024 },
  });
});

test('spec.timeouts, spec.retry and spec.listeners reach the route; without them the route is what it always was', () => {
  const result = desiredRoute(
    route({ timeouts: { requestMs: 15000, backendRequestMs: 5000 }, retry: { attempts: 2, on: ['connect-failure', 'reset', '503'] }, listeners: ['web'] }),
  );
  assert.ok(result.accepted);
  assert.deepEqual(result.value.route.timeouts, { requestMs: 15000, backendRequestMs: 5000 });
  assert.deepEqual(result.value.route.retry, { attempts: 2, on: ['connect-failure', 'reset', '503'], backoffMs: 25 });
  assert.deepEqual(result.value.route.listeners, ['web']);
  const plain = desiredRoute(route({}));
  assert.ok(plain.accepted);
  assert.deepEqual(Object.keys(plain.value.route).sort(), ['auth', 'hosts', 'methods', 'name', 'paths', 'service', 'stripPrefix']);
  assert.deepEqual(Object.keys(plain.value.service ?? {}).sort(), ['connectTimeoutMs', 'name', 'retries', 'timeoutMs', 'url']);
});

test('upstream and retry values the CRD lets through but the gateway refuses become the reason, with the Route field named', () => {
  const table: [Partial<RouteResource['spec']>, RegExp][] = [
    [{ upstream: { targets: [{ url: 'http://a:1' }, { url: 'https://b:1' }] } }, /^spec\.upstream\.targets: all targets of a service must use the same scheme/],
    [{ upstream: { targets: [{ url: 'http://user:pw@a:1' }] } }, /^spec\.upstream\.targets\[0\]\.url: must not carry credentials/],
    [{ upstream: { targets: [{ url: 'http://a:1', weight: 0 }] } }, /^spec\.upstream\.targets: at least one target needs a weight above 0/],
    [{ upstream: { url: 'http://a:1', targets: [{ url: 'http://a:1' }] } }, /^spec\.upstream\.url: a service needs exactly one of url and targets/],
    [{ upstream: { url: 'http://a:1', loadBalancing: { algorithm: 'random' } } }, /^spec\.upstream\.loadBalancing\.algorithm: /],
    [{ upstream: { url: 'http://a:1', loadBalancing: { algorithm: 'consistent-hash' } } }, /^spec\.upstream\.loadBalancing\.hashOn: consistent-hash needs hashOn/],
    [{ upstream: { url: 'http://a:1', healthChecks: { active: { intervalMs: 1000, timeoutMs: 1000 } } } }, /^spec\.upstream\.healthChecks\.active\.timeoutMs: must be less than intervalMs/],
    [{ match: { paths: ['/orders'], methods: ['POST'] }, retry: { attempts: 2, on: ['503'] } }, /^spec\.retry\.on: methods POST are not idempotent/],
    [{ timeouts: { requestMs: 1000, backendRequestMs: 2000 } }, /^spec\.timeouts\.backendRequestMs: must not exceed requestMs/],
    [{ listeners: ['-web'] }, /^spec\.listeners\[0\]: listener name must be/],
  ];
  for (const [spec, message] of table) {
    const result = desiredRoute(route(spec));
    assert.ok(!result.accepted, JSON.stringify(spec));
    assert.equal(result.reason, 'Invalid');
    assert.match(result.message, message);
  }
});

const ecPublicJwk = (): Record<string, unknown> => {
  const { kty, crv, x, y } = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
  return { kty, crv, x, y, kid: 'k1' };
};

test('spec.match.pathMatches follow spec.match.paths in the route\'s one paths list, and headers and query become match', () => {
  const result = desiredRoute(
    route({
      match: {
        paths: ['/users/:id'],
        pathMatches: [{ type: 'Exact', value: '/health' }, { type: 'RegularExpression', value: '/v[0-9]+/items' }],
        headers: [{ name: 'X-Env', value: 'canary', type: 'Exact' }],
        query: [{ name: 'debug', value: '1|true', type: 'RegularExpression' }],
      },
    }),
  );
  assert.ok(result.accepted);
  assert.deepEqual(result.value.route.paths, ['/users/:id', { type: 'Exact', value: '/health' }, { type: 'RegularExpression', value: '/v[0-9]+/items' }]);
  assert.deepEqual(result.value.route.match, { headers: [{ name: 'X-Env', value: 'canary', type: 'Exact' }], query: [{ name: 'debug', value: '1|true', type: 'RegularExpression' }] });
});

test('a Route of pathMatches alone needs no paths, and one without match conditions programs no match', () => {
  const result = desiredRoute(route({ match: { pathMatches: [{ type: 'PathPrefix', value: '/v1' }] } }));
  assert.ok(result.accepted);
  assert.deepEqual(result.value.route.paths, [{ type: 'PathPrefix', value: '/v1' }]);
  assert.equal('match' in result.value.route, false);
});

test('spec.jwt.providers reach the route as the gateway schema parses them', () => {
  const jwk = ecPublicJwk();
  const providers = [
    { name: 'okta', issuer: 'https://acme.okta.com', jwksUri: 'https://acme.okta.com/v1/keys', algorithms: ['RS256'], audiences: ['api'], claimsToHeaders: [{ claim: 'email', header: 'X-User-Email' }] },
    { name: 'local', issuer: 'https://local', publicKeys: [jwk], algorithms: ['ES256'], consumerClaim: 'client_id' },
  ];
  const result = desiredRoute(route({ auth: 'jwt', jwt: { providers } }));
  assert.ok(result.accepted);
  assert.deepEqual(result.value.route.jwt, { providers });
});

test('match and jwt values the CRD admits and the gateway refuses are Invalid naming the resource field', () => {
  const table: [Partial<RouteResource['spec']>, RegExp][] = [
    // The index of a pathMatches entry is its own, not its place in the gateway's combined list.
    [{ match: { paths: ['/a'], pathMatches: [{ type: 'Exact', value: '/ok' }, { type: 'RegularExpression', value: '(a)\\1' }] } }, /^spec\.match\.pathMatches\[1\]\.value: RegularExpression path /],
    [{ match: { pathMatches: [{ type: 'Exact', value: 'no-slash' }] } }, /^spec\.match\.pathMatches\[0\]\.value: Exact path /],
    [{ match: { pathMatches: [{ type: 'RegularExpression', value: '/a.*' }] }, stripPrefix: true }, /^spec\.match\.pathMatches\[0\]: stripPrefix needs prefix paths/],
    [{ match: { paths: ['/a'], headers: [{ name: 'X-A', value: 'a', type: 'Exact' }, { name: 'x-a', value: 'b', type: 'Exact' }] } }, /^spec\.match\.headers\[1\]\.name: header 'x-a' is matched twice/],
    [{ match: { paths: ['/a'], headers: [{ name: 'X-A', value: '(?=x)', type: 'RegularExpression' }] } }, /^spec\.match\.headers\[0\]\.value: RegularExpression /],
    [{ match: { paths: ['/a'], query: [{ name: 'q', value: 'a\u0001', type: 'Exact' }] } }, /^spec\.match\.query\[0\]\.value: must not contain control characters/],
    [
      { auth: 'jwt', jwt: { providers: [{ name: 'p', issuer: 'https://i', jwksUri: 'https://169.254.169.254/keys', algorithms: ['RS256'] }] } },
      /^spec\.jwt\.providers\[0\]\.jwksUri: must not name a .* address/,
    ],
    [
      { auth: 'jwt', jwt: { providers: [{ name: 'p', issuer: 'https://i', publicKeys: [{ ...ecPublicJwk(), alg: 'ES384' }], algorithms: ['ES256'] }] } },
      /^spec\.jwt\.providers\[0\]\.publicKeys\[0\]/,
    ],
    [
      { auth: 'jwt', jwt: { providers: [{ name: 'p', issuer: 'https://i', jwksUri: 'https://i/keys', algorithms: ['RS256'], claimsToHeaders: [{ claim: 'sub', header: 'X-Forwarded-User' }] }] } },
      /^spec\.jwt\.providers\[0\]\.claimsToHeaders\[0\]\.header: x-forwarded-\* headers are set by the gateway/,
    ],
    [{ auth: 'key-auth', jwt: { providers: [{ name: 'p', issuer: 'https://i', jwksUri: 'https://i/keys', algorithms: ['RS256'] }] } }, /^spec\.jwt: jwt\.providers needs auth: jwt/],
  ];
  for (const [spec, message] of table) {
    const result = desiredRoute(route(spec));
    assert.ok(!result.accepted, JSON.stringify(spec));
    assert.equal(result.reason, 'Invalid');
    assert.match(result.message, message);
  }
});

test('acl, ipRestriction, cors, header edits, rewrite, preserveHost and maxBodyBytes reach the route under the same names, with the gateway defaults', () => {
  const result = desiredRoute(
    route({
      auth: 'key-auth',
      acl: { allow: ['partners'] },
      ipRestriction: { allow: ['10.0.0.0/8', '2001:db8::/32'], deny: ['10.9.0.0/16'] },
      cors: { allowOrigins: ['https://app.example.com'], allowCredentials: true },
      requestHeaders: { set: { 'X-Env': 'prod' }, add: { 'X-Trace': 'on' }, remove: ['Cookie'] },
      responseHeaders: { remove: ['Server'] },
      rewrite: { hostname: 'users.internal' },
      preserveHost: true,
      maxBodyBytes: 1048576,
    }),
  );
  assert.ok(result.accepted, JSON.stringify(result));
  const { route: config } = result.value;
  assert.deepEqual(config.acl, { allow: ['partners'] });
  assert.deepEqual(config.ipRestriction, { allow: ['10.0.0.0/8', '2001:db8::/32'], deny: ['10.9.0.0/16'] });
  assert.deepEqual(config.cors, { allowOrigins: ['https://app.example.com'], allowCredentials: true, maxAgeSeconds: 5 });
  assert.deepEqual(config.requestHeaders, { set: { 'X-Env': 'prod' }, add: { 'X-Trace': 'on' }, remove: ['Cookie'] });
  assert.deepEqual(config.responseHeaders, { remove: ['Server'] });
  assert.deepEqual(config.rewrite, { hostname: 'users.internal' });
  assert.equal(config.preserveHost, true);
  assert.equal(config.maxBodyBytes, 1048576);
});

test('preserveHost false leaves the route as it always was', () => {
  const result = desiredRoute(route({ preserveHost: false }));
  assert.ok(result.accepted);
  assert.equal(JSON.stringify(result.value.route), '{"name":"k8s.shop.users","service":"k8s.shop.users","paths":["/users/:id"],"methods":[],"hosts":[],"stripPrefix":false,"auth":"none"}');
});

test('policy values the CRD lets through but the gateway refuses become the reason, with the Route field named', () => {
  const table: [Partial<RouteResource['spec']>, RegExp][] = [
    [{ ipRestriction: { allow: ['10.0.0.0/33'] } }, /^spec\.ipRestriction\.allow\[0\]: must be an IPv4 or IPv6 address or CIDR/],
    [{ cors: { allowOrigins: ['https://app.example.com/path'] } }, /^spec\.cors\.allowOrigins\[0\]: must be '\*', 'null' or a lower-case origin/],
    [{ requestHeaders: { set: { Host: 'evil' } } }, /^spec\.requestHeaders\.set\.Host: Host is set by the gateway/],
    [{ requestHeaders: { set: { 'X-A': '1' }, remove: ['x-a'] } }, /^spec\.requestHeaders\.remove\[0\]: header 'x-a' is already named/],
    [{ responseHeaders: { add: { 'X-Forwarded-For': '1.2.3.4' } } }, /^spec\.responseHeaders\.add\.X-Forwarded-For: x-forwarded-\* headers are set by the gateway/],
    [{ requestHeaders: { set: { 'Bad Name': 'v' } } }, /^spec\.requestHeaders\.set\.Bad Name: must be a header name/],
    [{ rewrite: { path: { replaceFullPath: '/a/../b' } } }, /^spec\.rewrite\.path\.replaceFullPath: must not contain '\.' or '\.\.' segments/],
    [{ rewrite: { path: { replacePrefixMatch: '/v2' } } }, /^spec\.rewrite\.path\.replacePrefixMatch: replacePrefixMatch needs every path of the route to be a prefix/],
    [{ stripPrefix: true, match: { paths: ['/users/*'] }, rewrite: { path: { replacePrefixMatch: '/v2' } } }, /^spec\.rewrite\.path: stripPrefix is replacePrefixMatch/],
    [{ acl: { allow: ['partners'] } }, /^spec\.acl: acl needs an auth that identifies consumers/],
    [{ auth: 'jwt', acl: { allow: ['a'], deny: ['b'] } }, /^spec\.acl: needs exactly one of allow and deny/],
    [{ maxBodyBytes: 1073741825 }, /^spec\.maxBodyBytes: /],
  ];
  for (const [spec, message] of table) {
    const result = desiredRoute(route(spec));
    assert.ok(!result.accepted, JSON.stringify(spec));
    assert.equal(result.reason, 'Invalid');
    assert.match(result.message, message);
  }
});

test('a redirect Route without upstream has no service; a Route with neither is refused naming spec.upstream', () => {
  const redirect = { scheme: 'https', port: 443, statusCode: 301, path: { replaceFullPath: '/moved' } };
  const { upstream: _none, ...spec } = route({ redirect }).spec;
  const result = desiredRoute({ metadata: { name: 'old', namespace: 'shop' }, spec });
  assert.ok(result.accepted, JSON.stringify(result));
  assert.equal(result.value.service, null);
  assert.equal(result.value.route.service, undefined);
  assert.deepEqual(result.value.route.redirect, redirect);
  const neither = desiredRoute({ metadata: { name: 'old', namespace: 'shop' }, spec: { ...spec, redirect: undefined } });
  assert.ok(!neither.accepted);
  assert.equal(neither.message, 'spec.upstream: required unless spec.redirect is set');
});

test('a redirect Route that also rewrites is refused naming spec.rewrite', () => {
  const result = desiredRoute(route({ redirect: { scheme: 'https' }, rewrite: { hostname: 'a.example' } }));
  assert.ok(!result.accepted);
  assert.match(result.message, /^spec\.rewrite: a route cannot both redirect and rewrite/);
});
