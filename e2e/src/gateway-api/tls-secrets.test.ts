import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:https';
import { X509Certificate } from 'node:crypto';
import { roundTrip } from './round-trip.js';
import { conformanceTlsObjects, subjectAltNames } from './tls-secrets.js';

interface TlsObject {
  kind: string;
  type?: string;
  metadata: { name: string; namespace: string };
  data: Record<string, string>;
}

const objects = conformanceTlsObjects() as unknown as TlsObject[];
const secret = (namespace: string, name: string) => objects.find((object) => object.kind === 'Secret' && object.metadata.namespace === namespace && object.metadata.name === name);
const pem = (object: TlsObject | undefined, key: string) => Buffer.from(object?.data[key] ?? '', 'base64').toString('utf8');

test("the Secrets and CA ConfigMaps upstream's suite creates, as kubernetes.io/tls Secrets", () => {
  const names = objects.map((object) => `${object.kind} ${object.metadata.namespace}/${object.metadata.name}`).sort();
  assert.deepEqual(names, [
    'ConfigMap gateway-conformance-infra/tls-checks-ca-certificate',
    'ConfigMap gateway-conformance-infra/tls-validity-checks-ca-certificate',
    'ConfigMap gateway-conformance-infra/tls-validity-checks-per-port-ca-certificate',
    'ConfigMap gateway-conformance-web-backend/web-backend-cm',
    'Secret gateway-conformance-app-backend/tls-passthrough-checks-certificate',
    'Secret gateway-conformance-infra/tls-checks-certificate',
    'Secret gateway-conformance-infra/tls-checks-client-certificate',
    'Secret gateway-conformance-infra/tls-passthrough-checks-certificate',
    'Secret gateway-conformance-infra/tls-terminate-checks-certificate',
    'Secret gateway-conformance-infra/tls-validity-checks-certificate',
    'Secret gateway-conformance-infra/tls-validity-checks-client-certificate',
    'Secret gateway-conformance-infra/tls-validity-checks-per-port-client-certificate',
    'Secret gateway-conformance-web-backend/certificate',
  ]);
  for (const object of objects.filter((candidate) => candidate.kind === 'Secret')) {
    assert.equal(object.type, 'kubernetes.io/tls');
    assert.match(pem(object, 'tls.crt'), /^-----BEGIN CERTIFICATE-----/);
    assert.match(pem(object, 'tls.key'), /-----BEGIN PRIVATE KEY-----/);
  }
  const validity = new X509Certificate(pem(secret('gateway-conformance-infra', 'tls-validity-checks-certificate'), 'tls.crt'));
  assert.equal(validity.subjectAltName, 'DNS:*, DNS:*.org, DNS:*.wildcard.org');
  const checks = new X509Certificate(pem(secret('gateway-conformance-infra', 'tls-checks-certificate'), 'tls.crt'));
  assert.equal(checks.subjectAltName, 'DNS:abc.example.com, URI:spiffe://abc.example.com/test-identity, DNS:other.example.com');
  assert.equal(subjectAltNames(['*', 'spiffe://x/y']), 'DNS:*,URI:spiffe://x/y');
});

test("a client trusting the listener's self-signed certificate reaches it with the SNIs the HTTPS test uses, and no other", async () => {
  const validity = secret('gateway-conformance-infra', 'tls-validity-checks-certificate');
  const server = createServer({ cert: pem(validity, 'tls.crt'), key: pem(validity, 'tls.key') }, (request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ path: request.url, host: request.headers.host, method: request.method, headers: {}, namespace: 'ns', pod: 'infra-backend-v1-a-b' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const gateway = `127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  try {
    const ca = pem(validity, 'tls.crt');
    for (const host of ['example.org', 'second-example.org', 'unknown-example.org']) {
      const answer = await roundTrip(gateway, { host, path: '/', tls: { ca, serverName: host } }, undefined, 5_000);
      assert.equal(answer.statusCode, 200, host);
      assert.equal(answer.echo?.host, host);
    }
    await assert.rejects(roundTrip(gateway, { host: 'a.b.example.com', path: '/', tls: { ca, serverName: 'a.b.example.com' } }, undefined, 5_000), /not a\.b\.example\.com/);
    const other = pem(secret('gateway-conformance-web-backend', 'certificate'), 'tls.crt');
    await assert.rejects(roundTrip(gateway, { host: 'example.org', path: '/', tls: { ca: other, serverName: 'example.org' } }, undefined, 5_000), /self[- ]signed|unable to verify/i);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
