import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ObjectMeta, RouteResource, SecretResource } from '../kube/resources.js';
import type { WatchEventType } from '../kube/watch.js';
import { cachesOf } from '../testing/caches.js';
import { keysFor } from './controller.js';
import { ownObjects, secretDataChanged } from './watches.js';

const route = (metadata: Partial<ObjectMeta>, accepted = false): RouteResource => ({
  metadata: { name: 'users', namespace: 'shop', uid: 'u1', generation: 1, resourceVersion: '1', ...metadata },
  spec: { tenantRef: { name: 'acme' }, upstream: { url: 'http://up:80' }, match: { paths: ['/x'] } },
  ...(accepted ? { status: { conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted', message: '', lastTransitionTime: '', observedGeneration: 1 }] } } : {}),
});

test('an object\'s own watch reconciles it for spec and lifecycle changes, never for its own status writes', () => {
  const before = route({});
  const table: [string, WatchEventType, RouteResource, RouteResource | undefined, string[]][] = [
    ['added', 'ADDED', before, undefined, ['shop/users']],
    ['deleted', 'DELETED', before, before, ['shop/users']],
    ['modified without a previous version (a relist)', 'MODIFIED', before, undefined, ['shop/users']],
    ['its status written', 'MODIFIED', route({ resourceVersion: '2' }, true), before, []],
    ['a label changed', 'MODIFIED', route({ resourceVersion: '2', labels: { team: 'a' } }), before, []],
    ['its spec changed', 'MODIFIED', route({ resourceVersion: '2', generation: 2 }), before, ['shop/users']],
    ['deletion started', 'MODIFIED', route({ resourceVersion: '2', deletionTimestamp: '2026-01-01T00:00:00Z' }), before, ['shop/users']],
    ['a finalizer added', 'MODIFIED', route({ resourceVersion: '2', finalizers: ['novagate.dev/cleanup'] }), before, ['shop/users']],
    ['recreated under the same name', 'MODIFIED', route({ resourceVersion: '2', uid: 'u2' }), before, ['shop/users']],
  ];
  for (const [name, type, object, previous, expected] of table) {
    assert.deepEqual(keysFor(ownObjects('routes'), { type, object, previous }, cachesOf({})), expected, name);
  }
});

test('a Secret event matters unless it left the data as it was', () => {
  const secret = (data: Record<string, string> | undefined, resourceVersion: string): SecretResource => ({
    metadata: { name: 'key', namespace: 'shop', resourceVersion },
    ...(data === undefined ? {} : { data }),
  });
  const table: [string, WatchEventType, SecretResource, SecretResource | undefined, boolean][] = [
    ['added', 'ADDED', secret({ apiKey: 'YQ==' }, '1'), undefined, true],
    ['deleted', 'DELETED', secret({ apiKey: 'YQ==' }, '1'), secret({ apiKey: 'YQ==' }, '1'), true],
    ['its data changed', 'MODIFIED', secret({ apiKey: 'Yg==' }, '2'), secret({ apiKey: 'YQ==' }, '1'), true],
    ['its data removed', 'MODIFIED', secret(undefined, '2'), secret({ apiKey: 'YQ==' }, '1'), true],
    ['only its metadata changed', 'MODIFIED', secret({ apiKey: 'YQ==' }, '2'), secret({ apiKey: 'YQ==' }, '1'), false],
    ['no data before or after', 'MODIFIED', secret(undefined, '2'), secret({}, '1'), false],
    ['modified without a previous version', 'MODIFIED', secret({ apiKey: 'YQ==' }, '2'), undefined, true],
  ];
  for (const [name, type, object, previous, expected] of table) assert.equal(secretDataChanged({ type, object, previous }), expected, name);
});
