import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConsumerResource, RouteResource, TenantResource } from '../kube/resources.js';
import type { WatchEventType } from '../kube/watch.js';
import { cachesOf } from '../testing/caches.js';
import { tenantConfigChanges, tenantLifecycle } from './config-resource-watches.js';
import { keysFor } from './controller.js';
import type { Problem } from './evaluation.js';

const conditions = (type: string, status: 'True' | 'False') => [{ type, status, reason: type, message: '', lastTransitionTime: '', observedGeneration: 1 }];

const tenant = (options: { ready?: boolean; deleting?: boolean; resourceVersion?: string } = {}): TenantResource => ({
  metadata: {
    name: 'acme',
    namespace: 'shop',
    resourceVersion: options.resourceVersion ?? '1',
    ...(options.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
  },
  spec: { displayName: 'Acme', plan: 'free', ownerEmail: 'ops@acme.test', deletionPolicy: 'Retain' },
  ...(options.ready === undefined ? {} : { status: { conditions: conditions('Ready', options.ready ? 'True' : 'False') } }),
});

const route = (namespace: string, name: string, tenantName: string, accepted: boolean): RouteResource => ({
  metadata: { name, namespace },
  spec: { tenantRef: { name: tenantName }, upstream: { url: 'http://up:80' }, match: { paths: [`/${name}`] } },
  status: { conditions: conditions('Accepted', accepted ? 'True' : 'False') },
});

const consumer = (namespace: string, name: string, tenantName: string, accepted: boolean): ConsumerResource => ({
  metadata: { name, namespace },
  spec: { tenantRef: { name: tenantName }, username: name },
  status: { conditions: conditions('Accepted', accepted ? 'True' : 'False') },
});

const caches = cachesOf({
  tenants: [tenant()],
  routes: [
    route('shop', 'orders', 'acme', true),
    route('shop', 'users', 'acme', false),
    route('shop', 'other-tenant', 'globex', false),
    route('store', 'same-name-elsewhere', 'acme', false),
  ],
  consumers: [consumer('shop', 'alice', 'acme', false), consumer('shop', 'bob', 'acme', true), consumer('shop', 'carol', 'globex', true)],
});

test('a Tenant\'s readiness or lifecycle change reconciles every Route and Consumer naming it, nothing else', () => {
  const everyRoute = ['shop/orders', 'shop/users'];
  const everyConsumer = ['shop/alice', 'shop/bob'];
  const table: [string, WatchEventType, TenantResource, TenantResource | undefined, string[], string[]][] = [
    ['added, not Ready yet', 'ADDED', tenant(), undefined, [], []],
    ['added Ready (a relist)', 'ADDED', tenant({ ready: true }), undefined, everyRoute, everyConsumer],
    ['became Ready', 'MODIFIED', tenant({ ready: true, resourceVersion: '2' }), tenant({ ready: false }), everyRoute, everyConsumer],
    ['stopped being Ready', 'MODIFIED', tenant({ ready: false, resourceVersion: '2' }), tenant({ ready: true }), everyRoute, everyConsumer],
    ['still Ready, another status write', 'MODIFIED', tenant({ ready: true, resourceVersion: '2' }), tenant({ ready: true }), [], []],
    ['still not Ready', 'MODIFIED', tenant({ ready: false, resourceVersion: '2' }), tenant(), [], []],
    ['deletion started', 'MODIFIED', tenant({ ready: true, deleting: true, resourceVersion: '2' }), tenant({ ready: true }), everyRoute, everyConsumer],
    ['deleted', 'DELETED', tenant({ deleting: true }), tenant({ deleting: true }), everyRoute, everyConsumer],
  ];
  for (const [name, type, object, previous, routes, consumers] of table) {
    assert.deepEqual(keysFor(tenantLifecycle('routes'), { type, object, previous }, caches), routes, `routes: ${name}`);
    assert.deepEqual(keysFor(tenantLifecycle('consumers'), { type, object, previous }, caches), consumers, `consumers: ${name}`);
  }
});

test('a config sync that changed a Tenant\'s rows reconciles its refused objects and the left-out ones still Accepted', () => {
  const problem: Problem = { reason: 'Conflicted', message: 'older route' };
  const table: [string, [string, Problem][], string[], string[]][] = [
    ['no problems: the refused objects of the tenant', [], ['shop/users'], ['shop/alice']],
    ['a left-out Route still Accepted', [['shop/orders', problem]], ['shop/users', 'shop/orders'], ['shop/alice']],
    ['a left-out Consumer still Accepted', [['shop/bob', problem]], ['shop/users'], ['shop/alice', 'shop/bob']],
    ['a left-out object already refused is named once', [['shop/users', problem]], ['shop/users'], ['shop/alice']],
    ['a problem of an object not cached', [['shop/gone', problem]], ['shop/users'], ['shop/alice']],
  ];
  for (const [name, problems, routes, consumers] of table) {
    const event = { tenant: tenant({ ready: true }), problems: new Map(problems) };
    assert.deepEqual(keysFor(tenantConfigChanges('routes'), event, caches), routes, `routes: ${name}`);
    assert.deepEqual(keysFor(tenantConfigChanges('consumers'), event, caches), consumers, `consumers: ${name}`);
  }
});
