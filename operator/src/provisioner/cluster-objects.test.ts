import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bindPortOf, dataPlaneName, gatewayLabelValue, serviceAddresses } from './cluster-objects.js';

test('data plane names are <gateway>-novagate-gateway, else a hashed name that is still a valid Service name', () => {
  assert.equal(dataPlaneName('web'), 'web-novagate-gateway');
  for (const name of ['1st-gateway', 'a'.repeat(60), 'dotted.name.example', `${'b'.repeat(40)}-x`]) {
    const short = dataPlaneName(name);
    assert.match(short, /^[a-z]([-a-z0-9]*[a-z0-9])?$/, short);
    assert.ok(short.length <= 63, short);
  }
  assert.notEqual(dataPlaneName(`${'a'.repeat(60)}x`), dataPlaneName(`${'a'.repeat(60)}y`), 'long names differing at the end do not collide');
});

test('label values stay within 63 characters and keep long names apart', () => {
  assert.equal(gatewayLabelValue('web'), 'web');
  const long = gatewayLabelValue('g'.repeat(100));
  assert.ok(long.length <= 63);
  assert.notEqual(long, gatewayLabelValue(`${'g'.repeat(99)}h`));
});

test('ports below 1024 bind 10000 higher; the others bind as they are', () => {
  assert.deepEqual([1, 80, 443, 1023, 1024, 8080].map(bindPortOf), [10001, 10080, 10443, 11023, 1024, 8080]);
});

test('addresses: load balancer IPs and hostnames first, else the ClusterIP, never a headless None', () => {
  assert.deepEqual(serviceAddresses({ spec: { clusterIP: '10.0.0.5' }, status: { loadBalancer: { ingress: [{ hostname: 'lb.example.com' }, { ip: '203.0.113.1' }, {}] } } }), [
    { type: 'Hostname', value: 'lb.example.com' },
    { type: 'IPAddress', value: '203.0.113.1' },
  ]);
  assert.deepEqual(serviceAddresses({ spec: { clusterIP: '10.0.0.5' }, status: { loadBalancer: {} } }), [{ type: 'IPAddress', value: '10.0.0.5' }]);
  assert.deepEqual(serviceAddresses({ spec: { clusterIP: 'None' } }), []);
  assert.deepEqual(serviceAddresses({}), []);
});
