import { test } from 'node:test';
import assert from 'node:assert/strict';
import { durationMs, translateHttpRoute, type BackendObjectReference, type BackendResolution, type HttpRouteObject, type TranslationInput } from './translate.js';
import { certificateEntityName, gatewayListenerName, httpRouteNameStem, serviceEntityName } from './names.js';

const known = new Set(['infra-backend-v1', 'infra-backend-v2', 'infra-backend-v3']);

/** Services in the route's namespace named infra-backend-v1..v3 resolve; anything else is not found. */
function resolveBackend(ref: BackendObjectReference, routeNamespace: string): BackendResolution {
  if ((ref.kind ?? 'Service') !== 'Service' || (ref.group ?? '') !== '') return { reason: 'InvalidKind', message: `${ref.kind} is not a Service` };
  const namespace = ref.namespace ?? routeNamespace;
  if (namespace !== routeNamespace) return { reason: 'RefNotPermitted', message: `no ReferenceGrant allows ${namespace}/${ref.name}` };
  if (!known.has(ref.name)) return { reason: 'BackendNotFound', message: `Service ${namespace}/${ref.name} not found` };
  return { service: serviceEntityName(namespace, ref.name, ref.port ?? 0) };
}

function translate(spec: HttpRouteObject['spec'], extra: Partial<TranslationInput> = {}) {
  return translateHttpRoute({
    route: { metadata: { namespace: 'gateway-conformance-infra', name: 'r' }, spec },
    listeners: ['gwapi.gw.http'],
    hostnames: [],
    resolveBackend,
    ...extra,
  });
}

const v1 = { name: 'infra-backend-v1', port: 8080 };
const svc = (name: string) => serviceEntityName('gateway-conformance-infra', name, 8080);

test('names: gwapi.<ns>.<name>.<hash>.<rule>.<match>, parts cut to 40 characters, the hash of the full names keeps them apart', () => {
  const stem = httpRouteNameStem('gateway-conformance-infra', 'r');
  assert.match(stem, /^gwapi\.gateway-conformance-infra\.r\.[0-9a-f]{8}$/);
  const long = 'a'.repeat(63);
  const one = httpRouteNameStem(long, `${long}x`);
  const two = httpRouteNameStem(long, `${long}y`);
  assert.notEqual(one, two);
  assert.ok(one.length <= 6 + 40 + 1 + 40 + 1 + 8);
  assert.equal(serviceEntityName('ns', 'echo', 8080), 'gwapi.svc.ns.echo.8080');
  const longService = serviceEntityName(long, long, 65535);
  assert.ok(longService.length <= 128, longService);
  assert.notEqual(longService, serviceEntityName(long, `${long.slice(1)}b`, 65535));
  const listener = gatewayListenerName(long, long, `${'l'.repeat(200)}-`);
  assert.ok(listener.length <= 128 && /[A-Za-z0-9]$/.test(listener), listener);
  assert.notEqual(gatewayListenerName('ns', 'gw', 'http'), gatewayListenerName('ns', 'gw2', 'http'));
  assert.match(certificateEntityName('ns', 'tls'), /^gwapi\.cert\.ns\.tls\.[0-9a-f]{8}$/);
});

test('a rule without matches is PathPrefix / ; each match becomes its own route in order, with the route hostnames and listeners', () => {
  const result = translate(
    {
      rules: [
        { backendRefs: [v1] },
        {
          matches: [{ path: { type: 'Exact', value: '/exact' }, method: 'POST' }, { path: { type: 'RegularExpression', value: '/v[0-9]+' }, headers: [{ name: 'X-Env', value: 'canary' }], queryParams: [{ name: 'q', value: 'a.*', type: 'RegularExpression' }] }],
          backendRefs: [v1],
        },
      ],
    },
    { hostnames: ['foo.example.com'] },
  );
  assert.equal(result.invalid, undefined);
  assert.deepEqual(result.routes.map((route) => route.name.split('.').slice(-2).join('.')), ['0.0', '1.0', '1.1']);
  const [first, exact, regex] = result.routes;
  assert.deepEqual(first?.paths, [{ type: 'PathPrefix', value: '/' }]);
  assert.deepEqual(first?.hosts, ['foo.example.com']);
  assert.deepEqual(first?.listeners, ['gwapi.gw.http']);
  assert.equal(first?.preserveHost, true);
  assert.deepEqual(exact?.methods, ['POST']);
  assert.deepEqual(regex?.match, { headers: [{ name: 'X-Env', value: 'canary', type: 'Exact' }], query: [{ name: 'q', value: 'a.*', type: 'RegularExpression' }] });
});

test('weighted backendRefs become backends; an unresolved one is an invalid entry with its weight and the first problem is reported', () => {
  const result = translate({
    rules: [{ backendRefs: [{ ...v1, weight: 70 }, { name: 'infra-backend-v2', port: 8080, weight: 30 }, { name: 'missing', port: 8080, weight: 5 }, { name: 'x', kind: 'ConfigMap', weight: 1 }] }],
  });
  assert.deepEqual(result.routes[0]?.backends, [
    { service: svc('infra-backend-v1'), weight: 70 },
    { service: svc('infra-backend-v2'), weight: 30 },
    { invalid: true, weight: 5 },
    { invalid: true, weight: 1 },
  ]);
  assert.equal(result.refProblem?.reason, 'BackendNotFound');
  assert.equal(translate({ rules: [{ backendRefs: [{ name: 'x', kind: 'ConfigMap' }] }] }).refProblem?.reason, 'InvalidKind');
  assert.equal(translate({ rules: [{ backendRefs: [{ ...v1, namespace: 'other' }] }] }).refProblem?.reason, 'RefNotPermitted');
});

