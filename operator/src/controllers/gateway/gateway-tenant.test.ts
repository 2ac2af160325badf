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

test("a Gateway of a class is its Tenant's only in the Tenant's namespace; elsewhere it is refused with a message naming that namespace", () => {
  assert.deepEqual(gatewayOwnership(gateway('prod'), caches), { kind: 'ours', tenantKey: 'prod/prod' });
  const elsewhere = gatewayOwnership(gateway('dev'), caches);
  assert.equal(elsewhere.kind, 'namespace-not-allowed');
  assert.match(elsewhere.kind === 'namespace-not-allowed' ? elsewhere.message : '', /must be in namespace prod, not dev/);
});

test("a Gateway outside the Tenant's namespace adds no listener to the Tenant's config", () => {
  const desired = emptyDesired();
  addGatewayListeners(desired, 'prod/prod', caches, { bindPrivilegedPorts: false, pushCertificates: true });
  assert.deepEqual([...desired.listeners.values()].map((listener) => listener.config.gateway), ['prod/edge']);
});

test("an HTTPRoute attached only to a Gateway outside the Tenant's namespace writes nothing into the Tenant", () => {
  const route: HttpRouteResource = { metadata: { namespace: 'dev', name: 'r' }, spec: { parentRefs: [{ name: 'edge', namespace: 'dev' }], rules: [{}] } };
  assert.deepEqual(evaluateHttpRoute(route, caches), { parents: [], byTenant: new Map() });
  const inProd: HttpRouteResource = { metadata: { namespace: 'prod', name: 'r' }, spec: { parentRefs: [{ name: 'edge', namespace: 'prod' }], rules: [{}] } };
  assert.deepEqual([...evaluateHttpRoute(inProd, caches).byTenant.keys()], ['prod/prod']);
});
