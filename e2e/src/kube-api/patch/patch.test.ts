import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyMergePatch } from './merge-patch.js';
import { applyJsonPatch, JsonPatchError } from './json-patch.js';
import { applyStrategicMergePatch } from './strategic-merge.js';
import { applyConfiguration, ApplyConflictError, recordUpdate } from './managed-fields.js';
import type { KubeObject } from '../object.js';

test('JSON merge patch merges objects, deletes on null and replaces lists (RFC 7386)', () => {
  const target = { a: 1, b: { c: 2, d: 3 }, list: [1, 2] };
  assert.deepEqual(applyMergePatch(target, { b: { c: null, e: 4 }, list: [3], f: 'x' }), { a: 1, b: { d: 3, e: 4 }, list: [3], f: 'x' });
  assert.deepEqual(target, { a: 1, b: { c: 2, d: 3 }, list: [1, 2] }, 'the target is not mutated');
});

test('JSON patch applies add, remove, replace, move, copy and test in order (RFC 6902)', () => {
  const doc = { metadata: { finalizers: ['a', 'b'], labels: { 'app/x': '1' } }, spec: { n: 1 } };
  const patched = applyJsonPatch(doc, [
    { op: 'add', path: '/metadata/finalizers/-', value: 'c' },
    { op: 'remove', path: '/metadata/finalizers/0' },
    { op: 'replace', path: '/spec/n', value: 2 },
    { op: 'copy', from: '/spec/n', path: '/spec/m' },
    { op: 'move', from: '/metadata/labels/app~1x', path: '/metadata/labels/y' },
    { op: 'test', path: '/spec/m', value: 2 },
  ]);
  assert.deepEqual(patched, { metadata: { finalizers: ['b', 'c'], labels: { y: '1' } }, spec: { n: 2, m: 2 } });
  assert.throws(() => applyJsonPatch(doc, [{ op: 'test', path: '/spec/n', value: 5 }]), JsonPatchError);
  assert.throws(() => applyJsonPatch(doc, [{ op: 'remove', path: '/spec/missing' }]), JsonPatchError);
});

test('strategic merge patch merges keyed lists, honours $patch and drops kubectl directives', () => {
  const target = {
    metadata: { finalizers: ['a'], ownerReferences: [{ uid: '1', name: 'x' }] },
    status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'Synced', status: 'True' }] },
    data: { k: 'v', gone: 'x' },
  };
  const patched = applyStrategicMergePatch(target, {
    metadata: { finalizers: ['b'], '$setElementOrder/finalizers': ['a', 'b'] },
    status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'Synced', $patch: 'delete' }] },
    data: { gone: null, n: 'y' },
  });
  assert.deepEqual(patched, {
    metadata: { finalizers: ['a', 'b'], ownerReferences: [{ uid: '1', name: 'x' }] },
    status: { conditions: [{ type: 'Ready', status: 'True' }] },
    data: { k: 'v', n: 'y' },
  });
});

const context = (manager: string) => ({ manager, apiVersion: 'novagate.dev/v1alpha1', time: '2026-01-01T00:00:00Z' });

test('server-side apply owns the applied fields and removes the ones its manager stops applying', () => {
  const config: KubeObject = { apiVersion: 'novagate.dev/v1alpha1', kind: 'Tenant', metadata: { name: 'a', labels: { x: '1' } }, spec: { plan: 'pro', displayName: 'A' } };
  const first = applyConfiguration(undefined, config, context('ci'), false);
  assert.deepEqual(first.metadata.managedFields?.[0]?.fieldsV1, { 'f:metadata': { 'f:labels': { 'f:x': {} } }, 'f:spec': { 'f:plan': {}, 'f:displayName': {} } });
  const second = applyConfiguration(first, { ...config, metadata: { name: 'a' }, spec: { plan: 'pro' } }, context('ci'), false);
  assert.deepEqual(second.spec, { plan: 'pro' });
  assert.equal(second.metadata.labels?.x, undefined);
});

test('server-side apply conflicts with another manager holding a different value, unless forced', () => {
  const live: KubeObject = { metadata: { name: 'a' }, spec: { plan: 'free' } };
  live.metadata.managedFields = recordUpdate(undefined, live, context('kubectl-patch'));
  const config: KubeObject = { metadata: { name: 'a' }, spec: { plan: 'pro' } };
  assert.throws(
    () => applyConfiguration(live, config, context('ci'), false),
    (e: unknown) => e instanceof ApplyConflictError && e.conflicts[0]?.manager === 'kubectl-patch' && e.conflicts[0].field === '.spec.plan',
  );
  const sameValue = applyConfiguration(live, { metadata: { name: 'a' }, spec: { plan: 'free' } }, context('ci'), false);
  assert.equal(sameValue.metadata.managedFields?.length, 2, 'an equal value is shared ownership, not a conflict');
  const forced = applyConfiguration(live, config, context('ci'), true);
  assert.equal((forced.spec as { plan: string }).plan, 'pro');
  assert.deepEqual(forced.metadata.managedFields?.map((m) => m.manager), ['ci']);
});
