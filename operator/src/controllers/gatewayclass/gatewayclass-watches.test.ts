import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GatewayClassResource, TenantResource } from '../../kube/resources.js';
import { cachesOf } from '../../testing/caches.js';
import { keysFor } from '../controller.js';
import { gatewayClassController } from './gatewayclass-controller.js';
import { GATEWAY_CONTROLLER_NAME } from './gatewayclass-decisions.js';
import { gatewayClassesOfTenant } from './gatewayclass-watches.js';

const tenant: TenantResource = { metadata: { namespace: 'teams', name: 'acme' }, spec: { displayName: 'Acme', plan: 'pro', ownerEmail: 'a@example.com', deletionPolicy: 'Retain' } };
const classOf = (name: string, controllerName: string, namespace: string, tenantName: string): GatewayClassResource => ({
  metadata: { name, generation: 1 },
  spec: { controllerName, parametersRef: { group: 'novagate.dev', kind: 'Tenant', namespace, name: tenantName } },
});

test("a Tenant's change asks to reconcile exactly our classes that name it", () => {
  const caches = cachesOf({
    gatewayclasses: [
      classOf('acme', GATEWAY_CONTROLLER_NAME, 'teams', 'acme'),
      classOf('acme-too', GATEWAY_CONTROLLER_NAME, 'teams', 'acme'),
      classOf('other-tenant', GATEWAY_CONTROLLER_NAME, 'teams', 'globex'),
      classOf('other-namespace', GATEWAY_CONTROLLER_NAME, 'elsewhere', 'acme'),
      classOf('not-ours', 'example.com/controller', 'teams', 'acme'),
    ],
  });
  for (const type of ['ADDED', 'MODIFIED', 'DELETED'] as const) {
    assert.deepEqual(keysFor(gatewayClassesOfTenant, { type, object: tenant, previous: undefined }, caches), ['/acme', '/acme-too'], type);
  }
});

test("the class's own status write does not reconcile it again; a spec change does", () => {
  const own = gatewayClassController.watches.find((watch) => watch.source === 'gatewayclasses');
  assert.ok(own !== undefined && own.source === 'gatewayclasses');
  const before = classOf('acme', GATEWAY_CONTROLLER_NAME, 'teams', 'acme');
  const statusOnly = { ...before, status: { conditions: [] } };
  const caches = cachesOf({});
  assert.deepEqual(keysFor(own, { type: 'MODIFIED', object: statusOnly, previous: before }, caches), []);
  const bumped = { ...before, metadata: { ...before.metadata, generation: 2 } };
  assert.deepEqual(keysFor(own, { type: 'MODIFIED', object: bumped, previous: before }, caches), ['/acme']);
});
