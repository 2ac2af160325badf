// CA-only (keyless) certificates through the admin API: stored and shown without a key, snapshotted without one,
// pushed to gateways without one, refused wherever a key is needed, and writable without SECRETS_ENCRYPTION_KEY.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { before, test } from 'node:test';
import { canonicalConfig, configHash, validateGatewayConfig } from '@novagate/gateway/config';
import { helloGateway } from '../testing/gateway-client.js';
import { makePushedCertificates, type PushedCertificates } from '../testing/pushed-certificates.js';
import { registerTenantApi, type RegisteredTenant, type TestServer } from '../testing/server.js';
import { withTestServer } from '../testing/with-test-server.js';
import { quotedTenantSchema } from '../tenancy/schema-name.js';

const { server, servers, db, ready } = withTestServer({ replicas: [{}, { secretsEncryption: null }] });
let pem: PushedCertificates;
type Api = { tenant: RegisteredTenant; base: string; call: TestServer['request'] };

before(async () => {
  await ready;
  pem = makePushedCertificates();
});

async function storedSnapshots(tenantId: string): Promise<{ version: number; hash: string; text: string }[]> {
  const { rows } = await db.pool.query<{ version: string; hash: string; text: string }>(
    `SELECT version, hash, snapshot::text AS text FROM ${quotedTenantSchema(tenantId)}.config_versions ORDER BY version`,
  );
  return rows.map((row) => ({ version: Number(row.version), hash: row.hash, text: row.text }));
}

async function withService(api: Api, tls?: Record<string, unknown>): Promise<void> {
  const created = await api.call('POST', '/services', { body: { name: 'users', url: 'https://users:8443', ...(tls === undefined ? {} : { tls }) } });
  assert.equal(created.status, 201, created.text);
  assert.equal((await api.call('POST', '/routes', { body: { name: 'users', service: 'users', paths: ['/users'] } })).status, 201);
}

test('a CA bundle without a key is stored and shown without `key`, summarised by its first certificate', async () => {
  const api = await registerTenantApi(server, 'Keyless API');
  // Two CA certificates in no chain order (the intermediate does not issue the CA): a bundle, not a chain.
  const bundle = pem.ca.cert + pem.intermediate.cert;
  const created = await api.call('POST', '/certificates', { body: { name: 'internal-ca', cert: bundle } });
  assert.equal(created.status, 201, created.text);
  assert.equal('key' in created.body, false);
  const first = new X509Certificate(pem.ca.cert);
  assert.equal(created.body.fingerprintSha256, first.fingerprint256.replaceAll(':', '').toLowerCase());
  assert.equal(created.body.notAfter, new Date(first.validTo).toISOString());
  assert.equal(created.body.chain.length, 2);
  assert.deepEqual((await api.call('GET', '/certificates/internal-ca')).body, created.body);
  assert.deepEqual((await api.call('GET', '/certificates')).body.data, [created.body]);
  const { rows } = await db.pool.query(`SELECT key_sealed, key_sha256 FROM ${quotedTenantSchema(api.tenant.id)}.certificates`);
  assert.deepEqual(rows, [{ key_sealed: null, key_sha256: null }]);

  // A keyed chain still has its order checked; a bundle's cert must still be only certificates, in date.
  const wrongOrder = await api.call('POST', '/certificates', { body: { name: 'chain', cert: pem.intermediate.cert + pem.leaf.cert, key: pem.leaf.key } });
  assert.equal(wrongOrder.status, 400);
  for (const [what, cert, message] of [
    ['a key in cert', pem.ca.cert + pem.ca.key, /only CERTIFICATE blocks/],
    ['not PEM', 'hello', /PEM CERTIFICATE blocks/],
    ['expired', pem.expired.cert, /expired on/],
  ] as const) {
    const refused = await api.call('POST', '/certificates', { body: { name: 'bad', cert } });
    assert.equal(refused.status, 400, what);
    assert.equal(refused.body.error.details[0].path, 'cert', what);
    assert.match(refused.body.error.details[0].message, message, what);
    assert.doesNotMatch(refused.text, /BEGIN/, what);
  }
  const emptyKey = await api.call('POST', '/certificates', { body: { name: 'bad', cert: pem.ca.cert, key: '' } });
  assert.equal(emptyKey.status, 400);
  assert.equal(emptyKey.body.error.details[0].path, 'key');
  const keepNothing = await api.call('PUT', '/certificates/internal-ca', { body: { name: 'internal-ca', cert: pem.ca.cert, key: { sha256: 'a'.repeat(64) } } });
  assert.equal(keepNothing.status, 400);
  assert.equal(keepNothing.body.error.details[0].path, 'key.sha256');
  assert.match(keepNothing.body.error.details[0].message, /no stored certificate of this name has a key to keep/);
});

