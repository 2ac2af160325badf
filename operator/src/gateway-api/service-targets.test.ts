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
