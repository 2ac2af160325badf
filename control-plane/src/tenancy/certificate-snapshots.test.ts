import assert from 'node:assert/strict';
import { createHash, createPrivateKey } from 'node:crypto';
import { before, test } from 'node:test';
import { canonicalConfig, configHash, validateGatewayConfig } from '@novagate/gateway/config';
import { helloGateway } from '../testing/gateway-client.js';
import { makePushedCertificates, type PushedCertificates } from '../testing/pushed-certificates.js';
import { registerTenantApi, type RegisteredTenant, type TestServer } from '../testing/server.js';
import { withTestServer } from '../testing/with-test-server.js';
import { quotedTenantSchema } from './schema-name.js';
import { createSecretBox } from './secret-box.js';
import { resealCertificates } from './certificate-reseal.js';

const OLD_KEY = 'old-secrets-key-0123456789abcdefABCDEFxyz';
const NEW_KEY = 'new-secrets-key-9876543210fedcbaFEDCBAzyx';
const { servers, db, ready } = withTestServer({
  replicas: [{ secretsEncryption: { key: OLD_KEY } }, { secretsEncryption: { key: NEW_KEY, acceptedKey: OLD_KEY } }, { secretsEncryption: { key: NEW_KEY } }],
});
const [oldOnly, rotating, newOnly] = servers;
let pem: PushedCertificates;

before(async () => {
  await ready;
  pem = makePushedCertificates();
});

type Api = { tenant: RegisteredTenant; base: string; call: TestServer['request'] };
const on = (server: TestServer, api: Api): TestServer['request'] => (method, path, options = {}) =>
  server.request(method, `${api.base}${path}`, { token: api.tenant.token, ...options });
const keySha256 = (keyPem: string) => createHash('sha256').update(createPrivateKey(keyPem).export({ type: 'pkcs8', format: 'der' })).digest('hex');

async function storedVersions(tenantId: string): Promise<{ version: number; hash: string; text: string }[]> {
  const { rows } = await db.pool.query<{ version: string; hash: string; text: string }>(
    `SELECT version, hash, snapshot::text AS text FROM ${quotedTenantSchema(tenantId)}.config_versions ORDER BY version`,
  );
  return rows.map((row) => ({ version: Number(row.version), hash: row.hash, text: row.text }));
}

async function withServiceAndRoute(api: Api): Promise<void> {
  assert.equal((await api.call('POST', '/services', { body: { name: 'users', url: 'http://users:8080' } })).status, 201);
  assert.equal((await api.call('POST', '/routes', { body: { name: 'users', service: 'users', paths: ['/users'] } })).status, 201);
}

test("a tenant without certificates keeps a byte-identical snapshot: no `certificates`, and the same text and hash after one came and went", async () => {
  const api = await registerTenantApi(oldOnly, 'Unchanged');
  await withServiceAndRoute(api);
  const [original] = (await storedVersions(api.tenant.id)).slice(-1) as [{ version: number; hash: string; text: string }];
  assert.doesNotMatch(original.text, /certificates/);
  const current = await api.call('GET', '/config');
  assert.deepEqual(Object.keys(current.body.config).sort(), ['consumers', 'routes', 'services']);
  assert.equal(canonicalConfig(current.body.config).hash, original.hash);

  assert.equal((await api.call('POST', '/certificates', { body: { name: 'c', cert: pem.leaf.chain, key: pem.leaf.key } })).status, 201);
  assert.equal((await api.call('DELETE', '/certificates/c')).status, 204);
  const newest = (await storedVersions(api.tenant.id)).at(-1) as { version: number; hash: string; text: string };
  assert.equal(newest.version, original.version + 2);
  assert.equal(newest.text, original.text);
  assert.equal(newest.hash, original.hash);
});

