import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attachToGateway, intersectHostname, refersToGateway, selectorMatches, type GatewayObject } from './attach.js';

const gateway: GatewayObject = {
  metadata: { namespace: 'infra', name: 'gw' },
  spec: {
    listeners: [
      { name: 'http', port: 80, protocol: 'HTTP' },
      { name: 'wild', port: 80, protocol: 'HTTP', hostname: '*.example.com', allowedRoutes: { namespaces: { from: 'All' } } },
      { name: 'exact', port: 8080, protocol: 'HTTP', hostname: 'foo.example.org', allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: { team: 'a' } } } } },
      { name: 'tcp-only', port: 9000, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' }, kinds: [{ kind: 'GRPCRoute' }] } },
    ],
  },
};

const route = (namespace: string, hostnames: string[] = [], namespaceLabels: Record<string, string> = {}) => ({ namespace, hostnames, namespaceLabels });

test('hostname intersection: exact pairs, wildcard over a name at a label boundary, the more specific of two wildcards', () => {
  assert.equal(intersectHostname('foo.example.com', 'foo.example.com'), 'foo.example.com');
  assert.equal(intersectHostname('foo.example.com', '*.example.com'), 'foo.example.com');
  assert.equal(intersectHostname('a.b.example.com', '*.example.com'), 'a.b.example.com');
  assert.equal(intersectHostname('*.example.com', 'foo.example.com'), 'foo.example.com');
  assert.equal(intersectHostname('*.foo.example.com', '*.example.com'), '*.foo.example.com');
  assert.equal(intersectHostname('example.com', '*.example.com'), undefined, 'a wildcard never covers its own suffix');
  assert.equal(intersectHostname('fooexample.com', '*.example.com'), undefined, 'only at a label boundary');
  assert.equal(intersectHostname('Foo.Example.com', 'foo.example.com'), 'foo.example.com');
  assert.equal(intersectHostname('bar.com', 'foo.com'), undefined);
});

test('label selectors: matchLabels and each matchExpressions operator; an empty selector matches everything', () => {
  assert.ok(selectorMatches({}, {}));
  assert.ok(selectorMatches({ matchLabels: { a: '1' } }, { a: '1', b: '2' }));
  assert.ok(!selectorMatches({ matchLabels: { a: '1' } }, { a: '2' }));
  assert.ok(selectorMatches({ matchExpressions: [{ key: 'a', operator: 'In', values: ['1', '2'] }] }, { a: '2' }));
  assert.ok(!selectorMatches({ matchExpressions: [{ key: 'a', operator: 'In', values: ['1'] }] }, {}));
  assert.ok(selectorMatches({ matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['1'] }] }, {}));
  assert.ok(!selectorMatches({ matchExpressions: [{ key: 'a', operator: 'Exists' }] }, { b: '' }));
  assert.ok(selectorMatches({ matchExpressions: [{ key: 'a', operator: 'DoesNotExist' }] }, { b: '' }));
  const unknown = { matchExpressions: [{ key: 'a', operator: 'Gt' as 'In', values: ['1'] }] };
  assert.ok(!selectorMatches(unknown, { a: '2' }), 'an operator it does not know selects nothing');
});

test('allowedRoutes from Selector without a selector admits no namespace', () => {
  const open: GatewayObject = { metadata: { namespace: 'infra', name: 'gw' }, spec: { listeners: [{ name: 'sel', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'Selector' } } }] } };
  assert.equal((attachToGateway({ name: 'gw', namespace: 'infra' }, route('apps', [], { team: 'a' }), open) as { reason: string }).reason, 'NotAllowedByListeners');
});

test('a parentRef names a Gateway by group, kind, namespace (default: the route\'s) and name', () => {
  assert.ok(refersToGateway({ name: 'gw', namespace: 'infra' }, 'apps', gateway));
  assert.ok(refersToGateway({ name: 'gw' }, 'infra', gateway));
  assert.ok(!refersToGateway({ name: 'gw' }, 'apps', gateway));
  assert.ok(!refersToGateway({ name: 'gw', namespace: 'infra', kind: 'Service', group: '' }, 'apps', gateway));
});

test('without sectionName a same-namespace route attaches to every listener that allows it, hostnames intersected per listener', () => {
  const attached = attachToGateway({ name: 'gw' }, route('infra', ['foo.example.com', 'bar.example.net']), gateway);
  assert.deepEqual(attached, { accepted: true, listeners: ['http', 'wild'], hostnames: ['bar.example.net', 'foo.example.com'] });
  const anyHost = attachToGateway({ name: 'gw' }, route('infra'), gateway);
  assert.deepEqual(anyHost, { accepted: true, listeners: ['http', 'wild'], hostnames: [] });
});

test('namespaces: Same refuses another namespace, All admits it, Selector goes by the namespace labels', () => {
  assert.deepEqual(attachToGateway({ name: 'gw', namespace: 'infra', sectionName: 'http' }, route('apps'), gateway), {
    accepted: false,
    reason: 'NotAllowedByListeners',
    message: 'no listener of Gateway infra/gw allows HTTPRoutes from namespace apps',
  });
  assert.deepEqual(attachToGateway({ name: 'gw', namespace: 'infra' }, route('apps', ['a.example.com']), gateway), { accepted: true, listeners: ['wild'], hostnames: ['a.example.com'] });
  const selected = attachToGateway({ name: 'gw', namespace: 'infra', port: 8080 }, route('apps', [], { team: 'a' }), gateway);
  assert.deepEqual(selected, { accepted: true, listeners: ['exact'], hostnames: ['foo.example.org'] });
  assert.equal((attachToGateway({ name: 'gw', namespace: 'infra', port: 8080 }, route('apps', [], { team: 'b' }), gateway) as { reason: string }).reason, 'NotAllowedByListeners');
});

test('a listener whose kinds leave out HTTPRoute never takes one', () => {
  const result = attachToGateway({ name: 'gw', namespace: 'infra', sectionName: 'tcp-only' }, route('apps'), gateway);
  assert.equal(result.accepted, false);
  assert.equal((result as { reason: string }).reason, 'NotAllowedByListeners');
});

test('an unknown sectionName or port is NoMatchingParent; hostnames that meet no listener are NoMatchingListenerHostname', () => {
  const section = attachToGateway({ name: 'gw', sectionName: 'nope' }, route('infra'), gateway);
  assert.deepEqual(section, { accepted: false, reason: 'NoMatchingParent', message: "Gateway infra/gw has no listener with sectionName 'nope'" });
  assert.equal((attachToGateway({ name: 'gw', port: 81 }, route('infra'), gateway) as { reason: string }).reason, 'NoMatchingParent');
  const hosts = attachToGateway({ name: 'gw', namespace: 'infra', sectionName: 'wild' }, route('apps', ['foo.example.net']), gateway);
  assert.equal((hosts as { reason: string }).reason, 'NoMatchingListenerHostname');
});
