import assert from 'node:assert/strict';
import { test } from 'node:test';
import { managedOwner } from './managed-by.js';

test('objects the API manages have no owner badge', () => {
  assert.equal(managedOwner('route', 'k8s.shop.orders', 'api'), null);
});

test("the operator's names tell the resource that owns an object", () => {
  assert.equal(managedOwner('route', 'k8s.shop.orders', 'kubernetes'), 'Route shop/orders');
  assert.equal(managedOwner('service', 'k8s.shop.orders.v2', 'kubernetes'), 'Route shop/orders.v2');
  assert.equal(managedOwner('route', 'gwapi.shop.store.0a1b2c3d.0.1', 'kubernetes'), 'HTTPRoute shop/store (rule 0, match 1)');
  assert.equal(managedOwner('service', 'gwapi.svc.shop.store-api.8080', 'kubernetes'), 'Service shop/store-api port 8080');
  assert.equal(managedOwner('consumer', 'alice', 'kubernetes'), 'Consumer resource (username alice)');
});

test('a managed object whose name follows no operator pattern still says it is Kubernetes-managed', () => {
  assert.equal(managedOwner('route', 'legacy', 'kubernetes'), 'a Kubernetes resource');
});