test('the stored snapshot holds the key only sealed, GET /config shows its SHA-256, and the hash covers that public form', async () => {
  const api = await registerTenantApi(oldOnly, 'Sealed');
  await withServiceAndRoute(api);
  assert.equal((await api.call('POST', '/certificates', { body: { name: 'web', cert: pem.leaf.chain, key: pem.leaf.key } })).status, 201);
  const keyBody = pem.leaf.key.split('\n')[1] as string;
  for (const stored of await storedVersions(api.tenant.id)) {
    assert.doesNotMatch(stored.text, /PRIVATE KEY/, `version ${stored.version}`);
    assert.ok(!stored.text.includes(keyBody.slice(0, 24)), `version ${stored.version} holds the key's body`);
  }
  const { rows } = await db.pool.query<{ key_sealed: string }>(`SELECT key_sealed FROM ${quotedTenantSchema(api.tenant.id)}.certificates`);
  assert.match(rows[0]?.key_sealed ?? '', new RegExp(`^v1:${createSecretBox(OLD_KEY).keyId}:`));

  const current = await api.call('GET', '/config');
  assert.doesNotMatch(current.text, /PRIVATE KEY|sealed/);
  assert.deepEqual(current.body.config.certificates, [{ name: 'web', cert: current.body.config.certificates[0].cert, key: { sha256: keySha256(pem.leaf.key) } }]);
  assert.match(current.body.config.certificates[0].cert, /^-----BEGIN CERTIFICATE-----/);
  assert.equal(canonicalConfig(current.body.config).hash, current.body.hash);
  assert.equal((await storedVersions(api.tenant.id)).at(-1)?.hash, current.body.hash);
});

test('PUT /config keeps a stored key given its SHA-256, refuses a wrong one naming the field, and drops certificates left out', async () => {
  const api = await registerTenantApi(oldOnly, 'Declarative');
  await withServiceAndRoute(api);
  const put = (config: unknown) => api.call('PUT', '/config', { body: { config } });
  const created = await put({ ...(await api.call('GET', '/config')).body.config, certificates: [{ name: 'web', cert: pem.leaf.chain, key: pem.leaf.key }] });
  assert.equal(created.status, 200, created.text);
  const read = await api.call('GET', '/config');
  assert.equal(read.body.hash, created.body.hash);

  const same = await put(read.body.config);
  assert.equal(same.status, 200, same.text);
  assert.deepEqual(same.body, { version: read.body.version, hash: read.body.hash }, 'the round trip records no new version');

  const certificate = read.body.config.certificates[0];
  const cases: [string, unknown, string][] = [
    ['wrong fingerprint', [{ ...certificate, key: { sha256: 'c'.repeat(64) } }], 'config.certificates[0].key.sha256'],
    ['fingerprint of no stored certificate', [{ ...certificate, name: 'new', key: { sha256: certificate.key.sha256 } }], 'config.certificates[0].key.sha256'],
    ['key of another certificate', [{ ...certificate, key: pem.other.key }], 'config.certificates[0].key'],
    ['expired', [{ name: 'old', cert: pem.expired.chain, key: pem.expired.key }], 'config.certificates[0].cert'],
    ['duplicate names', [certificate, certificate], 'config.certificates[1].name'],
    ['not a list', 'x', 'config.certificates'],
  ];
  for (const [what, certificates, path] of cases) {
    const response = await put({ ...read.body.config, certificates });
    assert.equal(response.status, 400, `${what}: ${response.text}`);
    assert.ok(response.body.error.details.some((d: { path: string }) => d.path === path), `${what}: ${response.text}`);
    assert.doesNotMatch(response.text, /BEGIN|PRIVATE KEY/, what);
  }

  const { certificates: _dropped, ...withoutCertificates } = read.body.config;
  const dropped = await put(withoutCertificates);
  assert.equal(dropped.status, 200);
  assert.deepEqual((await api.call('GET', '/certificates')).body.data, []);
  assert.equal((await api.call('GET', '/config')).body.config.certificates, undefined);
  for (const server of servers) for (const line of server.logLines) assert.doesNotMatch(line, /BEGIN|PRIVATE KEY/);
});

