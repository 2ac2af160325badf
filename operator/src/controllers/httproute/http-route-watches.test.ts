import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GatewayResource, HttpRouteResource } from '../../kube/resources.js';
import { cachesOf } from '../../testing/caches.js';
import { keysFor } from '../controller.js';
import { gatewayRoutingChanged, routesOfGateway } from './http-route-watches.js';

const at = '2026-11-30T00:00:00Z';
const listenerStatus = (name: string, programmed: boolean) => ({
  name,
  supportedKinds: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }],
  attachedRoutes: 1,
  conditions: [{ type: 'Programmed', status: programmed ? ('True' as const) : ('False' as const), reason: programmed ? 'Programmed' : 'Invalid', message: '', lastTransitionTime: at, observedGeneration: 1 }],
});
function gateway(generation: number, programmed: Record<string, boolean>, extra: { addresses?: string[]; attached?: number } = {}): GatewayResource {
  return {
    metadata: { namespace: 'infra', name: 'edge', generation, uid: 'u1' },
    spec: { gatewayClassName: 'acme', listeners: Object.keys(programmed).map((name, index) => ({ name, port: 8000 + index, protocol: 'HTTP' })) },
    status: {
      conditions: [],
      ...(extra.addresses === undefined ? {} : { addresses: extra.addresses.map((value) => ({ type: 'IPAddress', value })) }),
      listeners: Object.entries(programmed).map(([name, isProgrammed]) => ({ ...listenerStatus(name, isProgrammed), attachedRoutes: extra.attached ?? 1 })),
    },
  } as GatewayResource;
}
const route = (name: string, gatewayName: string): HttpRouteResource => ({ metadata: { namespace: 'infra', name }, spec: { parentRefs: [{ name: gatewayName }] } }) as HttpRouteResource;
const caches = cachesOf({ httproutes: [route('a', 'edge'), route('b', 'other')] });

test("a Gateway's status write that moves neither its spec nor its programmed listeners reconciles no route", () => {
  const before = gateway(1, { http: true, broken: false });
  const after = gateway(1, { http: true, broken: false }, { addresses: ['10.0.0.1'], attached: 3 });
  assert.equal(gatewayRoutingChanged({ type: 'MODIFIED', object: after, previous: before }), false);
  assert.deepEqual(keysFor(routesOfGateway, { type: 'MODIFIED', object: after, previous: before }, caches), []);
});

test('a listener becoming programmed, or no longer, reconciles the routes naming the Gateway', () => {
  const pending = gateway(1, { http: true, https: false });
  const programmed = gateway(1, { http: true, https: true });
  assert.deepEqual(keysFor(routesOfGateway, { type: 'MODIFIED', object: programmed, previous: pending }, caches), ['infra/a']);
  assert.deepEqual(keysFor(routesOfGateway, { type: 'MODIFIED', object: pending, previous: programmed }, caches), ['infra/a']);
});

test('a Gateway created, deleted or with a new generation reconciles the routes naming it, and only those', () => {
  const first = gateway(1, { http: true });
  assert.deepEqual(keysFor(routesOfGateway, { type: 'ADDED', object: first, previous: undefined }, caches), ['infra/a']);
  assert.deepEqual(keysFor(routesOfGateway, { type: 'DELETED', object: first, previous: undefined }, caches), ['infra/a']);
  assert.deepEqual(keysFor(routesOfGateway, { type: 'MODIFIED', object: gateway(2, { http: true }), previous: first }, caches), ['infra/a']);
});
