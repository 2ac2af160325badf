import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serviceTargets, type EndpointSliceObject, type ServiceObject } from './service-targets.js';

const service: ServiceObject = { metadata: { namespace: 'infra', name: 'echo' }, spec: { ports: [{ name: 'http', port: 8080 }, { name: 'grpc', port: 9000, appProtocol: 'kubernetes.io/h2c' }] } };

function slice(name: string, addresses: [string, boolean?][], extra: Partial<EndpointSliceObject> = {}): EndpointSliceObject {
  return {
    metadata: { namespace: 'infra', name, labels: { 'kubernetes.io/service-name': 'echo' } },
    addressType: 'IPv4',
    endpoints: addresses.map(([address, ready]) => ({ addresses: [address], ...(ready === undefined ? {} : { conditions: { ready } }) })),
    ports: [{ name: 'http', port: 3000 }, { name: 'grpc', port: 3001 }],
    ...extra,
  };
}

test('ready endpoints of every slice of the Service, on the slice port named like the Service port, sorted and unique', () => {
  const result = serviceTargets(service, 8080, [slice('a', [['10.0.0.2'], ['10.0.0.1', true], ['10.0.0.9', false]]), slice('b', [['10.0.0.1'], ['10.0.0.3']])]);
  assert.ok(result.ok);
  assert.equal(result.service.name, 'gwapi.svc.infra.echo.8080');
  assert.deepEqual(result.service.targets, [{ url: 'http://10.0.0.1:3000', weight: 1 }, { url: 'http://10.0.0.2:3000', weight: 1 }, { url: 'http://10.0.0.3:3000', weight: 1 }]);
  assert.equal(result.service.retries, 0);
  assert.equal(result.service.http2, undefined);
});

test('slices of other Services, other namespaces and FQDN slices are ignored; IPv6 addresses are bracketed', () => {
  const other = slice('o', [['10.9.9.9']], { metadata: { namespace: 'infra', name: 'o', labels: { 'kubernetes.io/service-name': 'other' } } });
  const elsewhere = slice('e', [['10.8.8.8']], { metadata: { namespace: 'apps', name: 'e', labels: { 'kubernetes.io/service-name': 'echo' } } });
  const fqdn = slice('f', [['echo.example.com']], { addressType: 'FQDN' });
  const v6 = slice('v6', [['fd00::1']], { addressType: 'IPv6' });
  const result = serviceTargets(service, 8080, [other, elsewhere, fqdn, v6]);
  assert.ok(result.ok);
  assert.deepEqual(result.service.targets?.map((t) => t.url), ['http://[fd00::1]:3000']);
});

test('no ready endpoint is a service with no targets (503 at the gateway), not a missing backend', () => {
  const result = serviceTargets(service, 8080, [slice('a', [['10.0.0.1', false]])]);
  assert.ok(result.ok);
  assert.deepEqual(result.service.targets, []);
});

test('appProtocol kubernetes.io/h2c makes an HTTP/2 (h2c) service', () => {
  const result = serviceTargets(service, 9000, [slice('a', [['10.0.0.1']])]);
  assert.ok(result.ok);
  assert.equal(result.service.http2, true);
  assert.deepEqual(result.service.targets?.map((t) => t.url), ['http://10.0.0.1:3001']);
});

test('a port the Service does not have, or an ExternalName Service, is BackendNotFound', () => {
  assert.deepEqual(serviceTargets(service, 81, []), { ok: false, reason: 'BackendNotFound', message: 'Service infra/echo has no TCP port 81' });
  assert.equal(serviceTargets({ ...service, spec: { type: 'ExternalName' } }, 8080, []).ok, false);
});

test('more endpoints than a service may hold are cut to the limit and reported', () => {
  const many = slice('m', Array.from({ length: 300 }, (_, i) => [`10.1.${Math.floor(i / 250)}.${i % 250}`] as [string]));
  const result = serviceTargets(service, 8080, [many]);
  assert.ok(result.ok);
  assert.equal(result.service.targets?.length, 256);
  assert.equal(result.truncated, true);
});

const selectorService: ServiceObject = { ...service, spec: { ...service.spec, selector: { app: 'echo' } } };
const managedBy = (manager: string) => ({ metadata: { namespace: 'infra', name: manager, labels: { 'kubernetes.io/service-name': 'echo', 'endpointslice.kubernetes.io/managed-by': manager } } });

test("a Service with a selector takes only the endpointslice controller's slices; a hand-made slice naming it is ignored", () => {
  const controller = slice('c', [['10.0.0.1']], managedBy('endpointslice-controller.k8s.io'));
  const forged = slice('f', [['10.66.0.1']], managedBy('attacker.example.com'));
  const unlabelled = slice('u', [['10.66.0.2']]);
  const result = serviceTargets(selectorService, 8080, [controller, forged, unlabelled]);
  assert.ok(result.ok);
  assert.deepEqual(result.service.targets?.map((t) => t.url), ['http://10.0.0.1:3000']);
  const onlyForged = serviceTargets(selectorService, 8080, [forged]);
  assert.ok(onlyForged.ok);
  assert.deepEqual(onlyForged.service.targets, []);
});

test('a Service without a selector keeps its hand-made slices, whoever manages them (explicit opt-in)', () => {
  const result = serviceTargets({ ...service, spec: { ...service.spec, selector: {} } }, 8080, [slice('h', [['10.0.0.7']], managedBy('someone.example.com'))]);
  assert.ok(result.ok);
  assert.deepEqual(result.service.targets?.map((t) => t.url), ['http://10.0.0.7:3000']);
});

test('loopback, link-local, cloud metadata, unspecified, multicast and broadcast addresses are refused from any slice, the rest served', () => {
  const refusedV4 = ['127.0.0.1', '127.9.9.9', '169.254.169.254', '169.254.0.1', '100.100.100.200', '0.0.0.0', '0.1.2.3', '224.0.0.1', '239.255.255.250', '255.255.255.255', 'not-an-ip', '10.0.0.1.5'];
  const refusedV6 = ['::1', '::', 'fe80::1', 'febf::1', 'fd00:ec2::254', 'ff02::1', '::ffff:169.254.169.254', '::ffff:7f00:1', '10.0.0.1'];
  const v4 = slice('v4', [...refusedV4, '10.0.0.1', '100.100.100.201', '169.255.0.1'].map((a) => [a] as [string]), managedBy('endpointslice-controller.k8s.io'));
  const v6 = slice('v6', [...refusedV6, 'fd00::1', 'fec0::1'].map((a) => [a] as [string]), { ...managedBy('endpointslice-controller.k8s.io'), addressType: 'IPv6' });
  for (const svc of [service, selectorService]) {
    const result = serviceTargets(svc, 8080, [v4, v6]);
    assert.ok(result.ok);
    assert.deepEqual(result.service.targets?.map((t) => t.url), ['http://10.0.0.1:3000', 'http://100.100.100.201:3000', 'http://169.255.0.1:3000', 'http://[fd00::1]:3000', 'http://[fec0::1]:3000']);
  }
});
