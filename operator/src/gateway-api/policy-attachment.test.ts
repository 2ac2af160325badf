import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GATEWAY_GROUP } from './attach.js';
import { attachPolicies, policyFieldsFor, type AttachmentWorld, type PolicyFields, type PolicyObject, type PolicyTargetReference, type RouteAttachmentPoint } from './policy-attachment.js';

const toRoute = (name: string): PolicyTargetReference => ({ group: GATEWAY_GROUP, kind: 'HTTPRoute', name });
const toGateway = (name: string, sectionName?: string): PolicyTargetReference => ({ group: GATEWAY_GROUP, kind: 'Gateway', name, ...(sectionName === undefined ? {} : { sectionName }) });

let clock = 0;
const policy = (name: string, targetRefs: PolicyTargetReference[], fields: PolicyFields, extra: { namespace?: string; createdAt?: string } = {}): PolicyObject => ({
  metadata: { namespace: extra.namespace ?? 'apps', name, creationTimestamp: extra.createdAt ?? `2026-11-30T00:00:${String(clock++ % 60).padStart(2, '0')}Z` },
  spec: { targetRefs, ...fields },
});

/** Routes a, b in apps; Gateway gw (listeners http, https) and gw2 (http) in apps. */
const world = (invalid: Record<string, string> = {}): AttachmentWorld => ({
  isTarget: (kind, namespace, name, sectionName) => {
    if (kind === 'HTTPRoute') return namespace === 'apps' && ['a', 'b'].includes(name) ? true : `HTTPRoute ${namespace}/${name} does not exist`;
    const listeners: Record<string, string[]> = { gw: ['http', 'https'], gw2: ['http'] };
    const gateway = namespace === 'apps' ? listeners[name] : undefined;
    if (gateway === undefined) return `Gateway ${namespace}/${name} does not exist`;
    return sectionName === undefined || gateway.includes(sectionName) ? true : `Gateway ${namespace}/${name} has no listener named ${sectionName}`;
  },
  problemOf: (candidate) => invalid[candidate.metadata.name],
});

const onGw = (name: string, listeners: string[] = ['http']): RouteAttachmentPoint => ({ namespace: 'apps', name, parents: [{ namespace: 'apps', name: 'gw', listeners }] });

const fieldsOf = (result: ReturnType<typeof policyFieldsFor>): PolicyFields => {
  assert.ok('fields' in result, `expected fields, got ${JSON.stringify(result)}`);
  return result.fields;
};

const jwtProviders = { providers: [{ name: 'idp', issuer: 'https://idp.example.com/', jwksUri: 'https://idp.example.com/jwks.json', algorithms: ['RS256'] }] };

test('a policy targeting an HTTPRoute applies to the routes of that HTTPRoute and no other', () => {
  const attachment = attachPolicies([policy('p', [toRoute('a')], { auth: 'key-auth' })], world());
  assert.deepEqual(fieldsOf(policyFieldsFor(attachment, onGw('a'))), { auth: 'key-auth' });
  assert.deepEqual(fieldsOf(policyFieldsFor(attachment, onGw('b'))), {});
  assert.deepEqual(attachment.outcomes.get('apps/p')?.map((outcome) => outcome.reason), ['Accepted']);
});

test('a policy targeting a Gateway applies to every route attached to it; one with sectionName only to routes on that listener, over the Gateway-wide one', () => {
  const attachment = attachPolicies(
    [policy('gw-wide', [toGateway('gw')], { auth: 'key-auth', rateLimit: { limit: 10, windowSeconds: 60 } }), policy('https-only', [toGateway('gw', 'https')], { auth: 'basic-auth' })],
    world(),
  );
  assert.deepEqual(fieldsOf(policyFieldsFor(attachment, onGw('a', ['http']))), { auth: 'key-auth', rateLimit: { limit: 10, windowSeconds: 60 } });
  assert.deepEqual(fieldsOf(policyFieldsFor(attachment, onGw('b', ['https']))), { auth: 'basic-auth', rateLimit: { limit: 10, windowSeconds: 60 } });
  assert.deepEqual(fieldsOf(policyFieldsFor(attachment, { namespace: 'apps', name: 'a', parents: [{ namespace: 'apps', name: 'gw2', listeners: ['http'] }] })), {}, 'another Gateway gets nothing');
  assert.deepEqual(fieldsOf(policyFieldsFor(attachment, { namespace: 'apps', name: 'a', parents: [] })), {}, 'a route attached nowhere gets nothing');
});

