import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GatewayClassResource, TenantResource } from '../../kube/resources.js';
import { acceptedCondition, GATEWAY_CONTROLLER_NAME, isOurs, nextGatewayClassStatus } from './gatewayclass-decisions.js';

const tenant = (namespace: string, name: string, deleting = false): TenantResource => ({
  metadata: { namespace, name, ...(deleting ? { deletionTimestamp: '2026-11-30T00:00:00Z' } : {}) },
  spec: { displayName: name, plan: 'pro', ownerEmail: `${name}@example.com`, deletionPolicy: 'Retain' },
});

const gatewayClass = (parametersRef?: GatewayClassResource['spec']['parametersRef'], generation = 1): GatewayClassResource => ({
  metadata: { name: 'novagate', generation },
  spec: { controllerName: GATEWAY_CONTROLLER_NAME, ...(parametersRef === undefined ? {} : { parametersRef }) },
});

const tenants = [tenant('teams', 'acme'), tenant('teams', 'leaving', true)];
const find = (namespace: string, name: string) => tenants.find((t) => t.metadata.namespace === namespace && t.metadata.name === name);
const ref = (overrides: Partial<{ group: string; kind: string; namespace: string; name: string }> = {}) => ({ group: 'novagate.dev', kind: 'Tenant', namespace: 'teams', name: 'acme', ...overrides });

test('a class whose parametersRef names an existing Tenant is Accepted', () => {
  const condition = acceptedCondition(gatewayClass(ref()), find, '');
  assert.deepEqual({ ...condition, message: undefined }, { type: 'Accepted', status: 'True', reason: 'Accepted', message: undefined });
  assert.match(condition.message, /Tenant teams\/acme/);
});

test('every way of not naming an existing Tenant is InvalidParameters with a message naming the field', () => {
  const cases: [GatewayClassResource, RegExp][] = [
    [gatewayClass(), /spec\.parametersRef must name the NovaGate Tenant/],
    [gatewayClass(ref({ group: 'example.com' })), /must be group novagate\.dev, kind Tenant; got group "example\.com", kind "Tenant"/],
    [gatewayClass(ref({ kind: 'ConfigMap', group: '' })), /got group "", kind "ConfigMap"/],
    [gatewayClass({ group: 'novagate.dev', kind: 'Tenant', name: 'acme' }), /spec\.parametersRef\.namespace is required/],
    [gatewayClass(ref({ name: 'nobody' })), /Tenant teams\/nobody, which does not exist/],
    [gatewayClass(ref({ namespace: 'other' })), /Tenant other\/acme, which does not exist/],
    [gatewayClass(ref({ name: 'leaving' })), /Tenant teams\/leaving, which is being deleted/],
  ];
  for (const [input, message] of cases) {
    const condition = acceptedCondition(input, find, '');
    assert.equal(condition.status, 'False', JSON.stringify(input.spec));
    assert.equal(condition.reason, 'InvalidParameters');
    assert.match(condition.message, message);
  }
});

test('an operator watching one namespace says a Tenant elsewhere is out of its sight, not that it is missing', () => {
  const condition = acceptedCondition(gatewayClass(ref()), find, 'tenants');
  assert.equal(condition.reason, 'InvalidParameters');
  assert.match(condition.message, /outside namespace tenants, the only one the operator watches/);
});

test('only classes of novagate.dev/gateway-controller are ours', () => {
  assert.ok(isOurs(gatewayClass(ref())));
  assert.ok(!isOurs({ ...gatewayClass(ref()), spec: { controllerName: 'example.com/other-controller' } }));
});

test('the status replaces the CRD default Pending condition, carries the generation, and lists the proven features sorted', () => {
  const now = new Date('2026-11-30T04:00:00Z');
  const input: GatewayClassResource = {
    ...gatewayClass(ref(), 3),
    status: { conditions: [{ type: 'Accepted', status: 'Unknown', reason: 'Pending', message: 'Waiting for controller', lastTransitionTime: '1970-01-01T00:00:00Z', observedGeneration: 0 }] },
  };
  const status = nextGatewayClassStatus(input, acceptedCondition(input, find, ''), now);
  assert.ok(status);
  assert.deepEqual(status.supportedFeatures, [{ name: 'Gateway' }, { name: 'HTTPRoute' }, { name: 'ReferenceGrant' }]);
  assert.equal(status.conditions?.length, 1);
  assert.deepEqual({ ...status.conditions![0], message: '' }, { type: 'Accepted', status: 'True', reason: 'Accepted', message: '', lastTransitionTime: now.toISOString(), observedGeneration: 3 });
});

test('a status that already says it is not written again; a new generation is', () => {
  const now = new Date('2026-11-30T04:00:00Z');
  const first = gatewayClass(ref(), 1);
  const written = nextGatewayClassStatus(first, acceptedCondition(first, find, ''), now)!;
  const settled: GatewayClassResource = { ...first, status: written };
  assert.equal(nextGatewayClassStatus(settled, acceptedCondition(settled, find, ''), new Date('2026-11-30T05:00:00Z')), null);
  const bumped: GatewayClassResource = { ...settled, metadata: { ...settled.metadata, generation: 2 } };
  const rewritten = nextGatewayClassStatus(bumped, acceptedCondition(bumped, find, ''), new Date('2026-11-30T05:00:00Z'));
  assert.equal(rewritten?.conditions?.[0]?.observedGeneration, 2);
  assert.equal(rewritten?.conditions?.[0]?.lastTransitionTime, now.toISOString(), 'the status did not flip, so the transition time stays');
});
