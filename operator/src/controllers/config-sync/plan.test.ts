import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ListenerConfig, RouteConfig, ServiceConfig } from '@novagate/gateway/config';
import { emptyDesired, planConfigChanges, type ObservedConfig } from './plan.js';

const service = (name: string, url = 'http://a:80'): ServiceConfig => ({ name, url, connectTimeoutMs: 2000, timeoutMs: 10000, retries: 1 });
const route = (name: string, paths = ['/a']): RouteConfig => ({ name, service: name, paths, methods: [], hosts: [], stripPrefix: false, auth: 'none' });
const observedEmpty = (): ObservedConfig => ({ services: new Map(), routes: new Map(), consumers: new Map(), listeners: new Map() });

test('nothing to do when the managed rows equal the desired config, whatever the key order', () => {
  const desired = emptyDesired();
  desired.services.set('k8s.ns.a', { config: service('k8s.ns.a'), owner: 'ns/a' });
  desired.routes.set('k8s.ns.a', { config: route('k8s.ns.a'), owner: 'ns/a' });
  const observed = observedEmpty();
  const reordered = { auth: 'none', hosts: [], methods: [], name: 'k8s.ns.a', paths: ['/a'], service: 'k8s.ns.a', stripPrefix: false } as RouteConfig;
  observed.services.set('k8s.ns.a', { id: 's1', config: service('k8s.ns.a') });
  observed.routes.set('k8s.ns.a', { id: 'r1', config: reordered });
  assert.deepEqual(planConfigChanges(desired, observed), []);
});

test('inserts, updates and deletes come in an order the foreign keys accept', () => {
  const desired = emptyDesired();
  desired.services.set('k8s.ns.new', { config: service('k8s.ns.new'), owner: 'ns/new' });
  desired.routes.set('k8s.ns.new', { config: route('k8s.ns.new'), owner: 'ns/new' });
  desired.services.set('k8s.ns.changed', { config: service('k8s.ns.changed', 'http://b:80'), owner: 'ns/changed' });
  desired.routes.set('k8s.ns.changed', { config: route('k8s.ns.changed'), owner: 'ns/changed' });
  const observed = observedEmpty();
  observed.services.set('k8s.ns.changed', { id: 's-changed', config: service('k8s.ns.changed') });
  observed.routes.set('k8s.ns.changed', { id: 'r-changed', config: route('k8s.ns.changed') });
  observed.services.set('k8s.ns.gone', { id: 's-gone', config: service('k8s.ns.gone') });
  observed.routes.set('k8s.ns.gone', { id: 'r-gone', config: route('k8s.ns.gone') });
  observed.consumers.set('old-app', { id: 'c-old', config: { username: 'old-app', apiKeyHashes: [] } });
  const plan = planConfigChanges(desired, observed).map((action) => `${action.op} ${action.table} ${action.name}`);
  assert.deepEqual(plan, [
    'delete routes k8s.ns.gone',
    'delete consumers old-app',
    'delete services k8s.ns.gone',
    'update services k8s.ns.changed',
    'insert services k8s.ns.new',
    'insert routes k8s.ns.new',
  ]);
});

test('listeners are deleted after the routes that name them and written before any route can name them', () => {
  const listener = (name: string, port: number): ListenerConfig => ({ name, port, protocol: 'HTTP', gateway: 'ns/gw' });
  const desired = emptyDesired();
  desired.listeners.set('gwapi.ns.gw.h.http', { config: listener('gwapi.ns.gw.h.http', 80), owner: 'Gateway:ns/gw' });
  desired.routes.set('k8s.ns.new', { config: route('k8s.ns.new'), owner: 'ns/new' });
  desired.services.set('k8s.ns.new', { config: service('k8s.ns.new'), owner: 'ns/new' });
  const observed = observedEmpty();
  observed.routes.set('k8s.ns.gone', { id: 'r-gone', config: route('k8s.ns.gone') });
  observed.listeners.set('gwapi.ns.old.h.http', { id: 'l-old', config: listener('gwapi.ns.old.h.http', 81) });
  const plan = planConfigChanges(desired, observed).map((action) => `${action.op} ${action.table} ${action.name}`);
  assert.deepEqual(plan, [
    'delete routes k8s.ns.gone',
    'delete listeners gwapi.ns.old.h.http',
    'insert listeners gwapi.ns.gw.h.http',
    'insert services k8s.ns.new',
    'insert routes k8s.ns.new',
  ]);
});
