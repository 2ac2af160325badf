import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gatewayApiDir, manifestObjects, substituteBaseManifests } from '../harness.js';
import { EXTENDED_CHECKS } from './all-checks.js';
import { checkHostname, extendedRoute, HOST_SUFFIX, INFRA_V1_H2C_PORT, INFRA_V1_WEBSOCKET_PORT, ROUTE_NAME_PREFIX } from './routes.js';

const base = manifestObjects(substituteBaseManifests(readFileSync(join(gatewayApiDir(), 'base-manifests.yaml'), 'utf8'), 'novagate'));

test('an own route is named and hosted after its label, attached to the same-namespace Gateway, with port 8080 unless given', () => {
  const route = extendedRoute('sample', [{ backendRefs: [{ name: 'infra-backend-v1' }, { name: 'infra-backend-v1', port: 8081, weight: 3 }] }]);
  assert.equal(route.kind, 'HTTPRoute');
  assert.equal(route.apiVersion, 'gateway.networking.k8s.io/v1');
  assert.deepEqual(route.metadata, { name: 'novagate-extended-sample', namespace: 'gateway-conformance-infra' });
  assert.deepEqual(route.spec.parentRefs, [{ name: 'same-namespace' }]);
  assert.deepEqual(route.spec.hostnames, ['sample.extended.novagate.test']);
  assert.deepEqual(route.spec.rules[0]!.backendRefs, [
    { name: 'infra-backend-v1', port: 8080 },
    { name: 'infra-backend-v1', port: 8081, weight: 3 },
  ]);
  assert.deepEqual(extendedRoute('redirect-only', [{ filters: [{ type: 'RequestRedirect', requestRedirect: { statusCode: 301 } }] }]).spec.rules[0], {
    filters: [{ type: 'RequestRedirect', requestRedirect: { statusCode: 301 } }],
  });
});

test('a label that is not one DNS label, no rules, too many rules or a backend outside the base echo Services is refused in words', () => {
  for (const label of ['', 'Upper', 'two.labels', '-dash', 'x'.repeat(64), 'spa ce']) assert.throws(() => checkHostname(label), /must be one lower-case DNS label/, label);
  assert.throws(() => extendedRoute('empty', []), /rules must not be empty/);
  assert.throws(() => extendedRoute('many', Array.from({ length: 17 }, () => ({}))), /rules has 17 entries, the Gateway API allows 16/);
  assert.throws(
    () => extendedRoute('elsewhere', [{ backendRefs: [{ name: 'kube-apiserver' as 'infra-backend-v1' }] }]),
    /route elsewhere: rules\[0\]\.backendRefs names 'kube-apiserver', not a base echo Service/,
  );
});

test('the own checks cover each Extended feature once, with routes that do not collide and use only what the base manifests have', () => {
  const features = EXTENDED_CHECKS.map((check) => check.feature);
  assert.equal(new Set(features).size, features.length, 'one check per feature');
  for (const feature of [
    'HTTPRouteQueryParamMatching',
    'HTTPRouteMethodMatching',
    'HTTPRouteResponseHeaderModification',
    'HTTPRoutePortRedirect',
    'HTTPRouteSchemeRedirect',
    'HTTPRoutePathRedirect',
    'HTTPRoute303RedirectStatusCode',
    'HTTPRoute307RedirectStatusCode',
    'HTTPRoute308RedirectStatusCode',
    'HTTPRouteHostRewrite',
    'HTTPRoutePathRewrite',
    'HTTPRouteRequestMirror',
    'HTTPRouteRequestTimeout',
    'HTTPRouteBackendTimeout',
    'HTTPRouteCORS',
    'HTTPRouteBackendProtocolH2C',
    'HTTPRouteBackendProtocolWebSocket',
  ]) {
    assert.ok(features.includes(feature), feature);
  }
  const routes = EXTENDED_CHECKS.flatMap((check) => check.routes);
  assert.equal(new Set(routes.map((route) => route.metadata.name)).size, routes.length, 'route names are unique');
  const hostnames = routes.flatMap((route) => route.spec.hostnames);
  assert.equal(new Set(hostnames).size, hostnames.length, 'each route has a hostname of its own, so checks run side by side');
  const services = new Map(
    base
      .filter((object) => object.kind === 'Service' && object.metadata.namespace === 'gateway-conformance-infra')
      .map((service) => [service.metadata.name, ((service.spec as { ports: { port: number }[] }).ports ?? []).map((port) => port.port)]),
  );
  const gateway = base.find((object) => object.kind === 'Gateway' && object.metadata.name === 'same-namespace');
  assert.ok(gateway !== undefined, 'the base manifests have the same-namespace Gateway');
  for (const route of routes) {
    assert.ok(route.metadata.name.startsWith(ROUTE_NAME_PREFIX) && route.spec.hostnames.every((host) => host.endsWith(HOST_SUFFIX)), route.metadata.name);
    const refs = route.spec.rules.flatMap((rule) => [
      ...(rule.backendRefs ?? []),
      ...(rule.filters ?? []).flatMap((filter) => (filter.type === 'RequestMirror' ? [filter.requestMirror.backendRef] : [])),
    ]);
    for (const ref of refs) assert.ok(services.get(ref.name)?.includes(ref.port), `${route.metadata.name}: ${ref.name}:${ref.port} is a base Service port`);
  }
  assert.deepEqual(services.get('infra-backend-v1')?.slice(1), [INFRA_V1_H2C_PORT, INFRA_V1_WEBSOCKET_PORT]);
});
