import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeApi } from './api.js';
import { ApiError } from './errors.js';
import type { KubeObject } from './object.js';
import type { ResourceType } from './resource-types.js';
import { tenant, tenantCrd } from './test-fixtures.js';

const writer = { manager: 'test' };

function apiWithTenants(options: Parameters<typeof tenantCrd>[0] = {}): { api: KubeApi; tenants: ResourceType } {
  const api = new KubeApi();
  api.create(type(api, 'apiextensions.k8s.io', 'v1', 'customresourcedefinitions'), '', tenantCrd(options), writer);
  return { api, tenants: type(api, 'novagate.dev', 'v1alpha1', 'tenants') };
}

function type(api: KubeApi, group: string, version: string, plural: string): ResourceType {
  const found = api.types.find(group, version, plural);
  assert.ok(found, `${group}/${version}/${plural} is served`);
  return found;
}

function rejects(action: () => unknown, code: number, reason: string): ApiError {
  try {
    action();
  } catch (error) {
    assert.ok(error instanceof ApiError, `an ApiError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    assert.equal(error.reason, reason, error.message);
    return error;
  }
  assert.fail(`expected ${code} ${reason}`);
}

test('create stamps uid, creationTimestamp, resourceVersion and generation 1, and generateName adds a suffix', () => {
  const { api, tenants } = apiWithTenants();
  const created = api.create(tenants, 'default', tenant('', { displayName: 'Acme' }, { generateName: 'acme-' }), writer);
  assert.match(created.metadata.name ?? '', /^acme-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  assert.match(created.metadata.uid ?? '', /^[0-9a-f-]{36}$/);
  assert.match(created.metadata.creationTimestamp ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(created.metadata.generation, 1);
  assert.equal(created.metadata.resourceVersion, String(api.store.revision));
  const other = api.create(tenants, 'default', tenant('other'), writer);
  assert.ok(Number(other.metadata.resourceVersion) > Number(created.metadata.resourceVersion));
});

test('creating an existing name is 409 AlreadyExists, and in a missing namespace 404 NotFound', () => {
  const { api, tenants } = apiWithTenants();
  api.create(tenants, 'default', tenant('acme'), writer);
  rejects(() => api.create(tenants, 'default', tenant('acme'), writer), 409, 'AlreadyExists');
  rejects(() => api.create(tenants, 'nowhere', tenant('acme'), writer), 404, 'NotFound');
});

test('an update carrying a stale resourceVersion is 409 Conflict, for PUT and for patches', () => {
  const { api, tenants } = apiWithTenants();
  const first = api.create(tenants, 'default', tenant('acme'), writer);
  api.update(tenants, 'default', 'acme', { ...first, spec: { displayName: 'A', plan: 'pro' } }, writer);
  const stale = { ...first, spec: { displayName: 'B', plan: 'pro' } };
  const error = rejects(() => api.update(tenants, 'default', 'acme', stale, writer), 409, 'Conflict');
  assert.match(error.message, /the object has been modified/);
  rejects(() => api.patch(tenants, 'default', 'acme', 'merge', JSON.stringify({ metadata: { resourceVersion: first.metadata.resourceVersion }, spec: { plan: 'free' } }), writer), 409, 'Conflict');
  rejects(() => api.update(tenants, 'default', 'acme', { ...stale, metadata: { name: 'acme' } }, writer), 422, 'Invalid');
});

test('generation increments on spec changes only, not on metadata or status changes', () => {
  const { api, tenants } = apiWithTenants();
  api.create(tenants, 'default', tenant('acme'), writer);
  const labelled = api.patch(tenants, 'default', 'acme', 'merge', JSON.stringify({ metadata: { labels: { team: 'a' } } }), writer);
  assert.equal(labelled.metadata.generation, 1);
  const withStatus = api.patch(tenants, 'default', 'acme', 'merge', JSON.stringify({ status: { observedGeneration: 1 } }), writer, 'status');
  assert.equal(withStatus.metadata.generation, 1);
  const respecced = api.patch(tenants, 'default', 'acme', 'merge', JSON.stringify({ spec: { plan: 'pro' } }), writer);
  assert.equal(respecced.metadata.generation, 2);
  const unchanged = api.patch(tenants, 'default', 'acme', 'merge', JSON.stringify({ spec: { plan: 'pro' } }), writer);
  assert.equal(unchanged.metadata.resourceVersion, respecced.metadata.resourceVersion, 'a no-op write keeps the resourceVersion');
});

test('without a status subresource, a status change through the main endpoint bumps generation', () => {
  const { api, tenants } = apiWithTenants({ statusSubresource: false });
  api.create(tenants, 'default', tenant('acme'), writer);
  const updated = api.patch(tenants, 'default', 'acme', 'merge', JSON.stringify({ status: { observedGeneration: 1 } }), writer);
  assert.deepEqual(updated.status, { observedGeneration: 1 });
  assert.equal(updated.metadata.generation, 2);
});

test('the status subresource changes only status, and the main endpoint ignores status', () => {
  const { api, tenants } = apiWithTenants();
  const created = api.create(tenants, 'default', { ...tenant('acme'), status: { observedGeneration: 9 } }, writer);
  assert.equal(created.status, undefined, 'status is dropped on create');
  const viaStatus = api.update(tenants, 'default', 'acme', { ...created, spec: { displayName: 'changed', plan: 'pro' }, metadata: { ...created.metadata, labels: { x: 'y' } }, status: { observedGeneration: 1 } }, writer, 'status');
  assert.deepEqual(viaStatus.status, { observedGeneration: 1 });
  assert.deepEqual(viaStatus.spec, created.spec);
  assert.equal(viaStatus.metadata.labels, undefined);
  const viaMain = api.update(tenants, 'default', 'acme', { ...viaStatus, status: { observedGeneration: 5 } }, writer);
  assert.deepEqual(viaMain.status, { observedGeneration: 1 });
});

test('a finalizer defers deletion: deletionTimestamp set, still readable, generation bumped; removing it deletes', () => {
  const { api, tenants } = apiWithTenants();
  api.create(tenants, 'default', tenant('acme', {}, { finalizers: ['novagate.dev/cleanup'] }), writer);
  const deleting = api.delete(tenants, 'default', 'acme', {});
  assert.ok(deleting.metadata.deletionTimestamp);
  assert.equal(deleting.metadata.generation, 2);
  assert.equal(api.get(tenants, 'default', 'acme').metadata.deletionTimestamp, deleting.metadata.deletionTimestamp);
  rejects(() => api.patch(tenants, 'default', 'acme', 'merge', JSON.stringify({ metadata: { finalizers: ['novagate.dev/cleanup', 'other'] } }), writer), 422, 'Invalid');
  api.patch(tenants, 'default', 'acme', 'merge', JSON.stringify({ metadata: { finalizers: null } }), writer);
  rejects(() => api.get(tenants, 'default', 'acme'), 404, 'NotFound');
});

function ownedSecret(name: string, owner: KubeObject): KubeObject {
  return {
    metadata: { name, ownerReferences: [{ apiVersion: 'novagate.dev/v1alpha1', kind: 'Tenant', name: owner.metadata.name ?? '', uid: owner.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }] },
    stringData: { apiKey: 'k' },
  };
}

test('background propagation garbage-collects dependents once the owner is gone', () => {
  const { api, tenants } = apiWithTenants();
  const secrets = type(api, '', 'v1', 'secrets');
  const owner = api.create(tenants, 'default', tenant('acme'), writer);
  api.create(secrets, 'default', ownedSecret('acme-gateway-key', owner), writer);
  api.delete(tenants, 'default', 'acme', { propagationPolicy: 'Background' });
  rejects(() => api.get(secrets, 'default', 'acme-gateway-key'), 404, 'NotFound');
});

test('orphan propagation keeps dependents and removes their ownerReferences', () => {
  const { api, tenants } = apiWithTenants();
  const secrets = type(api, '', 'v1', 'secrets');
  const owner = api.create(tenants, 'default', tenant('acme'), writer);
  api.create(secrets, 'default', ownedSecret('acme-gateway-key', owner), writer);
  api.delete(tenants, 'default', 'acme', { propagationPolicy: 'Orphan' });
  rejects(() => api.get(tenants, 'default', 'acme'), 404, 'NotFound');
  assert.equal(api.get(secrets, 'default', 'acme-gateway-key').metadata.ownerReferences, undefined);
});

test('foreground propagation keeps the owner until its dependents, finalizers included, are gone', () => {
  const { api, tenants } = apiWithTenants();
  const secrets = type(api, '', 'v1', 'secrets');
  const owner = api.create(tenants, 'default', tenant('acme'), writer);
  api.create(secrets, 'default', { ...ownedSecret('held', owner), metadata: { ...ownedSecret('held', owner).metadata, finalizers: ['test/hold'] } }, writer);
  api.delete(tenants, 'default', 'acme', { propagationPolicy: 'Foreground' });
  assert.deepEqual(api.get(tenants, 'default', 'acme').metadata.finalizers, ['foregroundDeletion']);
  assert.ok(api.get(secrets, 'default', 'held').metadata.deletionTimestamp);
  api.patch(secrets, 'default', 'held', 'merge', JSON.stringify({ metadata: { finalizers: null } }), writer);
  rejects(() => api.get(tenants, 'default', 'acme'), 404, 'NotFound');
});

test("a CRD's resources are served once it is created and stop being served, instances gone, when it is deleted", () => {
  const { api, tenants } = apiWithTenants();
  api.create(tenants, 'default', tenant('acme'), writer);
  const crds = type(api, 'apiextensions.k8s.io', 'v1', 'customresourcedefinitions');
  const established = api.get(crds, '', 'tenants.novagate.dev').status as { conditions: Array<{ type: string; status: string }> };
  assert.ok(established.conditions.some((c) => c.type === 'Established' && c.status === 'True'));
  api.delete(crds, '', 'tenants.novagate.dev', {});
  assert.equal(api.types.find('novagate.dev', 'v1alpha1', 'tenants'), undefined);
  assert.equal(api.store.list('novagate.dev/tenants', '').length, 0);
  rejects(() => api.get(crds, '', 'tenants.novagate.dev'), 404, 'NotFound');
});

test('a cluster-scoped CRD serves its kind without namespaces', () => {
  const { api, tenants } = apiWithTenants({ scope: 'Cluster' });
  const created = api.create(tenants, '', tenant('acme'), writer);
  assert.equal(created.metadata.namespace, undefined);
  assert.equal(tenants.namespaced, false);
});

test('deleting a namespace deletes its content, then the namespace; creating in it meanwhile is 403', () => {
  const api = new KubeApi();
  const namespaces = type(api, '', 'v1', 'namespaces');
  const configmaps = type(api, '', 'v1', 'configmaps');
  api.create(namespaces, '', { metadata: { name: 'team-a' } }, writer);
  api.create(configmaps, 'team-a', { metadata: { name: 'held', finalizers: ['test/hold'] } }, writer);
  api.delete(namespaces, '', 'team-a', {});
  assert.equal((api.get(namespaces, '', 'team-a').status as { phase: string }).phase, 'Terminating');
  rejects(() => api.create(configmaps, 'team-a', { metadata: { name: 'new' } }, writer), 403, 'Forbidden');
  api.patch(configmaps, 'team-a', 'held', 'merge', JSON.stringify({ metadata: { finalizers: null } }), writer);
  rejects(() => api.get(namespaces, '', 'team-a'), 404, 'NotFound');
});

test('schema validation answers 422 Invalid with a cause naming each field', () => {
  const { api, tenants } = apiWithTenants();
  const error = rejects(() => api.create(tenants, 'default', { ...tenant('acme'), spec: { plan: 'gold', ownerEmail: 'nope', seats: 0 } }, writer), 422, 'Invalid');
  const causes = error.details?.causes ?? [];
  assert.deepEqual(causes.map((c) => [c.field, c.reason]).sort(), [
    ['spec.displayName', 'FieldValueRequired'],
    ['spec.ownerEmail', 'FieldValueInvalid'],
    ['spec.plan', 'FieldValueNotSupported'],
    ['spec.seats', 'FieldValueInvalid'],
  ]);
  assert.match(error.message, /^Tenant.novagate.dev "acme" is invalid: \[/);
});

test("a CRD's CEL x-kubernetes-validations rule is enforced on create and update with 422 Invalid", () => {
  const { api, tenants } = apiWithTenants();
  const error = rejects(() => api.create(tenants, 'default', tenant('acme', { seats: 10 }), writer), 422, 'Invalid');
  assert.deepEqual(error.details?.causes?.map((c) => [c.field, c.message]), [['spec.seats', 'Invalid value: "object": a free plan has at most 5 seats']]);
  api.create(tenants, 'default', tenant('acme', { seats: 10, plan: 'pro' }), writer);
  rejects(() => api.patch(tenants, 'default', 'acme', 'merge', JSON.stringify({ spec: { plan: 'free' } }), writer), 422, 'Invalid');
});

test('unknown fields are pruned (kept under x-kubernetes-preserve-unknown-fields), defaults applied, and refused under Strict validation', () => {
  const { api, tenants } = apiWithTenants();
  const created = api.create(tenants, 'default', { ...tenant('acme'), spec: { displayName: 'A', plan: 'pro', bogus: 1, extra: { anything: true } }, topLevel: 'x' }, writer);
  assert.deepEqual(created.spec, { displayName: 'A', plan: 'pro', extra: { anything: true }, deletionPolicy: 'Retain' });
  assert.equal(created.topLevel, undefined);
  const error = rejects(() => api.create(tenants, 'default', { ...tenant('beta'), spec: { displayName: 'B', plan: 'pro', bogus: 1 } }, { ...writer, strict: true }), 400, 'BadRequest');
  assert.match(error.message, /unknown field "spec.bogus"/);
});

test('list pages with limit and continue at one resourceVersion, and an expired continue is 410', () => {
  const { api, tenants } = apiWithTenants();
  for (const name of ['a', 'b', 'c', 'd', 'e']) api.create(tenants, 'default', tenant(name), writer);
  const first = api.list(tenants, 'default', { limit: 2 });
  assert.deepEqual(first.items.map((o) => o.metadata.name), ['a', 'b']);
  assert.equal(first.remainingItemCount, 3);
  api.create(tenants, 'default', tenant('bb'), writer);
  api.delete(tenants, 'default', 'c', {});
  const second = api.list(tenants, 'default', { limit: 2, continue: first.continue ?? '' });
  assert.deepEqual(second.items.map((o) => o.metadata.name), ['c', 'd'], 'the continued list is the snapshot of the first page');
  assert.equal(second.resourceVersion, first.resourceVersion);
  const last = api.list(tenants, 'default', { limit: 2, continue: second.continue ?? '' });
  assert.deepEqual(last.items.map((o) => o.metadata.name), ['e']);
  assert.equal(last.continue, undefined);
  api.store.compact();
  rejects(() => api.list(tenants, 'default', { limit: 2, continue: first.continue ?? '' }), 410, 'Expired');
});

test('list honours labelSelector, fieldSelector and resourceVersionMatch=Exact', () => {
  const { api, tenants } = apiWithTenants();
  api.create(tenants, 'default', tenant('a', {}, { labels: { tier: 'gold' } }), writer);
  const before = String(api.store.revision);
  api.create(tenants, 'default', tenant('b', {}, { labels: { tier: 'free' } }), writer);
  assert.deepEqual(api.list(tenants, '', { labelSelector: 'tier=gold' }).items.map((o) => o.metadata.name), ['a']);
  assert.deepEqual(api.list(tenants, '', { fieldSelector: 'metadata.name=b' }).items.map((o) => o.metadata.name), ['b']);
  assert.deepEqual(api.list(tenants, '', { resourceVersion: before, resourceVersionMatch: 'Exact' }).items.map((o) => o.metadata.name), ['a']);
  rejects(() => api.list(tenants, '', { fieldSelector: 'spec.plan=free' }), 400, 'BadRequest');
  rejects(() => api.list(tenants, '', { resourceVersionMatch: 'Exact' }), 400, 'BadRequest');
  rejects(() => api.list(tenants, '', { resourceVersion: String(api.store.revision + 5) }), 504, 'Timeout');
});

test('a watch with a selector sees objects entering and leaving it as ADDED and DELETED', () => {
  const { api, tenants } = apiWithTenants();
  api.create(tenants, 'default', tenant('a'), writer);
  const seen: string[] = [];
  api.watch(tenants, 'default', { labelSelector: 'watched=yes', resourceVersion: String(api.store.revision) }, { event: (t, o) => seen.push(`${t} ${o.metadata.name ?? ''}`), close: () => undefined });
  api.patch(tenants, 'default', 'a', 'merge', JSON.stringify({ metadata: { labels: { watched: 'yes' } } }), writer);
  api.patch(tenants, 'default', 'a', 'merge', JSON.stringify({ spec: { plan: 'pro' } }), writer);
  api.patch(tenants, 'default', 'a', 'merge', JSON.stringify({ metadata: { labels: null } }), writer);
  api.create(tenants, 'default', tenant('b'), writer);
  assert.deepEqual(seen, ['ADDED a', 'MODIFIED a', 'DELETED a']);
});

test('secrets turn stringData into base64 data and a new namespace gets a default ServiceAccount', () => {
  const api = new KubeApi();
  const secret = api.create(type(api, '', 'v1', 'secrets'), 'default', { metadata: { name: 's' }, stringData: { apiKey: 'hello' } }, writer);
  assert.deepEqual(secret.data, { apiKey: Buffer.from('hello').toString('base64') });
  assert.equal(secret.type, 'Opaque');
  api.create(type(api, '', 'v1', 'namespaces'), '', { metadata: { name: 'team-b' } }, writer);
  assert.equal(api.get(type(api, '', 'v1', 'serviceaccounts'), 'team-b', 'default').metadata.name, 'default');
});

test('events.k8s.io/v1 Events and core v1 Events are two views of the same objects', () => {
  const api = new KubeApi();
  const eventsV1 = type(api, 'events.k8s.io', 'v1', 'events');
  const core = type(api, '', 'v1', 'events');
  const regarding = { apiVersion: 'novagate.dev/v1alpha1', kind: 'Tenant', name: 'acme', namespace: 'default', uid: 'u-1' };
  const created = api.create(eventsV1, 'default', { metadata: { name: 'acme.1' }, regarding, note: 'provisioned', reason: 'Provisioned', type: 'Normal', action: 'Provision', reportingController: 'novagate.dev/operator', reportingInstance: 'op-0', eventTime: '2026-01-01T00:00:00.000000Z' }, writer);
  assert.equal(created.apiVersion, 'events.k8s.io/v1');
  assert.equal(created.note, 'provisioned');
  const asCore = api.get(core, 'default', 'acme.1');
  assert.deepEqual([asCore.apiVersion, asCore.message, asCore.reportingComponent, (asCore.involvedObject as { name: string }).name], ['v1', 'provisioned', 'novagate.dev/operator', 'acme']);
  assert.deepEqual(api.list(core, 'default', { fieldSelector: 'involvedObject.name=acme,involvedObject.kind=Tenant' }).items.map((e) => e.metadata.name), ['acme.1']);
  assert.deepEqual(api.list(eventsV1, 'default', { fieldSelector: 'regarding.name=acme' }).items.map((e) => e.note), ['provisioned']);
  const patched = api.patch(eventsV1, 'default', 'acme.1', 'merge', JSON.stringify({ note: 'again' }), writer);
  assert.equal(patched.note, 'again');
  assert.equal(api.get(core, 'default', 'acme.1').message, 'again');
});

test('metadata is checked like the real server: bad labels and finalizers are 422, unknown metadata fields pruned or refused when Strict', () => {
  const api = new KubeApi();
  const configmaps = type(api, '', 'v1', 'configmaps');
  const error = rejects(() => api.create(configmaps, 'default', { metadata: { name: 'a', labels: { 'bad key!': 'x', ok: 'not valid!' }, finalizers: ['Bad Finalizer'] } }, writer), 422, 'Invalid');
  assert.deepEqual(error.details?.causes?.map((c) => c.field), ['metadata.labels', 'metadata.labels', 'metadata.finalizers[0]']);
  const created = api.create(configmaps, 'default', { metadata: { name: 'b', colour: 'red' } as never }, writer);
  assert.equal((created.metadata as Record<string, unknown>).colour, undefined);
  rejects(() => api.create(configmaps, 'default', { metadata: { name: 'c', colour: 'red' } as never }, { ...writer, strict: true }), 400, 'BadRequest');
});

test('an immutable Secret refuses data changes, and Secret data must be base64', () => {
  const api = new KubeApi();
  const secrets = type(api, '', 'v1', 'secrets');
  api.create(secrets, 'default', { metadata: { name: 'key' }, stringData: { apiKey: 'v1' }, immutable: true }, writer);
  rejects(() => api.patch(secrets, 'default', 'key', 'merge', JSON.stringify({ stringData: { apiKey: 'v2' } }), writer), 422, 'Invalid');
  api.patch(secrets, 'default', 'key', 'merge', JSON.stringify({ metadata: { labels: { rotated: 'no' } } }), writer);
  rejects(() => api.create(secrets, 'default', { metadata: { name: 'raw' }, data: { apiKey: 'not base64!' } }, writer), 400, 'BadRequest');
});

test('re-applying the same configuration with server-side apply is a no-op that keeps the resourceVersion', () => {
  const { api, tenants } = apiWithTenants();
  const config = JSON.stringify(tenant('acme', { plan: 'pro' }));
  const first = api.patch(tenants, 'default', 'acme', 'apply', config, { manager: 'ci' });
  const again = api.patch(tenants, 'default', 'acme', 'apply', config, { manager: 'ci' });
  assert.equal(again.metadata.resourceVersion, first.metadata.resourceVersion);
  assert.deepEqual(first.metadata.managedFields?.map((m) => [m.manager, m.operation]), [['ci', 'Apply']]);
});

test('the clock, uids and generateName suffixes can be injected', () => {
  let n = 0;
  const api = new KubeApi({ clock: () => new Date('2030-01-02T03:04:05.678Z'), uid: () => `uid-${(n += 1)}`, nameSuffix: () => 'xxxxx' });
  const created = api.create(type(api, '', 'v1', 'configmaps'), 'default', { metadata: { generateName: 'cfg-' } }, writer);
  assert.deepEqual([created.metadata.name, created.metadata.creationTimestamp], ['cfg-xxxxx', '2030-01-02T03:04:05Z']);
  assert.match(created.metadata.uid ?? '', /^uid-\d+$/);
});
