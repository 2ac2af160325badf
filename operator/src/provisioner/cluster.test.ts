import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ownedObjectUid } from './cluster.js';
import { ProvisionRefusedError, type ProvisionedGateway } from './provisioner.js';

const gateway: ProvisionedGateway = { metadata: { namespace: 'web', name: 'prod', uid: 'gw-uid' }, spec: { listeners: [] } };

test("an object of the data plane's name is the Gateway's only when its ownerReferences hold the Gateway's uid", () => {
  assert.equal(ownedObjectUid(null, gateway, 'Service prod-novagate-gateway'), null, 'absent: free to create');
  assert.equal(ownedObjectUid({ metadata: { uid: 'svc-uid', ownerReferences: [{ uid: 'other' }, { uid: 'gw-uid' }] } }, gateway, 'Service x'), 'svc-uid');
  for (const existing of [{ metadata: { uid: 'chart' } }, { metadata: { uid: 'chart', ownerReferences: [{ uid: 'another-gateway' }] } }, {}]) {
    assert.throws(() => ownedObjectUid(existing, gateway, 'Service prod-novagate-gateway in namespace web'), (error: Error) =>
      error instanceof ProvisionRefusedError && error.message === 'Service prod-novagate-gateway in namespace web exists and is not owned by this Gateway; rename the Gateway or remove that object');
  }
});
