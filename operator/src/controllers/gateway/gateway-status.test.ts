import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GatewayResource, HttpRouteResource, NamespaceResource } from '../../kube/resources.js';
import { evaluateGatewayListeners } from './gateway-listeners.js';
import { attachedRoutes, nextGatewayStatus, notAcceptedGatewayStatus, programmedRecheckMs, type GatewayObservation } from './gateway-status.js';

const gateway: GatewayResource = {
  metadata: { namespace: 'web', name: 'edge', generation: 2 },
  spec: {
    gatewayClassName: 'novagate',
    listeners: [
      { name: 'http', port: 80, protocol: 'HTTP' },
      { name: 'shop', port: 8080, protocol: 'HTTP', hostname: 'shop.example.com', allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: { team: 'shop' } } } } },
      { name: 'udp', port: 53, protocol: 'UDP' },
    ],
  },
};
const route = (namespace: string, name: string, parentRefs: HttpRouteResource['spec']['parentRefs'], hostnames?: string[]): HttpRouteResource => ({
  metadata: { namespace, name },
  spec: { parentRefs, ...(hostnames === undefined ? {} : { hostnames }) },
});
const namespaces: NamespaceResource[] = [{ metadata: { name: 'web' } }, { metadata: { name: 'shop', labels: { team: 'shop' } } }];
const namespaceOf = (name: string) => namespaces.find((namespace) => namespace.metadata.name === name);
const verdicts = evaluateGatewayListeners(gateway, { secretOf: () => undefined, grants: [], bindPrivilegedPorts: false });
const now = new Date('2026-11-30T05:00:00Z');
const observation = (overrides: Partial<GatewayObservation> = {}): GatewayObservation => ({
  verdicts,
  refused: new Map(),
  synced: true,
  attached: new Map(),
  addresses: [{ type: 'IPAddress', value: '198.18.0.9' }],
  pushCertificates: false,
  ...overrides,
});

test('attachedRoutes counts each HTTPRoute once per listener it attaches to, by allowedRoutes and hostnames', () => {
  const counts = attachedRoutes(
    gateway,
    [
      route('web', 'any', [{ name: 'edge' }]),
      route('web', 'twice', [{ name: 'edge', sectionName: 'http' }, { name: 'edge', port: 80 }]),
      route('shop', 'cart', [{ name: 'edge', namespace: 'web', sectionName: 'shop' }], ['shop.example.com']),
      route('shop', 'wrong-host', [{ name: 'edge', namespace: 'web', sectionName: 'shop' }], ['blog.example.com']),
      route('other', 'not-allowed', [{ name: 'edge', namespace: 'web' }]),
      route('web', 'elsewhere', [{ name: 'other-gateway' }]),
      { ...route('web', 'leaving', [{ name: 'edge' }]), metadata: { namespace: 'web', name: 'leaving', deletionTimestamp: '2026-11-30T00:00:00Z' } },
    ],
    namespaceOf,
  );
  assert.deepEqual(Object.fromEntries(counts), { http: 2, shop: 1, udp: 0 });
});

test('a synced Gateway with an address is Programmed; an invalid listener makes Accepted say ListenersNotValid', () => {
  const status = nextGatewayStatus(gateway, observation({ attached: new Map([['http', 3]]) }), now);
  assert.ok(status);
  const reasons = (conditions: { type: string; reason: string; observedGeneration?: number }[] | undefined) => conditions?.map((c) => `${c.type}=${c.reason}@${c.observedGeneration}`);
  assert.deepEqual(reasons(status.conditions), ['Accepted=ListenersNotValid@2', 'Programmed=Programmed@2']);
  assert.deepEqual(status.addresses, [{ type: 'IPAddress', value: '198.18.0.9' }]);
  assert.deepEqual(status.listeners?.map((listener) => [listener.name, listener.attachedRoutes, reasons(listener.conditions)?.join(' ')]), [
    ['http', 3, 'Accepted=Accepted@2 Conflicted=NoConflicts@2 Programmed=Programmed@2 ResolvedRefs=ResolvedRefs@2'],
    ['shop', 0, 'Accepted=Accepted@2 Conflicted=NoConflicts@2 Programmed=Programmed@2 ResolvedRefs=ResolvedRefs@2'],
    ['udp', 0, 'Accepted=UnsupportedProtocol@2 Conflicted=NoConflicts@2 Programmed=Invalid@2 ResolvedRefs=ResolvedRefs@2'],
  ]);
  assert.equal(nextGatewayStatus({ ...gateway, status }, observation({ attached: new Map([['http', 3]]) }), new Date('2026-11-30T06:00:00Z')), null, 'nothing new: no write');
});

