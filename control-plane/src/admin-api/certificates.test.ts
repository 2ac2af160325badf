import assert from 'node:assert/strict';
import { createHash, createPrivateKey } from 'node:crypto';
import { before, test } from 'node:test';
import { makePushedCertificates, type PushedCertificates } from '../testing/pushed-certificates.js';
import { registerTenantApi, type RegisteredTenant, type TestServer } from '../testing/server.js';
import { withTestServer } from '../testing/with-test-server.js';

const { server, servers, ready } = withTestServer({ replicas: [{}, { secretsEncryption: null }] });
let pem: PushedCertificates;
let a: { tenant: RegisteredTenant; base: string; call: TestServer['request'] };
let b: { tenant: RegisteredTenant; base: string; call: TestServer['request'] };

before(async () => {
  await ready;
  pem = makePushedCertificates();
  a = await registerTenantApi(server, 'Certs A');
  b = await registerTenantApi(server, 'Certs B');
});

const keySha256 = (keyPem: string) => createHash('sha256').update(createPrivateKey(keyPem).export({ type: 'pkcs8', format: 'der' })).digest('hex');

/** No PEM armour, and no slice of any test key's or certificate's base64 body. */
function assertNoPem(text: string, what: string): void {
  assert.doesNotMatch(text, /BEGIN|-----|PRIVATE KEY/, `${what} holds PEM text`);
  for (const pair of [pem.leaf, pem.other, pem.expired, pem.intermediate]) {
    for (const part of [pair.key, pair.cert]) {
      const body = part.split('\n')[2] as string;
      assert.ok(!text.includes(body.slice(0, 32)), `${what} holds a slice of a PEM body`);
    }
  }
}

test('a certificate is stored and shown with its chain, names, fingerprint and expiry, and its key only as a SHA-256', async () => {
  const created = await a.call('POST', '/certificates', { body: { name: 'example-com', cert: pem.leaf.chain, key: pem.leaf.key } });
  assert.equal(created.status, 201, created.text);
  assertNoPem(created.text, 'the create answer');
  assert.equal(created.body.name, 'example-com');
  assert.deepEqual(created.body.names, ['api.example.com', '*.example.com']);
  assert.deepEqual(
    created.body.chain.map((entry: { subject: string; issuer: string }) => [entry.subject, entry.issuer]),
    [
      ['CN=leaf', 'CN=intermediate'],
      ['CN=intermediate', 'CN=NovaGate pushed test CA'],
    ],
  );
  assert.match(created.body.fingerprintSha256, /^[0-9a-f]{64}$/);
  assert.ok(Date.parse(created.body.notAfter) > Date.now());
  assert.deepEqual(created.body.key, { sha256: keySha256(pem.leaf.key) });
  assert.equal(created.body.managedBy, 'api');

  for (const path of [`/certificates/${created.body.id}`, '/certificates/example-com', '/certificates']) {
    const read = await a.call('GET', path);
    assert.equal(read.status, 200, path);
    assertNoPem(read.text, path);
  }
  const list = await a.call('GET', '/certificates');
  assert.deepEqual(list.body.data.map((c: { name: string }) => c.name), ['example-com']);
  assert.deepEqual((await a.call('GET', '/certificates/example-com')).body, created.body);

  const again = await a.call('POST', '/certificates', { body: { name: 'example-com', cert: pem.other.chain, key: pem.other.key } });
  assert.equal(again.status, 409);
  assert.equal(again.body.error.code, 'already_exists');
});

