// translate.ts's NovaGatePolicy hook (policyFields): kept in its own file beside translate.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serviceEntityName } from './names.js';
import { translateHttpRoute, type HttpRouteFilter, type HttpRouteObject, type TranslationInput } from './translate.js';

const v1 = { name: 'echo', port: 8080 };
const policyRef = (name: string): HttpRouteFilter => ({ type: 'ExtensionRef', extensionRef: { group: 'novagate.dev', kind: 'NovaGatePolicy', name } });

function translate(rules: NonNullable<HttpRouteObject['spec']['rules']>, policyFields?: TranslationInput['policyFields']) {
  return translateHttpRoute({
    route: { metadata: { namespace: 'apps', name: 'r' }, spec: { rules } },
    listeners: ['gwapi.gw.http'],
    hostnames: [],
    resolveBackend: (ref, namespace) => ({ service: serviceEntityName(namespace, ref.name, ref.port ?? 0) }),
    ...(policyFields === undefined ? {} : { policyFields }),
  });
}

test('the policy hook gives every rule its fields, and the rule naming a policy in an ExtensionRef gets that policy\'s', () => {
  const asked: (string | undefined)[] = [];
  const result = translate([{ backendRefs: [v1] }, { filters: [policyRef('admins')], backendRefs: [v1] }], (name) => {
    asked.push(name);
    return { fields: name === 'admins' ? { auth: 'basic-auth', acl: { allow: ['admins'] } } : { auth: 'key-auth', rateLimit: { limit: 5, windowSeconds: 60 } } };
  });
  assert.equal(result.invalid, undefined);
  assert.deepEqual(asked, [undefined, 'admins']);
  assert.deepEqual([result.routes[0]?.auth, result.routes[0]?.rateLimit], ['key-auth', { limit: 5, windowSeconds: 60, by: 'consumer' }]);
  assert.deepEqual([result.routes[1]?.auth, result.routes[1]?.acl], ['basic-auth', { allow: ['admins'] }]);
  assert.ok(result.routes[1]?.backends !== undefined, 'the policy ExtensionRef is honoured, not treated as unsupported');
});

test('an ExtensionRef the hook cannot resolve makes that rule answer 500 with no policy fields, and is the reference problem', () => {
  const result = translate([{ backendRefs: [v1] }, { filters: [policyRef('nope')], backendRefs: [v1] }], (name) =>
    name === undefined ? { fields: { auth: 'key-auth' } } : { problem: { reason: 'BackendNotFound', message: `NovaGatePolicy apps/${name} does not exist` } },
  );
  assert.equal(result.routes[1]?.backends, undefined);
  assert.equal(result.routes[1]?.auth, 'none');
  assert.deepEqual(result.refProblem, { reason: 'BackendNotFound', message: 'NovaGatePolicy apps/nope does not exist' });
  assert.equal(result.routes[0]?.auth, 'key-auth');
});

test('without the hook an ExtensionRef to a NovaGatePolicy answers 500 as before; two in one rule answer 500 with the hook', () => {
  assert.equal(translate([{ filters: [policyRef('p')], backendRefs: [v1] }]).routes[0]?.backends, undefined);
  const twice = translate([{ filters: [policyRef('a'), policyRef('b')], backendRefs: [v1] }], () => ({ fields: { auth: 'key-auth' } }));
  assert.equal(twice.routes[0]?.backends, undefined);
  assert.equal(twice.routes[0]?.auth, 'none', 'a rule answering 500 carries no half of its policies');
});

test('fields the gateway schema refuses after merging refuse the HTTPRoute naming the rule and field', () => {
  const result = translate([{ backendRefs: [v1] }], () => ({ fields: { acl: { allow: ['partners'] } } }));
  assert.deepEqual(result.routes, []);
  assert.match(result.invalid ?? '', /^spec\.rules\[0\]: acl: acl needs an auth/);
});

test('a problem for the rules without an ExtensionRef (an Invalid targeting policy, conflicting parents) makes every rule answer 500 with no policy fields', () => {
  const problem = { reason: 'BackendNotFound' as const, message: 'NovaGatePolicy apps/bad targets HTTPRoute apps/r and is Invalid (spec.ipRestriction.allow[0]: not an address)' };
  const result = translate(
    [{ backendRefs: [v1] }, { matches: [{ path: { type: 'PathPrefix', value: '/a' } }, { path: { type: 'PathPrefix', value: '/b' } }], backendRefs: [v1] }],
    () => ({ problem }),
  );
  assert.equal(result.invalid, undefined, 'served (as 500), not refused: the status says why in ResolvedRefs');
  assert.equal(result.routes.length, 3);
  for (const route of result.routes) {
    assert.equal(route.backends, undefined, `${route.name} has no destination: 500`);
    assert.equal(route.auth, 'none');
    assert.equal(route.ipRestriction, undefined);
  }
  assert.deepEqual(result.refProblem, problem);
});
