import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConditionInput } from '../conditions.js';
import type { KubeAccess, RouteResource } from '../kube/resources.js';
import { summaryReason } from './config-resource.js';
import { writeStatus } from './status.js';

function fakeKube() {
  const patches: object[] = [];
  const kube = {
    patchStatus: async (_plural: string, _object: unknown, status: object) => void patches.push(status),
    recordEvent: async () => undefined,
  } as unknown as KubeAccess;
  return { kube, patches };
}

const route = (status: RouteResource['status']): RouteResource => ({
  metadata: { name: 'users', namespace: 'shop', generation: 2 },
  spec: { tenantRef: { name: 'acme' }, upstream: { url: 'http://up:80' }, match: { paths: ['/x'] } },
  ...(status === undefined ? {} : { status }),
});

const accepted = (status: 'True' | 'False', reason: string): ConditionInput => ({ type: 'Accepted', status, reason, message: reason });
const programmed = (status: 'True' | 'False', reason: string): ConditionInput => ({ type: 'Programmed', status, reason, message: reason });

test('the REASON column shows the Accepted reason while not Accepted, else the Programmed reason', () => {
  assert.equal(summaryReason(accepted('False', 'TenantNotFound'), programmed('False', 'NotAccepted')), 'TenantNotFound');
  assert.equal(summaryReason(accepted('False', 'Conflicted'), programmed('False', 'NotAccepted')), 'Conflicted');
  assert.equal(summaryReason(accepted('True', 'Accepted'), programmed('False', 'NoGateways')), 'NoGateways');
  assert.equal(summaryReason(accepted('True', 'Accepted'), programmed('True', 'Programmed')), 'Programmed');
});

test('a status field set to null is deleted by the merge patch instead of keeping its old value', async () => {
  const { kube, patches } = fakeKube();
  const old = route({ observedGeneration: 1, configVersion: 7, reason: 'Programmed', conditions: [] });
  const changed = await writeStatus(
    kube,
    'routes',
    old,
    { conditions: [accepted('False', 'TenantNotFound')], fields: { configVersion: null, reason: 'TenantNotFound' } },
    new Date('2026-11-29T00:00:00Z'),
  );
  assert.equal(changed, true);
  const patch = patches[0] as Record<string, unknown>;
  assert.equal(patch.configVersion, null, 'null in a JSON merge patch removes configVersion');
  assert.equal(patch.reason, 'TenantNotFound');
});

test('a field already absent and set to null again writes nothing', async () => {
  const { kube, patches } = fakeKube();
  const now = new Date('2026-11-29T00:00:00Z');
  const first = route(undefined);
  await writeStatus(kube, 'routes', first, { conditions: [accepted('False', 'Invalid')], fields: { configVersion: null, reason: 'Invalid' } }, now);
  const written = Object.fromEntries(Object.entries(patches[0] as Record<string, unknown>).filter(([, value]) => value !== null));
  const again = await writeStatus(
    kube,
    'routes',
    route(written as RouteResource['status']),
    { conditions: [accepted('False', 'Invalid')], fields: { configVersion: null, reason: 'Invalid' } },
    now,
  );
  assert.equal(again, false);
  assert.equal(patches.length, 1);
});
