import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GatewayClassResource, GatewayResource, HttpRouteResource, SecretResource, TenantResource } from '../../kube/resources.js';
import { cachesOf } from '../../testing/caches.js';
import { keysFor, type Watch, type WatchOf } from '../controller.js';
import { GATEWAY_CONTROLLER_NAME } from '../gatewayclass/gatewayclass-decisions.js';
import { gatewayWatches } from './gateway-watches.js';

const accepted = [{ type: 'Accepted', status: 'True' as const, reason: 'Accepted', message: '', lastTransitionTime: '2026-11-30T00:00:00Z', observedGeneration: 1 }];
const gatewayClass = (name: string, controllerName: string, tenant: string): GatewayClassResource => ({
  metadata: { name },
  spec: { controllerName, parametersRef: { group: 'novagate.dev', kind: 'Tenant', namespace: 'web', name: tenant } },
  status: { conditions: accepted },
});
const gateway = (namespace: string, name: string, className: string, certificate?: { name: string; namespace?: string }): GatewayResource => ({
  metadata: { namespace, name },
  spec: {
    gatewayClassName: className,
    listeners: [{ name: 'l', port: 443, protocol: 'HTTPS', ...(certificate === undefined ? {} : { tls: { certificateRefs: [certificate] } }) }],
  },
});
const caches = cachesOf({
  gatewayclasses: [gatewayClass('acme', GATEWAY_CONTROLLER_NAME, 'acme'), gatewayClass('globex', GATEWAY_CONTROLLER_NAME, 'globex'), gatewayClass('foreign', 'example.com/x', 'acme')],
  gateways: [
    gateway('web', 'edge', 'acme', { name: 'cert' }),
    gateway('web', 'shared-cert', 'globex', { name: 'cert', namespace: 'certs' }),
    gateway('web', 'plain', 'globex'),
    gateway('web', 'theirs', 'foreign', { name: 'cert' }),
  ],
});
function watchOf<S extends Watch['source']>(source: S): WatchOf<S> {
  const watch = gatewayWatches.find((candidate) => candidate.source === source);
  assert.ok(watch !== undefined);
  return watch as unknown as WatchOf<S>;
}
const secret = (namespace: string, name: string, data: Record<string, string> = { a: 'b' }): SecretResource => ({ metadata: { namespace, name }, data });

test("a Tenant's change asks for the Gateways of the classes naming it, not another controller's", () => {
  const tenant: TenantResource = { metadata: { namespace: 'web', name: 'acme' }, spec: { displayName: 'A', plan: 'pro', ownerEmail: 'a@example.com', deletionPolicy: 'Retain' } };
  assert.deepEqual(keysFor(watchOf('tenants'), { type: 'MODIFIED', object: tenant, previous: undefined }, caches), ['web/edge']);
});

test('a Secret asks for the Gateway whose key it holds, or the Gateways of ours whose certificateRefs name it', () => {
  const watch = watchOf('secrets');
  assert.deepEqual(keysFor(watch, { type: 'ADDED', object: secret('web', 'plain-novagate-gateway-key'), previous: undefined }, caches), ['web/plain']);
  assert.deepEqual(keysFor(watch, { type: 'ADDED', object: secret('web', 'cert'), previous: undefined }, caches), ['web/edge']);
  assert.deepEqual(keysFor(watch, { type: 'ADDED', object: secret('certs', 'cert'), previous: undefined }, caches), ['web/shared-cert']);
  const same = secret('web', 'cert');
  assert.deepEqual(keysFor(watch, { type: 'MODIFIED', object: same, previous: same }, caches), [], 'data unchanged: nothing to do');
});

test('an HTTPRoute asks for the Gateways its old and new parentRefs name; a status-only change asks for none', () => {
  const watch = watchOf('httproutes');
  const before: HttpRouteResource = { metadata: { namespace: 'shop', name: 'r' }, spec: { parentRefs: [{ name: 'edge', namespace: 'web' }] } };
  const after: HttpRouteResource = { ...before, spec: { parentRefs: [{ name: 'plain', namespace: 'web' }, { name: 'svc', kind: 'Service', group: '' }] } };
  assert.deepEqual(keysFor(watch, { type: 'MODIFIED', object: after, previous: before }, caches).sort(), ['web/edge', 'web/plain']);
  assert.deepEqual(keysFor(watch, { type: 'MODIFIED', object: { ...before, metadata: { ...before.metadata, resourceVersion: '9' } }, previous: before }, caches), []);
});

test('a GatewayClass asks for its Gateways; a ReferenceGrant for every Gateway of ours', () => {
  assert.deepEqual(keysFor(watchOf('gatewayclasses'), { type: 'MODIFIED', object: gatewayClass('globex', GATEWAY_CONTROLLER_NAME, 'globex'), previous: undefined }, caches), ['web/shared-cert', 'web/plain']);
  const grant = { metadata: { namespace: 'certs', name: 'g' }, spec: { from: [], to: [] } };
  assert.deepEqual(keysFor(watchOf('referencegrants'), { type: 'ADDED', object: grant, previous: undefined }, caches), ['web/edge', 'web/shared-cert', 'web/plain']);
});