test('HTTPRoute-level wins over Gateway-level field group by field group: auth and jwt move together, acl, ipRestriction and rateLimit on their own', () => {
  const gatewayPolicy = policy('defaults', [toGateway('gw')], { auth: 'jwt', jwt: jwtProviders, ipRestriction: { allow: ['10.0.0.0/8'] }, rateLimit: { limit: 100, windowSeconds: 60 } });
  const routePolicy = policy('route', [toRoute('a')], { auth: 'key-auth', acl: { allow: ['partners'] }, rateLimit: { limit: 5, windowSeconds: 1 } });
  const attachment = attachPolicies([gatewayPolicy, routePolicy], world());
  assert.deepEqual(fieldsOf(policyFieldsFor(attachment, onGw('a'))), {
    auth: 'key-auth', // never key-auth with the Gateway's jwt providers
    acl: { allow: ['partners'] },
    ipRestriction: { allow: ['10.0.0.0/8'] },
    rateLimit: { limit: 5, windowSeconds: 1 },
  });
  assert.deepEqual(fieldsOf(policyFieldsFor(attachment, onGw('b'))), { auth: 'jwt', jwt: jwtProviders, ipRestriction: { allow: ['10.0.0.0/8'] }, rateLimit: { limit: 100, windowSeconds: 60 } });
});

test('an ExtensionRef to a NovaGatePolicy applies it to that rule only and wins over the HTTPRoute and Gateway levels', () => {
  const attachment = attachPolicies(
    [
      policy('defaults', [toGateway('gw')], { auth: 'key-auth', rateLimit: { limit: 100, windowSeconds: 60 } }),
      policy('route', [toRoute('a')], { auth: 'basic-auth' }),
      policy('admin-only', [toRoute('b')], { auth: 'jwt', jwt: jwtProviders, acl: { allow: ['admins'] } }),
    ],
    world(),
  );
  assert.deepEqual(fieldsOf(policyFieldsFor(attachment, onGw('a'), 'admin-only')), { auth: 'jwt', jwt: jwtProviders, acl: { allow: ['admins'] }, rateLimit: { limit: 100, windowSeconds: 60 } });
  assert.deepEqual(fieldsOf(policyFieldsFor(attachment, onGw('a'))), { auth: 'basic-auth', rateLimit: { limit: 100, windowSeconds: 60 } }, 'the rules without the filter keep the route level');
});

test('an ExtensionRef to a missing or Invalid NovaGatePolicy is a reference problem naming it (the rule answers 500), never the rule without auth', () => {
  const attachment = attachPolicies([policy('broken', [toRoute('b')], { auth: 'key-auth' })], world({ broken: 'spec.ipRestriction.allow[0]: not an address' }));
  const missing = policyFieldsFor(attachment, onGw('a'), 'nope');
  assert.ok('problem' in missing);
  assert.equal(missing.problem.reason, 'BackendNotFound');
  assert.match(missing.problem.message, /NovaGatePolicy apps\/nope: it does not exist/);
  const invalid = policyFieldsFor(attachment, onGw('a'), 'broken');
  assert.ok('problem' in invalid);
  assert.match(invalid.problem.message, /apps\/broken: it is Invalid \(spec\.ipRestriction\.allow\[0\]: not an address\)/);
  const otherNamespace = attachPolicies([policy('shared', [toRoute('a')], { auth: 'key-auth' }, { namespace: 'team-b' })], world());
  assert.ok('problem' in policyFieldsFor(otherNamespace, onGw('a'), 'shared'), 'an ExtensionRef names a policy of the route\'s own namespace only');
});

test('two policies of one level on one target: the oldest wins and the other is Conflicted for that target only', () => {
  const older = policy('older', [toRoute('a')], { auth: 'key-auth' }, { createdAt: '2026-11-30T00:00:00Z' });
  const younger = policy('younger', [toRoute('a'), toRoute('b')], { auth: 'basic-auth' }, { createdAt: '2026-11-30T00:00:05Z' });
  const attachment = attachPolicies([younger, older], world());
  assert.deepEqual(fieldsOf(policyFieldsFor(attachment, onGw('a'))), { auth: 'key-auth' });
  assert.deepEqual(fieldsOf(policyFieldsFor(attachment, onGw('b'))), { auth: 'basic-auth' }, 'the younger still applies where it does not conflict');
  const outcomes = attachment.outcomes.get('apps/younger') ?? [];
  assert.deepEqual(outcomes.map((outcome) => outcome.reason), ['Conflicted', 'Accepted']);
  assert.match(outcomes[0]?.message ?? '', /NovaGatePolicy apps\/older is older and targets HTTPRoute apps\/a too/);
  assert.deepEqual(attachment.outcomes.get('apps/older')?.map((outcome) => outcome.reason), ['Accepted']);
});

