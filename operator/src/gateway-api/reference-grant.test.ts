import { test } from 'node:test';
import assert from 'node:assert/strict';
import { referenceAllowed, type ReferenceGrantObject } from './reference-grant.js';

const route = { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'apps' };
const service = (name: string, namespace = 'backends') => ({ group: '', kind: 'Service', namespace, name });

const grant = (namespace: string, from: ReferenceGrantObject['spec']['from'], to: ReferenceGrantObject['spec']['to']): ReferenceGrantObject => ({
  metadata: { namespace, name: 'g' },
  spec: { from, to },
});

test('a reference within one namespace needs no grant', () => {
  assert.ok(referenceAllowed(route, service('web', 'apps'), []));
});

test('a cross-namespace reference needs a grant in the referent\'s namespace naming the referrer and the kind', () => {
  assert.ok(!referenceAllowed(route, service('web'), []));
  const all = grant('backends', [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'apps' }], [{ group: '', kind: 'Service' }]);
  assert.ok(referenceAllowed(route, service('web'), [all]));
  assert.ok(!referenceAllowed(route, service('web'), [{ ...all, metadata: { namespace: 'apps', name: 'g' } }]), 'a grant in the referrer\'s namespace grants nothing');
  assert.ok(!referenceAllowed({ ...route, namespace: 'other' }, service('web'), [all]), 'only the namespace it names');
  assert.ok(!referenceAllowed({ ...route, kind: 'GRPCRoute' }, service('web'), [all]), 'only the kind it names');
  assert.ok(!referenceAllowed(route, { ...service('web'), kind: 'Secret' }, [all]));
});

test('a grant naming one object allows only that one', () => {
  const one = grant('backends', [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'apps' }], [{ group: '', kind: 'Service', name: 'web' }]);
  assert.ok(referenceAllowed(route, service('web'), [one]));
  assert.ok(!referenceAllowed(route, service('db'), [one]));
});
