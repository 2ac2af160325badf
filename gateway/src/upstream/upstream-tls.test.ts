// Upstream TLS with a real HTTPS upstream that requires a client certificate (mTLS).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { startTestGateway, type TestGateway } from '../testing/in-process-gateway.js';
import { makeNamedCertificates, makeTestCertificates } from '../testing/tls-certificates.js';

const pems = makeTestCertificates();
const read = (file: string) => readFileSync(file, 'utf8');
const certificates = [
  { name: 'internal-ca', cert: read(pems.caFile), key: read(join(pems.dir, 'ca-key.pem')) },
  { name: 'other-ca', cert: read(pems.otherCaFile), key: read(join(pems.dir, 'other-ca-key.pem')) },
  { name: 'gw-client', cert: read(pems.clientCertFile), key: read(pems.clientKeyFile) },
];

let upstream: Server;
let upstreamUrl: string;
let gateway: TestGateway;
const clientNames: string[] = [];

before(async () => {
  // Its certificate names the IP 127.0.0.1 only; it refuses a client without a certificate of its CA.
  upstream = createServer({ cert: read(pems.serverCertFile), key: read(pems.serverKeyFile), ca: read(pems.caFile), requestCert: true, rejectUnauthorized: true }, (req, res) => {
    clientNames.push(String((req.socket as TLSSocket).getPeerCertificate().subject?.CN ?? ''));
    res.end('{}');
  });
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  upstreamUrl = `https://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  gateway = await startTestGateway(configWith({ caCertificate: 'internal-ca', clientCertificate: 'gw-client' }));
});

after(async () => {
  await gateway.close();
  upstream.close();
});

function configWith(tls: Record<string, unknown>) {
  return { certificates, services: [{ name: 'svc', url: upstreamUrl, retries: 0, tls }], routes: [{ name: 'r', service: 'svc', paths: ['/*'] }] };
}

async function answer(tls: Record<string, unknown>): Promise<{ status: number; cause: string | undefined }> {
  const applied = await gateway.store.apply(configWith(tls));
  assert.equal(applied.ok, true, JSON.stringify(applied));
  const response = await fetch(`${gateway.url}/x`);
  const body = (await response.json()) as { error?: { cause?: string } };
  return { status: response.status, cause: body.error?.cause };
}

test('mTLS: the upstream gets the client certificate and is verified with the named CA', async () => {
  clientNames.length = 0;
  assert.deepEqual(await answer({ caCertificate: 'internal-ca', clientCertificate: 'gw-client' }), { status: 200, cause: undefined });
  assert.deepEqual(clientNames, ['client']);
});

test('without the client certificate the upstream refuses the handshake: 502', async () => {
  const result = await answer({ caCertificate: 'internal-ca' });
  assert.equal(result.status, 502);
});

test('an upstream certificate from another CA is refused: 502 tls_error', async () => {
  assert.deepEqual(await answer({ caCertificate: 'other-ca', clientCertificate: 'gw-client' }), { status: 502, cause: 'tls_error' });
});

test('serverName is the name the upstream certificate is verified against', async () => {
  assert.deepEqual(await answer({ caCertificate: 'internal-ca', clientCertificate: 'gw-client', serverName: 'users.internal' }), { status: 502, cause: 'tls_error' });
});

test('the system CAs do not trust a private CA; verify: false accepts it', async () => {
  assert.deepEqual(await answer({ clientCertificate: 'gw-client' }), { status: 502, cause: 'tls_error' });
  assert.deepEqual(await answer({ clientCertificate: 'gw-client', verify: false }), { status: 200, cause: undefined });
});

test('a tls certificate name that is nowhere is refused, naming the field', async () => {
  const refused = await gateway.store.apply(configWith({ caCertificate: 'missing-ca' }));
  assert.equal(refused.ok, false);
  assert.deepEqual(!refused.ok && refused.problems.map((p) => p.path), ['services[0].tls.caCertificate']);
});

test('a named target resolved to an address is verified against tls.serverName, else against its own name', async () => {
  const named = makeNamedCertificates({ users: ['users.internal'] });
  const server = createServer({ ...named.certificates.users! }, (_req, res) => res.end('{}'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const local = (name: string) => (name === 'named-ca' ? { cert: named.ca, key: '' } : undefined);
  const config = (tls: Record<string, unknown>) => ({
    services: [{ name: 'svc', url: `https://upstream.test:${port}`, retries: 0, tls }],
    routes: [{ name: 'r', service: 'svc', paths: ['/*'] }],
  });
  const namedGateway = await startTestGateway(config({ caCertificate: 'named-ca', serverName: 'users.internal' }), {
    resolver: async () => ['127.0.0.1'],
    localCertificatePem: local,
  });
  try {
    await namedGateway.store.current()!.services.get('svc')!.pool.resolved;
    assert.equal((await fetch(`${namedGateway.url}/x`)).status, 200);
    assert.equal((await namedGateway.store.apply(config({ caCertificate: 'named-ca' }))).ok, true);
    await namedGateway.store.current()!.services.get('svc')!.pool.resolved;
    const refused = await fetch(`${namedGateway.url}/x`);
    assert.equal(refused.status, 502, 'upstream.test is not a name of the certificate');
    assert.equal(((await refused.json()) as { error: { cause: string } }).error.cause, 'tls_error');
  } finally {
    await namedGateway.close();
    server.close();
  }
});