test('policies created in the same second are ordered by namespace/name', () => {
  const at = '2026-11-30T00:00:00Z';
  const attachment = attachPolicies([policy('zeta', [toRoute('a')], { auth: 'basic-auth' }, { createdAt: at }), policy('alpha', [toRoute('a')], { auth: 'key-auth' }, { createdAt: at })], world());
  assert.deepEqual(fieldsOf(policyFieldsFor(attachment, onGw('a'))), { auth: 'key-auth' });
  assert.equal(attachment.outcomes.get('apps/zeta')?.[0]?.reason, 'Conflicted');
  assert.match(attachment.outcomes.get('apps/zeta')?.[0]?.message ?? '', /NovaGatePolicy apps\/alpha was created in the same second, comes first by namespace\/name, and targets HTTPRoute apps\/a too/, 'not "older"');
});

test('a Gateway-wide and a listener policy are different targets: neither is Conflicted', () => {
  const attachment = attachPolicies([policy('wide', [toGateway('gw')], { auth: 'key-auth' }), policy('listener', [toGateway('gw', 'http')], { auth: 'basic-auth' })], world());
  assert.deepEqual([...attachment.outcomes.values()].flat().map((outcome) => outcome.reason), ['Accepted', 'Accepted']);
});

test('a policy targeting a missing HTTPRoute, Gateway or listener is TargetNotFound with the reason, and applies there to nothing', () => {
  const attachment = attachPolicies([policy('p', [toRoute('ghost'), toGateway('nogw'), toGateway('gw', 'grpc'), toRoute('a')], { auth: 'key-auth' })], world());
  const outcomes = attachment.outcomes.get('apps/p') ?? [];
  assert.deepEqual(outcomes.map((outcome) => outcome.reason), ['TargetNotFound', 'TargetNotFound', 'TargetNotFound', 'Accepted']);
  assert.deepEqual(outcomes.slice(0, 3).map((outcome) => outcome.message), ['HTTPRoute apps/ghost does not exist', 'Gateway apps/nogw does not exist', 'Gateway apps/gw has no listener named grpc']);
});

test('a cross-namespace targetRef, or one to another group or kind, is never followed (TargetNotFound), even where the CRD was bypassed', () => {
  const attachment = attachPolicies(
    [
      policy('sneaky', [{ ...toRoute('a'), namespace: 'apps' }, { ...toGateway('gw'), namespace: 'infra' }], { auth: 'none' }, { namespace: 'team-b' }),
      policy('odd', [{ group: '', kind: 'Service', name: 'a' }, { group: 'example.com', kind: 'HTTPRoute', name: 'a' }], { auth: 'none' }),
    ],
    world(),
  );
  assert.deepEqual(attachment.outcomes.get('team-b/sneaky')?.map((outcome) => outcome.reason), ['TargetNotFound', 'TargetNotFound']);
  assert.match(attachment.outcomes.get('team-b/sneaky')?.[0]?.message ?? '', /targetRefs are local/);
  assert.deepEqual(attachment.outcomes.get('apps/odd')?.map((outcome) => outcome.reason), ['TargetNotFound', 'TargetNotFound']);
  assert.deepEqual(fieldsOf(policyFieldsFor(attachment, onGw('a'))), {}, 'a policy of team-b can never switch off the auth of a route in apps');
});

const problemOf = (result: ReturnType<typeof policyFieldsFor>) => {
  assert.ok('problem' in result, `expected a problem (the rule answers 500), got ${JSON.stringify(result)}`);
  return result.problem;
};