test('GET /config and the snapshot hold a CA bundle without `key`; the round trip records no new version; the gateway frame validates', async () => {
  const api = await registerTenantApi(server, 'Keyless snapshot');
  await withService(api, { caCertificate: 'internal-ca' });
  assert.equal((await api.call('POST', '/certificates', { body: { name: 'internal-ca', cert: pem.ca.cert } })).status, 201);
  const current = await api.call('GET', '/config');
  assert.deepEqual(current.body.config.certificates, [{ name: 'internal-ca', cert: pem.ca.cert.trim() + '\n' }]);
  const stored = (await storedSnapshots(api.tenant.id)).at(-1) as { version: number; hash: string; text: string };
  assert.equal(stored.hash, current.body.hash);
  assert.equal(canonicalConfig(current.body.config).hash, current.body.hash);
  assert.doesNotMatch(stored.text, /"key"|sealed|sha256/);

  const same = await api.call('PUT', '/config', { body: { config: current.body.config } });
  assert.equal(same.status, 200, same.text);
  assert.deepEqual(same.body, { version: current.body.version, hash: current.body.hash });

  const gateway = await helloGateway(server.url, api.tenant.gatewayApiKey);
  try {
    const frame = await gateway.nextConfig((config) => config.version === current.body.version);
    assert.equal(frame.hash, current.body.hash);
    assert.deepEqual((frame.config as unknown as { certificates: unknown[] }).certificates, [{ name: 'internal-ca', cert: current.body.config.certificates[0].cert }]);
    const validated = validateGatewayConfig(frame.config);
    assert.ok(validated.ok, JSON.stringify(validated));
    assert.equal(configHash(validated.value), current.body.hash);
  } finally {
    gateway.close();
  }

  // Turned keyed through PUT /config and back keyless: `key` comes and goes, and the hash follows.
  const keyed = await api.call('PUT', '/config', { body: { config: { ...current.body.config, certificates: [{ name: 'internal-ca', cert: pem.leaf.chain, key: pem.leaf.key }] } } });
  assert.equal(keyed.status, 200, keyed.text);
  assert.ok((await api.call('GET', '/certificates/internal-ca')).body.key.sha256);
  const back = await api.call('PUT', '/config', { body: { config: current.body.config } });
  assert.equal(back.status, 200, back.text);
  assert.equal(back.body.hash, current.body.hash);
  assert.equal('key' in (await api.call('GET', '/certificates/internal-ca')).body, false);
});

test('a tenant whose keyless certificate came and went keeps a byte-identical snapshot', async () => {
  const api = await registerTenantApi(server, 'Keyless unchanged');
  await withService(api);
  const original = (await storedSnapshots(api.tenant.id)).at(-1) as { version: number; hash: string; text: string };
  assert.equal((await api.call('POST', '/certificates', { body: { name: 'ca', cert: pem.ca.cert } })).status, 201);
  assert.equal((await api.call('DELETE', '/certificates/ca')).status, 204);
  const newest = (await storedSnapshots(api.tenant.id)).at(-1) as { version: number; hash: string; text: string };
  assert.equal(newest.version, original.version + 2);
  assert.equal(newest.text, original.text);
  assert.equal(newest.hash, original.hash);
});

