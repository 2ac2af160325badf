import { test } from 'node:test';
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
  assert.equal(h2.value.service.http2, true);
  for (const upstream of [{ url: 'http://users:8080' }, { url: 'http://users:8080', http2: false }]) {
    const result = desiredRoute(route({ upstream }));
    assert.ok(result.accepted);
    assert.equal(JSON.stringify(result.value.service), '{"name":"k8s.shop.users","url":"http://users:8080","connectTimeoutMs":2000,"timeoutMs":10000,"retries":1}');
  }
});
