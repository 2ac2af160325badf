import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TenantResource } from '../../kube/resources.js';
import { gatewayKeyDecision, tenantStep } from './tenant-decisions.js';

const tenantId = '0b7c1f3e-8d2a-4c1b-9e3f-5a6b7c8d9e0f';
const keyOf = (id: string) => `gw_${id}_0123456789abcdef0123456789abcdef`;

test('the Tenant lifecycle step follows the finalizer and the deletion timestamp', () => {
  const tenant = (finalizers: string[], deleting: boolean): TenantResource => ({
    metadata: { name: 't', finalizers, ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: { displayName: 't', plan: 'free', ownerEmail: 't@example.com', deletionPolicy: 'Retain' },
  });
  assert.equal(tenantStep(tenant([], false)), 'add-finalizer');
  assert.equal(tenantStep(tenant(['other', 'novagate.dev/cleanup'], false)), 'provision');
  assert.equal(tenantStep(tenant(['novagate.dev/cleanup'], true)), 'finalize');
  assert.equal(tenantStep(tenant(['other'], true)), 'released');
});

test('the gateway key: the Secret\'s own key is reused unless it is foreign or revoked', () => {
  const table: [string, Parameters<typeof gatewayKeyDecision>[2], Parameters<typeof gatewayKeyDecision>[3], string][] = [
    ['no Secret yet', null, null, 'write:create'],
    ['a crash left the Secret without a stored hash', { ownedByTenant: true, key: keyOf(tenantId) }, 'missing', 'use'],
    ['converged', { ownedByTenant: true, key: keyOf(tenantId) }, 'active', 'use'],
    ['the stored key was revoked', { ownedByTenant: true, key: keyOf(tenantId) }, 'revoked', 'write:replace'],
    ['a key of another tenant', { ownedByTenant: true, key: keyOf('1b7c1f3e-8d2a-4c1b-9e3f-5a6b7c8d9e0f') }, 'missing', 'write:replace'],
    ['no apiKey in the Secret', { ownedByTenant: true, key: null }, null, 'write:replace'],
    ['somebody else\'s Secret', { ownedByTenant: false, key: keyOf(tenantId) }, 'active', 'refuse'],
  ];
  for (const [name, secret, stored, expected] of table) {
    const decision = gatewayKeyDecision('t-gateway-key', tenantId, secret, stored);
    const summary = decision.kind === 'write' ? `write:${decision.replace ? 'replace' : 'create'}` : decision.kind;
    assert.equal(summary, expected, name);
  }
});