test('in use: a CA bundle named by caCertificate cannot be deleted (409), and nothing that needs a key may be keyless (400 naming the field)', async () => {
  const api = await registerTenantApi(server, 'Keyless in use');
  await withService(api, { caCertificate: 'internal-ca', clientCertificate: 'gw-client' });
  assert.equal((await api.call('POST', '/certificates', { body: { name: 'internal-ca', cert: pem.ca.cert } })).status, 201);
  const inUse = await api.call('DELETE', '/certificates/internal-ca');
  assert.equal(inUse.status, 409);
  assert.equal(inUse.body.error.code, 'in_use');
  assert.match(inUse.body.error.message, /service 'users'/);

  // The service already names `gw-client` as its client certificate: a keyless one of that name is refused.
  const keylessClient = await api.call('POST', '/certificates', { body: { name: 'gw-client', cert: pem.ca.cert } });
  assert.equal(keylessClient.status, 400, keylessClient.text);
  assert.equal(keylessClient.body.error.details[0].path, 'key');
  assert.match(keylessClient.body.error.details[0].message, /certificate 'gw-client' has no key, but service 'users' needs one/);
  assert.equal((await api.call('POST', '/certificates', { body: { name: 'gw-client', cert: pem.leaf.chain, key: pem.leaf.key } })).status, 201);

  const web = { name: 'web', port: 443, bindPort: 10443, protocol: 'HTTPS', hostname: 'api.example.com', tls: { certificates: ['site'] } };
  assert.equal((await api.call('POST', '/listeners', { body: web })).status, 201);
  assert.equal((await api.call('POST', '/certificates', { body: { name: 'site', cert: pem.leaf.chain, key: pem.leaf.key } })).status, 201);
  const before = await api.call('GET', '/config');

  // PUT /certificates/:id turning the listener's certificate keyless: 400 at `key`, and it keeps its key.
  const turned = await api.call('PUT', '/certificates/site', { body: { name: 'site', cert: pem.leaf.chain } });
  assert.equal(turned.status, 400, turned.text);
  assert.equal(turned.body.error.code, 'validation_failed');
  assert.deepEqual(turned.body.error.details.map((d: { path: string }) => d.path), ['key']);
  assert.match(turned.body.error.details[0].message, /certificate 'site' has no key, but listener 'web' needs one/);
  assert.ok((await api.call('GET', '/certificates/site')).body.key.sha256, 'the stored key stays');

  // PUT /config doing the same (the entry without `key`): 400 at config.certificates[i].key, nothing changes.
  const certificates = before.body.config.certificates.map((c: { name: string; cert: string; key?: unknown }) => (c.name === 'site' ? { name: c.name, cert: c.cert } : c));
  const index = certificates.findIndex((c: { name: string }) => c.name === 'site');
  const viaConfig = await api.call('PUT', '/config', { body: { config: { ...before.body.config, certificates } } });
  assert.equal(viaConfig.status, 400, viaConfig.text);
  assert.deepEqual(viaConfig.body.error.details.map((d: { path: string }) => d.path), [`config.certificates[${index}].key`]);
  // A config adding a listener on an unchanged keyless entry is refused the same way.
  const listenerOnCa = await api.call('PUT', '/config', {
    body: { config: { ...before.body.config, listeners: [...before.body.config.listeners, { ...web, name: 'web-ca', hostname: 'ca.example.com', tls: { certificates: ['internal-ca'] } }] } },
  });
  assert.equal(listenerOnCa.status, 400, listenerOnCa.text);
  const caIndex = before.body.config.certificates.findIndex((c: { name: string }) => c.name === 'internal-ca');
  assert.deepEqual(listenerOnCa.body.error.details.map((d: { path: string }) => d.path), [`config.certificates[${caIndex}].key`]);
  assert.match(listenerOnCa.body.error.details[0].message, /listener 'web-ca' needs one/);
  assert.equal((await api.call('GET', '/config')).body.version, before.body.version, 'no refused write recorded a version');

  // The listeners and services resources refuse naming a CA bundle where a key is needed, at their own field.
  const listener = await api.call('POST', '/listeners', { body: { ...web, name: 'web-ca', hostname: 'ca.example.com', tls: { certificates: ['site', 'internal-ca'] } } });
  assert.equal(listener.status, 400, listener.text);
  assert.deepEqual(listener.body.error.details, [{ path: 'tls.certificates[1]', message: "certificate 'internal-ca' has no key: a listener needs one" }]);
  const service = await api.call('PUT', '/services/users', { body: { name: 'users', url: 'https://users:8443', tls: { caCertificate: 'internal-ca', clientCertificate: 'internal-ca' } } });
  assert.equal(service.status, 400, service.text);
  assert.deepEqual(service.body.error.details, [{ path: 'tls.clientCertificate', message: "certificate 'internal-ca' has no key: a client certificate needs one" }]);
  const caOnly = await api.call('PUT', '/services/users', { body: { name: 'users', url: 'https://users:8443', tls: { caCertificate: 'internal-ca' } } });
  assert.equal(caOnly.status, 200, caOnly.text);
});

test('without SECRETS_ENCRYPTION_KEY a CA bundle can still be written (no key to seal); a keyed one is a 503', async () => {
  const [, withoutSecrets] = servers;
  const api = await registerTenantApi(server, 'Keyless no secrets');
  const call: TestServer['request'] = (method, path, options = {}) => withoutSecrets.request(method, `${api.base}${path}`, { token: api.tenant.token, ...options });
  const created = await call('POST', '/certificates', { body: { name: 'ca', cert: pem.ca.cert } });
  assert.equal(created.status, 201, created.text);
  assert.equal((await call('POST', '/certificates', { body: { name: 'keyed', cert: pem.leaf.chain, key: pem.leaf.key } })).status, 503);
  const config = (await call('GET', '/config')).body.config;
  const put = await call('PUT', '/config', { body: { config: { ...config, certificates: [...config.certificates, { name: 'ca2', cert: pem.intermediate.cert }] } } });
  assert.equal(put.status, 200, put.text);
  assert.deepEqual((await call('GET', '/certificates')).body.data.map((c: { name: string }) => c.name), ['ca', 'ca2']);
  // And the replica without the key pushes it: nothing to open.
  const gateway = await helloGateway(withoutSecrets.url, api.tenant.gatewayApiKey);
  try {
    const frame = await gateway.nextConfig((c) => c.version === put.body.version);
    assert.equal((frame.config as unknown as { certificates: unknown[] }).certificates.length, 2);
  } finally {
    gateway.close();
  }
});