test('an Invalid policy targeting an HTTPRoute applies none of its fields and makes that route answer 500, never fall back to a weaker level', () => {
  const gatewayDefault = policy('gateway-default', [toGateway('gw')], { auth: 'basic-auth' }, { createdAt: '2026-11-30T00:00:00Z' });
  const invalid = policy('invalid', [toRoute('a')], { auth: 'key-auth', ipRestriction: { allow: ['nope'] } }, { createdAt: '2026-11-30T00:00:01Z' });
  const valid = policy('valid', [toRoute('a')], { auth: 'none' }, { createdAt: '2026-11-30T00:00:09Z' });
  const attachment = attachPolicies([invalid, valid, gatewayDefault], world({ invalid: 'spec.ipRestriction.allow[0]: not an address' }));
  assert.deepEqual(attachment.outcomes.get('apps/invalid')?.map((outcome) => outcome.reason), ['Invalid']);
  assert.match(attachment.outcomes.get('apps/invalid')?.[0]?.message ?? '', /spec\.ipRestriction\.allow\[0\].*routes it targets answer 500/);
  const problem = problemOf(policyFieldsFor(attachment, onGw('a')));
  assert.equal(problem.reason, 'BackendNotFound', 'the upstream ResolvedRefs reason, as for an unresolved ExtensionRef');
  assert.match(problem.message, /NovaGatePolicy apps\/invalid targets HTTPRoute apps\/a and is Invalid \(spec\.ipRestriction\.allow\[0\]: not an address\)/);
  assert.equal(problem.reason, problemOf(policyFieldsFor(attachment, onGw('a'), 'valid')).reason, 'an ExtensionRef on the rule does not lift it either');
  assert.deepEqual(fieldsOf(policyFieldsFor(attachment, onGw('b'))), { auth: 'basic-auth' }, 'a route it does not target is untouched');
});

test('an Invalid policy on a Gateway or on one listener makes the routes attached there answer 500, and only those', () => {
  const onGateway = attachPolicies([policy('broken', [toGateway('gw2')], { auth: 'key-auth', rateLimit: { limit: 0 } })], world({ broken: 'spec.rateLimit.limit: too small' }));
  assert.match(problemOf(policyFieldsFor(onGateway, { namespace: 'apps', name: 'a', parents: [{ namespace: 'apps', name: 'gw2', listeners: ['http'] }] })).message, /targets Gateway apps\/gw2 and is Invalid/);
  assert.deepEqual(fieldsOf(policyFieldsFor(onGateway, onGw('a'))), {}, 'another Gateway is untouched');
  const onListener = attachPolicies([policy('broken', [toGateway('gw', 'https')], { auth: 'key-auth' })], world({ broken: 'spec.auth: nope' }));
  assert.match(problemOf(policyFieldsFor(onListener, onGw('a', ['http', 'https']))).message, /Gateway apps\/gw \(listener https\)/);
  assert.deepEqual(fieldsOf(policyFieldsFor(onListener, onGw('a', ['http']))), {}, 'a route on the other listener only is untouched');
});

test('an Invalid policy of another namespace, or naming another kind, never makes a route of apps answer 500', () => {
  const attachment = attachPolicies(
    [
      policy('sneaky', [{ ...toRoute('a'), namespace: 'apps' }, toGateway('gw')], { auth: 'none' }, { namespace: 'team-b' }),
      policy('odd', [{ group: '', kind: 'Service', name: 'a' }], { auth: 'none' }),
    ],
    world({ sneaky: 'spec.auth: nope', odd: 'spec.auth: nope' }),
  );
  assert.deepEqual(fieldsOf(policyFieldsFor(attachment, onGw('a'))), {});
  assert.deepEqual([...attachment.invalidAt.keys()], ['Gateway/team-b/gw'], 'team-b/sneaky reaches only team-b targets');
});

test('fixing or deleting the Invalid policy gives the route its fields back', () => {
  const fixed = attachPolicies([policy('was-invalid', [toRoute('a')], { auth: 'key-auth', ipRestriction: { allow: ['10.0.0.0/8'] } })], world());
  assert.deepEqual(fieldsOf(policyFieldsFor(fixed, onGw('a'))), { auth: 'key-auth', ipRestriction: { allow: ['10.0.0.0/8'] } });
});

test('a route on two Gateways whose policies give auth from different policies answers 500 with both named, whichever order the parents come in', () => {
  const attachment = attachPolicies(
    [policy('gw2-policy', [toGateway('gw2')], { auth: 'none' }, { createdAt: '2026-11-30T00:00:01Z' }), policy('gw-policy', [toGateway('gw')], { auth: 'key-auth' }, { createdAt: '2026-11-30T00:00:09Z' })],
    world(),
  );
  const parents = [{ namespace: 'apps', name: 'gw2', listeners: ['http'] }, { namespace: 'apps', name: 'gw', listeners: ['http'] }];
  for (const order of [parents, [...parents].reverse()]) {
    const problem = problemOf(policyFieldsFor(attachment, { namespace: 'apps', name: 'a', parents: order }));
    assert.equal(problem.reason, 'BackendNotFound');
    assert.match(problem.message, /give auth\/jwt from different policies \(NovaGatePolicy apps\/gw2-policy on Gateway apps\/gw2 \(listener http\), NovaGatePolicy apps\/gw-policy on Gateway apps\/gw \(listener http\)\)/);
  }
});