test('the frame a gateway receives carries the key opened, under the version hash; during a rotation the accepted key opens it', async () => {
  const api = await registerTenantApi(oldOnly, 'Pushed');
  await withServiceAndRoute(api);
  assert.equal((await api.call('POST', '/certificates', { body: { name: 'web', cert: pem.leaf.chain, key: pem.leaf.key } })).status, 201);
  const current = (await api.call('GET', '/config')).body;

  for (const server of [oldOnly, rotating]) {
    const gateway = await helloGateway(server.url, api.tenant.gatewayApiKey);
    try {
      const frame = await gateway.nextConfig((config) => config.version === current.version);
      assert.equal(frame.hash, current.hash);
      const certificates = (frame.config as unknown as { certificates: { name: string; cert: string; key: string }[] }).certificates;
      assert.equal(certificates.length, 1);
      assert.match(certificates[0]?.key ?? '', /^-----BEGIN PRIVATE KEY-----/);
      assert.equal(keySha256(certificates[0]?.key ?? ''), current.config.certificates[0].key.sha256);
      assert.equal(certificates[0]?.cert, current.config.certificates[0].cert);
      // What the gateway acks: its own hash of the config it validated equals the version hash, so it counts as current.
      const validated = validateGatewayConfig(frame.config);
      assert.ok(validated.ok, 'the gateway schema accepts the revealed config');
      assert.equal(configHash(validated.value), current.hash);
    } finally {
      gateway.close();
    }
  }

  // A replica holding only the new key cannot open it: nothing is pushed, and the log line names no PEM.
  const early = await helloGateway(newOnly.url, api.tenant.gatewayApiKey);
  await assert.rejects(early.nextConfig(() => true, 1_500), /no matching config/);
  early.close();
  assert.ok(newOnly.logLines.some((line) => line.includes('config refresh failed') && line.includes('neither SECRETS_ENCRYPTION_KEY')));
  for (const line of newOnly.logLines) assert.doesNotMatch(line, /BEGIN|PRIVATE KEY/);

  // Rotation: writing the config back through the rotating replica re-seals every key under the new one, in place.
  const rewritten = await on(rotating, api)('PUT', '/config', { body: { config: current.config } });
  assert.deepEqual(rewritten.body, { version: current.version, hash: current.hash });
  const { rows } = await db.pool.query<{ key_sealed: string }>(`SELECT key_sealed FROM ${quotedTenantSchema(api.tenant.id)}.certificates`);
  assert.match(rows[0]?.key_sealed ?? '', new RegExp(`^v1:${createSecretBox(NEW_KEY).keyId}:`));
  const late = await helloGateway(newOnly.url, api.tenant.gatewayApiKey);
  try {
    const frame = await late.nextConfig((config) => config.version === current.version);
    const certificates = (frame.config as unknown as { certificates: { key: string }[] }).certificates;
    assert.equal(keySha256(certificates[0]?.key ?? ''), current.config.certificates[0].key.sha256);
  } finally {
    late.close();
  }
});

test("re-sealing after a rotation moves every tenant's keys to the new key in place, so a replica with only the new key pushes them", async () => {
  const api = await registerTenantApi(oldOnly, 'Rotated');
  await withServiceAndRoute(api);
  assert.equal((await api.call('POST', '/certificates', { body: { name: 'web', cert: pem.leaf.chain, key: pem.leaf.key } })).status, 201);
  const current = (await api.call('GET', '/config')).body;
  const before = (await storedVersions(api.tenant.id)).at(-1);

  const first = await resealCertificates(db.pool, createSecretBox(NEW_KEY, OLD_KEY));
  assert.ok(first.resealed >= 1);
  assert.deepEqual(first.unopened, []);
  assert.deepEqual(await resealCertificates(db.pool, createSecretBox(NEW_KEY, OLD_KEY)), { resealed: 0, unopened: [] }, 'a second run has nothing to do');
  const after = (await storedVersions(api.tenant.id)).at(-1);
  assert.deepEqual([after?.version, after?.hash], [before?.version, before?.hash], 'same version and hash, new seals');
  assert.notEqual(after?.text, before?.text);
  assert.match(after?.text ?? '', new RegExp(`"sealed": "v1:${createSecretBox(NEW_KEY).keyId}:`));

  const gateway = await helloGateway(newOnly.url, api.tenant.gatewayApiKey);
  try {
    const frame = await gateway.nextConfig((config) => config.version === current.version);
    const certificates = (frame.config as unknown as { certificates: { key: string }[] }).certificates;
    assert.equal(keySha256(certificates[0]?.key ?? ''), current.config.certificates[0].key.sha256);
  } finally {
    gateway.close();
  }
  const stranded = await resealCertificates(db.pool, createSecretBox('third-secrets-key-0123456789abcdefABCDEFq'));
  assert.ok(stranded.unopened.includes(api.tenant.id), 'a key no configured key opens is reported by tenant, not re-sealed');
});
