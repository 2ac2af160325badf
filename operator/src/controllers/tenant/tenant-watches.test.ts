import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SecretResource, TenantResource } from '../../kube/resources.js';
import type { WatchEventType } from '../../kube/watch.js';
import { cachesOf } from '../../testing/caches.js';
import { keysFor } from '../controller.js';
import { gatewayKeySecretName, tenantGatewayKeySecrets } from './tenant-watches.js';

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