test('each bad input is a 400 naming its field, and no answer or log line ever holds PEM text', async () => {
  const good = { cert: pem.leaf.chain, key: pem.leaf.key };
  const block = (label: string, body: string) => `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
  const leafBlock = pem.leaf.cert;
  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ['cert not PEM', { ...good, cert: 'hello' }, 'cert', /PEM CERTIFICATE blocks/],
    ['cert block of garbage', { ...good, cert: block('CERTIFICATE', 'bm90IGEgY2VydGlmaWNhdGU=') }, 'cert', /not a readable X.509/],
    ['key in cert', { ...good, cert: pem.leaf.chain + pem.leaf.key }, 'cert', /only CERTIFICATE blocks/],
    ['chain in the wrong order', { ...good, cert: pem.intermediate.cert + leafBlock }, 'cert', /did not issue/],
    ['chain too long', { ...good, cert: leafBlock.repeat(11) }, 'cert', /at most 10 certificates/],
    ['cert over 64 KiB', { ...good, cert: pem.leaf.chain + ' '.repeat(64 * 1024) }, 'cert', /at most 65536/],
    ['expired', { cert: pem.expired.chain, key: pem.expired.key }, 'cert', /expired on/],
    ['not yet valid', { cert: pem.notYetValid.chain, key: pem.notYetValid.key }, 'cert', /not valid before/],
    ['key not PEM', { ...good, key: 'secret' }, 'key', /exactly one unencrypted PEM private key/],
    ['key block of garbage', { ...good, key: block('PRIVATE KEY', 'AAAA') }, 'key', /not a readable private key/],
    ['two keys', { ...good, key: pem.leaf.key + pem.other.key }, 'key', /exactly one/],
    ['encrypted key', { ...good, key: block('ENCRYPTED PRIVATE KEY', 'AAAA') }, 'key', /passphrase/],
    ['key of another certificate', { ...good, key: pem.other.key }, 'key', /does not match/],
    ['key over 16 KiB', { ...good, key: pem.leaf.key + ' '.repeat(16 * 1024) }, 'key', /at most 16384/],
    ['fingerprint on create', { ...good, key: { sha256: 'a'.repeat(64) } }, 'key', /needs its key as PEM/],
    ['cert missing', { key: pem.leaf.key }, 'cert', /./],
    ['unknown field', { ...good, chain: 'x' }, 'chain', /unknown field/],
    ['reserved name', { ...good, name: 'k8s.x' }, 'name', /reserved/],
    ['bad name', { ...good, name: 'a b' }, 'name', /certificate name/],
  ];
  for (const [what, body, path, message] of cases) {
    const response = await a.call('POST', '/certificates', { body: { name: 'bad', ...body } });
    assert.equal(response.status, 400, `${what}: ${response.text}`);
    assert.equal(response.body.error.code, 'validation_failed', what);
    const detail = response.body.error.details.find((d: { path: string }) => d.path === path);
    assert.ok(detail !== undefined, `${what}: no detail for '${path}' in ${response.text}`);
    assert.match(detail.message, message, what);
    assertNoPem(response.text, what);
  }
  assert.equal((await a.call('GET', '/certificates/bad')).status, 404, 'nothing was stored');
  for (const line of server.logLines) assertNoPem(line, 'a log line');
});

test('an update keeps the stored key by its SHA-256, refuses a wrong one, and never answers the key', async () => {
  const created = await a.call('POST', '/certificates', { body: { name: 'renewed', cert: pem.leaf.chain, key: pem.leaf.key } });
  assert.equal(created.status, 201);
  const sha256 = created.body.key.sha256;
  const kept = await a.call('PUT', '/certificates/renewed', { body: { name: 'renewed', cert: pem.leaf.cert, key: { sha256 } } });
  assert.equal(kept.status, 200, kept.text);
  assert.deepEqual(kept.body.key, { sha256 });
  assert.equal(kept.body.chain.length, 1);
  const wrong = await a.call('PUT', '/certificates/renewed', { body: { name: 'renewed', cert: pem.leaf.cert, key: { sha256: 'b'.repeat(64) } } });
  assert.equal(wrong.status, 400);
  assert.equal(wrong.body.error.details[0].path, 'key.sha256');
  const mismatch = await a.call('PUT', '/certificates/renewed', { body: { name: 'renewed', cert: pem.other.chain, key: { sha256 } } });
  assert.equal(mismatch.status, 400);
  assert.equal(mismatch.body.error.details[0].path, 'key');
  const replaced = await a.call('PUT', `/certificates/${created.body.id}`, { body: { name: 'renewed', cert: pem.other.chain, key: pem.other.key } });
  assert.equal(replaced.status, 200, replaced.text);
  assert.deepEqual(replaced.body.key, { sha256: keySha256(pem.other.key) });
  assertNoPem(replaced.text, 'the update answer');

  assert.equal((await a.call('DELETE', '/certificates/renewed')).status, 204);
  assert.equal((await a.call('GET', `/certificates/${created.body.id}`)).status, 404);
  assert.equal((await a.call('DELETE', '/certificates/renewed')).status, 404);
});

test("another tenant's token gets 403 on every certificate endpoint, and its own lookup of the id finds nothing", async () => {
  const created = await a.call('POST', '/certificates', { body: { name: 'private', cert: pem.leaf.chain, key: pem.leaf.key } });
  assert.equal(created.status, 201);
  const id = created.body.id as string;
  const body = { name: 'private', cert: pem.other.chain, key: pem.other.key };
  const matrix: [string, string, unknown?][] = [
    ['GET', '/certificates'],
    ['POST', '/certificates', body],
    ['GET', `/certificates/${id}`],
    ['PUT', `/certificates/${id}`, body],
    ['DELETE', `/certificates/${id}`],
  ];
  for (const [method, path, requestBody] of matrix) {
    const response = await server.request(method, `${a.base}${path}`, { token: b.tenant.token, body: requestBody });
    assert.equal(response.status, 403, `${method} ${path}`);
  }
  assert.equal((await b.call('GET', `/certificates/${id}`)).status, 404);
  assert.equal((await b.call('DELETE', `/certificates/${id}`)).status, 404);
  assert.equal((await a.call('GET', `/certificates/${id}`)).body.key.sha256, keySha256(pem.leaf.key), "A's certificate is unchanged");
});

test('without SECRETS_ENCRYPTION_KEY a certificate write is a 503 naming the setting; reads still work', async () => {
  const [, withoutKey] = servers;
  const call: TestServer['request'] = (method, path, options = {}) => withoutKey.request(method, `${a.base}${path}`, { token: a.tenant.token, ...options });
  const refused = await call('POST', '/certificates', { body: { name: 'no-key', cert: pem.leaf.chain, key: pem.leaf.key } });
  assert.equal(refused.status, 503);
  assert.match(refused.body.error.message, /SECRETS_ENCRYPTION_KEY is not set/);
  const config = await call('GET', '/config');
  const put = await call('PUT', '/config', { body: { config: { ...config.body.config, certificates: [{ name: 'no-key', cert: pem.leaf.chain, key: pem.leaf.key }] } } });
  assert.equal(put.status, 503);
  assert.match(put.body.error.message, /SECRETS_ENCRYPTION_KEY is not set/);
  assert.equal((await call('GET', '/certificates/private')).status, 200);
  const roundTrip = await call('PUT', '/config', { body: { config: config.body.config } });
  assert.equal(roundTrip.status, 200, `an unchanged config with certificates is accepted back: ${roundTrip.text}`);
  assert.equal(roundTrip.body.hash, config.body.hash);
});