test('without an address, before the sync, or refused by the config, the Gateway or listener is not Programmed', () => {
  const programmed = (status: ReturnType<typeof nextGatewayStatus>) => status?.conditions?.find((c) => c.type === 'Programmed')?.reason;
  assert.equal(programmed(nextGatewayStatus(gateway, observation({ addresses: [] }), now)), 'AddressNotAssigned');
  assert.equal(programmed(nextGatewayStatus(gateway, observation({ synced: false }), now)), 'Pending');
  const refused = nextGatewayStatus(gateway, observation({ refused: new Map([['http', { reason: 'Refused', message: 'port 80 is HTTPS' }]]) }), now);
  const http = refused?.listeners?.find((listener) => listener.name === 'http')?.conditions.find((c) => c.type === 'Programmed');
  assert.equal(http?.reason, 'Invalid');
  assert.match(http?.message ?? '', /refused the listener: port 80 is HTTPS/);
});

test('a Gateway whose class is not Accepted is Accepted=False InvalidParameters and not Programmed', () => {
  const status = notAcceptedGatewayStatus(gateway, 'GatewayClass novagate is not Accepted; see its status', now);
  assert.deepEqual(status?.conditions?.map((c) => `${c.type}=${c.status}/${c.reason}`), ['Accepted=False/InvalidParameters', 'Programmed=False/Invalid']);
});

test('a data plane the provisioner refused makes the Gateway Programmed=False Invalid with its words', () => {
  const refused = 'Deployment prod-novagate-gateway in namespace web exists and is not owned by this Gateway; rename the Gateway or remove that object';
  const status = nextGatewayStatus(gateway, observation({ addresses: [], provisionRefused: refused }), now);
  const programmed = status?.conditions?.find((c) => c.type === 'Programmed');
  assert.equal(`${programmed?.status}/${programmed?.reason}`, 'False/Invalid');
  assert.equal(programmed?.message, `no data plane: ${refused}`);
});

test('a Gateway whose listeners are all invalid is still Programmed once its data plane has an address; its listeners say why', () => {
  const tlsOnly: GatewayResource = {
    metadata: { namespace: 'web', name: 'tls-only', generation: 1 },
    spec: { gatewayClassName: 'novagate', listeners: [{ name: 'tls', port: 443, protocol: 'TLS', tls: { mode: 'Passthrough' } }] },
  };
  const tlsVerdicts = evaluateGatewayListeners(tlsOnly, { secretOf: () => undefined, grants: [], bindPrivilegedPorts: false });
  const status = nextGatewayStatus(tlsOnly, observation({ verdicts: tlsVerdicts }), now);
  const condition = (type: string) => status?.conditions?.find((c) => c.type === type);
  assert.equal(condition('Accepted')?.reason, 'ListenersNotValid');
  assert.equal(condition('Programmed')?.status, 'True');
  assert.match(condition('Programmed')?.message ?? '', /none of its 1 listeners is valid/);
  assert.equal(status?.listeners?.[0]?.conditions.find((c) => c.type === 'Programmed')?.status, 'False');
  const unaddressed = nextGatewayStatus(tlsOnly, observation({ verdicts: tlsVerdicts, addresses: [] }), now);
  assert.equal(unaddressed?.conditions?.find((c) => c.type === 'Programmed')?.reason, 'AddressNotAssigned', 'no address: not Programmed');
});

test('requested spec.addresses are not assigned: Programmed=False AddressNotUsable naming them, while the listeners keep their own status', () => {
  const withAddresses: GatewayResource = { ...gateway, spec: { ...gateway.spec, addresses: [{ type: 'IPAddress', value: '203.0.113.7' }] } };
  const status = nextGatewayStatus(withAddresses, observation(), now);
  const programmedCondition = status?.conditions?.find((c) => c.type === 'Programmed');
  assert.equal(programmedCondition?.status, 'False');
  assert.equal(programmedCondition?.reason, 'AddressNotUsable');
  assert.match(programmedCondition?.message ?? '', /203\.0\.113\.7/);
  assert.equal(status?.listeners?.find((listener) => listener.name === 'http')?.conditions.find((c) => c.type === 'Programmed')?.status, 'True');
});

test('a Gateway waiting for its address is looked at again with exponential backoff capped at 60 s; other reasons wait for an event', () => {
  const waiting = { status: 'False', reason: 'AddressNotAssigned' };
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8, 40].map((look) => programmedRecheckMs(waiting, false, look, 2_000)), [2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000, 60_000]);
  for (const reason of ['Invalid', 'Pending']) assert.equal(programmedRecheckMs({ status: 'False', reason }, false, 1, 2_000), undefined, reason);
  assert.equal(programmedRecheckMs({ status: 'True', reason: 'Programmed' }, true, 1, 2_000), undefined);
  assert.equal(programmedRecheckMs(undefined, false, 1, 2_000), undefined);
  // A provisioned tenant whose sync kept the stored listeners (caches loading) is looked at again too.
  assert.equal(programmedRecheckMs({ status: 'False', reason: 'Pending' }, true, 2, 2_000), 4_000);
});
