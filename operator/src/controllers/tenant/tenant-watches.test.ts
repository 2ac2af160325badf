import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GatewayClassResource, SecretResource, TenantResource } from '../../kube/resources.js';
import type { WatchEventType } from '../../kube/watch.js';
import { cachesOf } from '../../testing/caches.js';
import { keysFor } from '../controller.js';
import { GATEWAY_CONTROLLER_NAME } from '../gatewayclass/gatewayclass-decisions.js';
import { gatewayKeySecretName, tenantGatewayKeySecrets, tenantsOfChangedGatewayClass } from './tenant-watches.js';

const tenant = (namespace: string, name: string): TenantResource => ({
  metadata: { name, namespace },
  spec: { displayName: name, plan: 'free', ownerEmail: `ops@${name}.test`, deletionPolicy: 'Retain' },
});
const secret = (namespace: string, name: string, apiKey: string): SecretResource => ({ metadata: { name, namespace }, data: { apiKey } });

test('the gateway key Secret is named after its Tenant', () => {
  assert.equal(gatewayKeySecretName('acme'), 'acme-gateway-key');
});

test('a change of a gateway key Secret\'s data reconciles the Tenant of its namespace it belongs to', () => {
  const caches = cachesOf({ tenants: [tenant('shop', 'acme'), tenant('shop', 'globex'), tenant('store', 'acme')] });
  const table: [string, WatchEventType, SecretResource, SecretResource | undefined, string[]][] = [
    ['created', 'ADDED', secret('shop', 'acme-gateway-key', 'YQ=='), undefined, ['shop/acme']],
    ['deleted', 'DELETED', secret('shop', 'acme-gateway-key', 'YQ=='), secret('shop', 'acme-gateway-key', 'YQ=='), ['shop/acme']],
    ['its key replaced', 'MODIFIED', secret('shop', 'acme-gateway-key', 'Yg=='), secret('shop', 'acme-gateway-key', 'YQ=='), ['shop/acme']],
    ['only its labels changed', 'MODIFIED', secret('shop', 'acme-gateway-key', 'YQ=='), secret('shop', 'acme-gateway-key', 'YQ=='), []],
    ['another Secret', 'ADDED', secret('shop', 'acme-tls', 'YQ=='), undefined, []],
    ['the Secret of a Tenant not cached', 'ADDED', secret('shop', 'initech-gateway-key', 'YQ=='), undefined, []],
    ['a namespace without that Tenant', 'ADDED', secret('other', 'acme-gateway-key', 'YQ=='), undefined, []],
  ];
  for (const [name, type, object, previous, expected] of table) {
    assert.deepEqual(keysFor(tenantGatewayKeySecrets, { type, object, previous }, caches), expected, name);
  }
});

test("a GatewayClass of ours that changes its Tenant, its acceptance or goes syncs the Tenants it named before and after; another controller's class none", () => {
  const caches = cachesOf({ tenants: [tenant('shop', 'acme'), tenant('shop', 'globex')] });
  const accepted = (status: 'True' | 'False') => ({ conditions: [{ type: 'Accepted', status, reason: 'Accepted', message: '', lastTransitionTime: '2026-11-30T00:00:00Z', observedGeneration: 1 }] });
  const gatewayClass = (tenantName: string, status: 'True' | 'False' = 'True', controllerName = GATEWAY_CONTROLLER_NAME): GatewayClassResource => ({
    metadata: { name: 'novagate' },
    spec: { controllerName, parametersRef: { group: 'novagate.dev', kind: 'Tenant', namespace: 'shop', name: tenantName } },
    status: accepted(status),
  });
  const table: [string, WatchEventType, GatewayClassResource, GatewayClassResource | undefined, string[]][] = [
    ['created', 'ADDED', gatewayClass('acme'), undefined, ['shop/acme']],
    ['moved to another Tenant', 'MODIFIED', gatewayClass('globex'), gatewayClass('acme'), ['shop/acme', 'shop/globex']],
    ['no longer Accepted', 'MODIFIED', gatewayClass('acme', 'False'), gatewayClass('acme'), ['shop/acme']],
    ['deleted', 'DELETED', gatewayClass('acme'), gatewayClass('acme'), ['shop/acme']],
    ['naming a Tenant not cached', 'ADDED', gatewayClass('initech'), undefined, []],
    ['nothing that matters changed', 'MODIFIED', { ...gatewayClass('acme'), metadata: { name: 'novagate', resourceVersion: '7' } }, gatewayClass('acme'), []],
    ["another controller's class", 'ADDED', gatewayClass('acme', 'True', 'example.com/other'), undefined, []],
  ];
  for (const [name, type, object, previous, expected] of table) {
    assert.deepEqual(keysFor(tenantsOfChangedGatewayClass, { type, object, previous }, caches).sort(), expected, name);
  }
});
