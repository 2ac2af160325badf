import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GatewayClassResource, GatewayResource, HttpRouteResource } from '../../kube/resources.js';
import { cachesOf } from '../../testing/caches.js';
import { emptyDesired } from '../config-sync/plan.js';
import { GATEWAY_CONTROLLER_NAME } from '../gatewayclass/gatewayclass-decisions.js';
import { evaluateHttpRoute } from '../httproute/http-route-evaluation.js';
import { addGatewayListeners, gatewayOwnership } from './gateway-tenant.js';

const accepted = [{ type: 'Accepted', status: 'True' as const, reason: 'Accepted', message: '', lastTransitionTime: '2026-11-30T00:00:00Z', observedGeneration: 1 }];
const prodClass: GatewayClassResource = {
  metadata: { name: 'prod' },
  spec: { controllerName: GATEWAY_CONTROLLER_NAME, parametersRef: { group: 'novagate.dev', kind: 'Tenant', namespace: 'prod', name: 'prod' } },
  status: { conditions: accepted },
};
const gateway = (namespace: string): GatewayResource => ({
  metadata: { namespace, name: 'edge', uid: `uid-${namespace}` },
  spec: { gatewayClassName: 'prod', listeners: [{ name: 'http', port: 8080, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } }] },
});
const caches = cachesOf({ gatewayclasses: [prodClass], gateways: [gateway('prod'), gateway('dev')], namespaces: [{ metadata: { name: 'dev' } }, { metadata: { name: 'prod' } }] });

test("a Gateway of a class belongs to the class's Tenant in any namespace", () => {
  assert.deepEqual(gatewayOwnership(gateway('prod'), caches), { kind: 'ours', tenantKey: 'prod/prod' });
  assert.deepEqual(gatewayOwnership(gateway('dev'), caches), { kind: 'ours', tenantKey: 'prod/prod' });
});

test("the listeners of the class's Gateways in every namespace become the Tenant's, each owned by its own Gateway", () => {
  const desired = emptyDesired();
  addGatewayListeners(desired, 'prod/prod', caches, { bindPrivilegedPorts: false, pushCertificates: true });
  assert.deepEqual([...desired.listeners.values()].map((listener) => listener.config.gateway).sort(), ['dev/edge', 'prod/edge']);
});

test("an HTTPRoute attached to a Gateway in another namespace than the Tenant's writes into the Tenant", () => {
  const route: HttpRouteResource = { metadata: { namespace: 'dev', name: 'r' }, spec: { parentRefs: [{ name: 'edge', namespace: 'dev' }], rules: [{}] } };
  assert.deepEqual([...evaluateHttpRoute(route, caches).byTenant.keys()], ['prod/prod']);
  const inProd: HttpRouteResource = { metadata: { namespace: 'prod', name: 'r' }, spec: { parentRefs: [{ name: 'edge', namespace: 'prod' }], rules: [{}] } };
  assert.deepEqual([...evaluateHttpRoute(inProd, caches).byTenant.keys()], ['prod/prod']);
});
