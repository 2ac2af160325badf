import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gatewaySlice } from './gateway-slice.js';
import { validateGatewayConfig } from './validate.js';
import type { GatewayConfig } from './schema.js';
import { makeNamedCertificates } from '../testing/tls-certificates.js';

const certs = makeNamedCertificates({ 'a-cert': ['a.example.com'], 'b-cert': ['b.example.com'], 'upstream-ca': ['ca.internal'] });
const pem = (name: string) => certs.certificates[name] as { cert: string; key: string };

/** A tenant with two Gateways (infra/a and team/b), an unowned listener, and shared and private services. */
function tenantConfig(): GatewayConfig {
  const input = {
    listeners: [
      { name: 'plain', port: 8000, protocol: 'HTTP' },
      { name: 'a-http', port: 80, protocol: 'HTTP', gateway: 'infra/a' },
      { name: 'a-https', port: 443, protocol: 'HTTPS', gateway: 'infra/a', tls: { certificates: ['a-cert'] } },
      { name: 'b-https', port: 443, protocol: 'HTTPS', gateway: 'team/b', tls: { certificates: ['b-cert'] } },
    ],
    certificates: [
      { name: 'a-cert', ...pem('a-cert') },
      { name: 'b-cert', ...pem('b-cert') },
      { name: 'upstream-ca', cert: pem('upstream-ca').cert },
    ],
    services: [
      { name: 'shared', url: 'http://shared:8080' },
      { name: 'a-only', url: 'https://a-only:8443', tls: { caCertificate: 'upstream-ca' } },
      { name: 'a-shadow', url: 'http://a-shadow:8080' },
      { name: 'b-only', url: 'http://b-only:8080' },
      { name: 'b-canary', url: 'http://b-canary:8080' },
      { name: 'legacy', url: 'http://legacy:8080' },
    ],
    routes: [
      { name: 'legacy', service: 'legacy', paths: ['/legacy'], auth: 'key-auth' },
      { name: 'a-open', service: 'a-only', paths: ['/a'], listeners: ['a-http', 'a-https'], mirrors: [{ service: 'a-shadow', percent: 5 }] },
      { name: 'a-shared', service: 'shared', paths: ['/shared'], listeners: ['a-https'] },
      { name: 'b-split', backends: [{ service: 'b-only', weight: 90 }, { service: 'b-canary', weight: 10 }], paths: ['/b'], listeners: ['b-https'], auth: 'key-auth' },
      { name: 'both', service: 'shared', paths: ['/both'], listeners: ['a-http', 'b-https'] },
    ],
    consumers: [{ username: 'partner', apiKeyHashes: ['a'.repeat(64)] }],
  };
  const result = validateGatewayConfig(input);
  assert.ok(result.ok, JSON.stringify(result.ok ? null : result.problems));
  return result.value;
}

const names = (items: readonly { name: string }[] | undefined) => (items ?? []).map((item) => item.name);

test("a Gateway's slice holds its listeners, the routes attached to them and nothing of another Gateway's", () => {
  const slice = gatewaySlice(tenantConfig(), 'infra/a');
  assert.deepEqual(names(slice.listeners), ['a-http', 'a-https']);
  assert.deepEqual(names(slice.routes), ['a-open', 'a-shared', 'both']);
  assert.ok(!names(slice.routes).includes('b-split'), "a route on another Gateway's listener is absent");
  assert.ok(!names(slice.routes).includes('legacy'), 'a route without listeners belongs to the unowned listeners');
});

test("a slice holds the services its routes reach (service, backends, mirrors); another Gateway's only when shared", () => {
  const a = gatewaySlice(tenantConfig(), 'infra/a');
  assert.deepEqual(names(a.services), ['shared', 'a-only', 'a-shadow']);
  const b = gatewaySlice(tenantConfig(), 'team/b');
  assert.deepEqual(names(b.services), ['shared', 'b-only', 'b-canary']);
});

test("a slice holds the certificates of its own listeners and services, never another listener's", () => {
  const a = gatewaySlice(tenantConfig(), 'infra/a');
  assert.deepEqual(names(a.certificates), ['a-cert', 'upstream-ca']);
  const b = gatewaySlice(tenantConfig(), 'team/b');
  assert.deepEqual(names(b.certificates), ['b-cert']);
  assert.ok(!JSON.stringify(b).includes(pem('a-cert').key), "another Gateway's private key is nowhere in the slice");
});

test('a route attached to listeners of two Gateways is in both slices, naming only the listeners of each', () => {
  const a = gatewaySlice(tenantConfig(), 'infra/a');
  const b = gatewaySlice(tenantConfig(), 'team/b');
  assert.deepEqual(a.routes.find((route) => route.name === 'both')?.listeners, ['a-http']);
  assert.deepEqual(b.routes.find((route) => route.name === 'both')?.listeners, ['b-https']);
});

test('consumers are in a slice only when one of its routes authenticates', () => {
  assert.deepEqual(gatewaySlice(tenantConfig(), 'infra/a').consumers, []);
  assert.deepEqual(
    gatewaySlice(tenantConfig(), 'team/b').consumers.map((consumer) => consumer.username),
    ['partner'],
  );
});

test('every slice is itself a valid config', () => {
  for (const owner of ['infra/a', 'team/b', 'nobody/here']) {
    const result = validateGatewayConfig(gatewaySlice(tenantConfig(), owner));
    assert.ok(result.ok, `${owner}: ${JSON.stringify(result.ok ? null : result.problems)}`);
  }
});

test('a Gateway with no listeners gets an empty slice, never the unowned routes', () => {
  const slice = gatewaySlice(tenantConfig(), 'nobody/here');
  assert.deepEqual({ listeners: slice.listeners, routes: slice.routes, services: slice.services, certificates: slice.certificates, consumers: slice.consumers }, {
    listeners: [],
    routes: [],
    services: [],
    certificates: [],
    consumers: [],
  });
});

test('a config without listeners or certificates slices to one without them (an ordinary snapshot, DESIGN §10)', () => {
  const slice = gatewaySlice({ services: [{ name: 's' }], routes: [{ service: 's' }], consumers: [] }, 'infra/a');
  assert.deepEqual(slice, { services: [], routes: [], consumers: [] });
});

test('tenant-wide fields the slice does not know are kept as they are', () => {
  const config = { services: [], routes: [], consumers: [], settings: { x: 1 } };
  assert.deepEqual(gatewaySlice(config, 'infra/a').settings, { x: 1 });
});

test('slicing leaves the config it is given unchanged', () => {
  const config = tenantConfig();
  const before = JSON.stringify(config);
  gatewaySlice(config, 'infra/a');
  assert.equal(JSON.stringify(config), before);
});