test('a listener policy on one parent and a Gateway policy on another are different policies too (the listener cannot decide for the other Gateway)', () => {
  const attachment = attachPolicies([policy('listener-open', [toGateway('gw', 'http')], { auth: 'none' }), policy('gw2-key', [toGateway('gw2')], { auth: 'key-auth' })], world());
  const parents = [{ namespace: 'apps', name: 'gw', listeners: ['http'] }, { namespace: 'apps', name: 'gw2', listeners: ['http'] }];
  assert.match(problemOf(policyFieldsFor(attachment, { namespace: 'apps', name: 'a', parents })).message, /from different policies/);
  const twoListeners = attachPolicies([policy('http-open', [toGateway('gw', 'http')], { auth: 'none' }), policy('https-key', [toGateway('gw', 'https')], { auth: 'key-auth' })], world());
  assert.match(problemOf(policyFieldsFor(twoListeners, onGw('a', ['http', 'https']))).message, /from different policies/, 'two listeners of one Gateway as well');
});

test('parents that agree, leave a group unset, or are overridden by the HTTPRoute\'s policy are no conflict', () => {
  const shared = policy('shared', [toGateway('gw'), toGateway('gw2')], { auth: 'key-auth' });
  const limits = policy('limits', [toGateway('gw', 'https')], { rateLimit: { limit: 5, windowSeconds: 60 } });
  const parents = [{ namespace: 'apps', name: 'gw', listeners: ['http', 'https'] }, { namespace: 'apps', name: 'gw2', listeners: ['http'] }];
  const agreeing = attachPolicies([shared], world());
  assert.deepEqual(fieldsOf(policyFieldsFor(agreeing, { namespace: 'apps', name: 'a', parents })), { auth: 'key-auth' }, 'one policy on every parent');
  const gw2Only = attachPolicies([policy('gw2-key', [toGateway('gw2')], { auth: 'key-auth' }), limits], world());
  assert.deepEqual(fieldsOf(policyFieldsFor(gw2Only, { namespace: 'apps', name: 'a', parents })), { auth: 'key-auth', rateLimit: { limit: 5, windowSeconds: 60 } }, 'a parent without a policy adds nothing weaker: more auth, never less');
  const conflicting = attachPolicies([policy('gw-open', [toGateway('gw')], { auth: 'none' }), policy('gw2-key', [toGateway('gw2')], { auth: 'key-auth' }), policy('route', [toRoute('a')], { auth: 'jwt', jwt: jwtProviders })], world());
  assert.deepEqual(fieldsOf(policyFieldsFor(conflicting, { namespace: 'apps', name: 'a', parents })), { auth: 'jwt', jwt: jwtProviders }, 'the HTTPRoute\'s own policy decides for every parent');
  assert.match(problemOf(policyFieldsFor(conflicting, { namespace: 'apps', name: 'b', parents })).message, /from different policies/, 'without it, the conflict stands');
});

test('a flood of 2,000 policies on one target keeps one winner and costs well under a second', () => {
  const policies = Array.from({ length: 2_000 }, (_, index) => policy(`p-${String(index).padStart(4, '0')}`, [toRoute('a')], { auth: 'key-auth' }, { createdAt: '2026-11-30T00:00:00Z' }));
  const started = performance.now();
  const attachment = attachPolicies(policies, world());
  const fields = fieldsOf(policyFieldsFor(attachment, onGw('a')));
  assert.ok(performance.now() - started < 1_000);
  assert.deepEqual(fields, { auth: 'key-auth' });
  const reasons = [...attachment.outcomes.values()].flat().map((outcome) => outcome.reason);
  assert.equal(reasons.filter((reason) => reason === 'Accepted').length, 1);
  assert.equal(reasons.filter((reason) => reason === 'Conflicted').length, 1_999);
  assert.equal(attachment.winners.get('HTTPRoute/apps/a')?.metadata.name, 'p-0000');
});