test('omitted or empty backendRefs give a route with no destination (the gateway answers 500)', () => {
  const result = translate({ rules: [{ matches: [{ path: { type: 'Exact', value: '/omitted' } }] }, { matches: [{ path: { type: 'Exact', value: '/empty' } }], backendRefs: [] }] });
  assert.equal(result.invalid, undefined);
  for (const route of result.routes) {
    assert.equal(route.service, undefined);
    assert.equal(route.backends, undefined);
    assert.equal(route.redirect, undefined);
  }
  assert.equal(result.refProblem, undefined);
});

test('header modifiers, redirect, rewrite, CORS and mirrors map to the route fields of DESIGN §10', () => {
  const result = translate({
    rules: [
      {
        matches: [{ path: { type: 'PathPrefix', value: '/api' } }],
        filters: [
          { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'X-Set', value: 'a' }], add: [{ name: 'X-Add', value: 'b' }], remove: ['X-Drop'] } },
          { type: 'ResponseHeaderModifier', responseHeaderModifier: { remove: ['Server'] } },
          { type: 'URLRewrite', urlRewrite: { hostname: 'internal.example', path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/v2' } } },
          { type: 'RequestMirror', requestMirror: { backendRef: { name: 'infra-backend-v2', port: 8080 }, fraction: { numerator: 1, denominator: 3 } } },
          { type: 'CORS', cors: { allowOrigins: ['https://app.example.com'], allowCredentials: true, maxAge: 60 } },
        ],
        backendRefs: [{ ...v1, filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'X-Backend', value: 'v1' }] } }] }],
      },
      { matches: [{ path: { type: 'Exact', value: '/old' } }], filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', hostname: 'new.example.com', statusCode: 301, path: { type: 'ReplaceFullPath', replaceFullPath: '/new' } } }] },
    ],
  });
  assert.equal(result.invalid, undefined);
  const [api, old] = result.routes;
  assert.deepEqual(api?.requestHeaders, { set: { 'X-Set': 'a' }, add: { 'X-Add': 'b' }, remove: ['X-Drop'] });
  assert.deepEqual(api?.responseHeaders, { remove: ['Server'] });
  assert.deepEqual(api?.rewrite, { hostname: 'internal.example', path: { replacePrefixMatch: '/v2' } });
  assert.deepEqual(api?.mirrors, [{ service: svc('infra-backend-v2'), percent: 33.33 }]);
  assert.equal(api?.cors?.allowCredentials, true);
  assert.equal(api?.cors?.maxAgeSeconds, 60);
  assert.deepEqual(api?.backends, [{ service: svc('infra-backend-v1'), weight: 1, requestHeaders: { set: { 'X-Backend': 'v1' } } }]);
  assert.deepEqual(old?.redirect, { scheme: 'https', hostname: 'new.example.com', statusCode: 301, path: { replaceFullPath: '/new' } });
  assert.equal(old?.backends, undefined);
});

test('an ExtensionRef or unknown filter is never skipped: the rule answers 500 with none of its other filters', () => {
  const result = translate({
    rules: [{ filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'X-A', value: '1' }] } }, { type: 'ExtensionRef', extensionRef: { group: 'example.com', kind: 'Unknown', name: 'x' } }], backendRefs: [v1] }],
  });
  assert.equal(result.invalid, undefined);
  assert.equal(result.routes[0]?.backends, undefined);
  assert.equal(result.routes[0]?.requestHeaders, undefined);
});

test('a backendRef filter other than the header modifiers is never dropped silently: the rule answers 500', () => {
  const result = translate({ rules: [{ backendRefs: [{ ...v1, filters: [{ type: 'URLRewrite', urlRewrite: { hostname: 'x.example' } }] }] }] });
  assert.equal(result.invalid, undefined);
  assert.equal(result.routes[0]?.backends, undefined);
  assert.equal(result.routes[0]?.rewrite, undefined);
});

test('timeouts: Gateway API durations become milliseconds; a malformed one refuses the HTTPRoute naming the field', () => {
  assert.equal(durationMs('1h'), 3_600_000);
  assert.equal(durationMs('1m30s'), 90_000);
  assert.equal(durationMs('500ms'), 500);
  assert.equal(durationMs('0s'), 0);
  for (const bad of ['', '1', '1d', '-1s', '1.5s', '123456s', '1h1h1h1h1h', '10 s']) assert.equal(durationMs(bad), undefined, bad);
  assert.deepEqual(translate({ rules: [{ backendRefs: [v1], timeouts: { request: '10s', backendRequest: '2s' } }] }).routes[0]?.timeouts, { requestMs: 10_000, backendRequestMs: 2_000 });
  const bad = translate({ rules: [{ backendRefs: [v1] }, { backendRefs: [v1], timeouts: { request: '10 s' } }] });
  assert.deepEqual(bad.routes, []);
  assert.match(bad.invalid ?? '', /^spec\.rules\[1\]\.timeouts\.request '10 s' is not a duration/);
});

test('a value the gateway schema refuses makes the whole HTTPRoute invalid, naming the rule and field, and nothing half-translated', () => {
  const result = translate({
    rules: [
      { backendRefs: [v1] },
      { matches: [{ path: { type: 'PathPrefix', value: '/a' } }, { path: { type: 'RegularExpression', value: '(unclosed' } }], backendRefs: [v1] },
    ],
  });
  assert.deepEqual(result.routes, []);
  assert.match(result.invalid ?? '', /^spec\.rules\[1\]\.matches\[1\]: paths\.0\.value: /);
  const header = translate({ rules: [{ filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'Host', value: 'evil' }] } }], backendRefs: [v1] }] });
  assert.match(header.invalid ?? '', /requestHeaders\.set\.Host: Host is set by the gateway/);
});
